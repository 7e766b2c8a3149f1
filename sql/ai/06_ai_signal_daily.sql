-- ai_signal_daily: per day, feature and slice (of ai_signal_rows, a temp table signal_kinds.py makes from
-- 05_ai_signal_rows.sql), the rolling 7-day counts of the AI outcome signals: each rate over the
-- interactions whose input is known (SPEC §2.4), p95 latency over the window, cost per success.
with grid as (
    select distinct day, feature, slice from ai_signal_rows
)

select
    g.day,
    g.feature,
    g.slice,
    count(*) as interactions_7d,
    count(r.edited) as edit_known_7d,
    count(*) filter (where r.edited) as edited_7d,
    count(*) filter (where r.feedback_known) as feedback_known_7d,
    count(*) filter (where r.thumbs_down) as thumbs_down_7d,
    count(*) filter (where r.completed_evaluated) as completed_evaluated_7d,
    count(*) filter (where r.silent) as silent_7d,
    count(*) filter (where r.completed) as completed_7d,
    coalesce(sum(r.cost_usd_known), 0) as cost_usd_7d,
    count(r.cost_usd_known) as cost_known_7d,
    count(r.latency_ms) as latency_known_7d,
    quantile_cont(r.latency_ms, 0.95) as p95_latency_ms_7d
from grid as g
join ai_signal_rows as r
    on r.feature = g.feature and r.slice = g.slice
    and r.day > g.day - interval 7 days and r.day <= g.day
group by g.day, g.feature, g.slice
order by g.feature, g.slice, g.day
