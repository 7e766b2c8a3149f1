-- ai_daily: per day, feature and segment (and segment 'all'), the additive parts of the SPEC §4.2
-- metrics over production interactions, with rolling 7-day and 28-day sums, so that a rate over a
-- window is a ratio of sums (a day with 3 interactions weighs 3, not as much as a day with 3,000).
-- Evaluations: human over llm over code, as in 01_ai_metrics.sql. Task completion is over the
-- interactions whose `accepted` is known (with_user_signal), as in SPEC §4.2.
-- Parameters: $w_task, $w_relevance, $w_safety. Inputs: ai_interactions, eval_scores.
with production as (
    select * from ai_interactions where not shadow
),

ranked_scores as (
    select interaction_id, name, value,
        jl_score_precedence(source) as precedence
    from eval_scores
    where value is not null
),

winning as (
    select interaction_id, name, avg(value) as value
    from (select * from ranked_scores qualify precedence = min(precedence) over (partition by interaction_id, name))
    group by interaction_id, name
),

rows as (
    select
        date_trunc('day', p.ts) as day,
        p.feature,
        coalesce(p.segment, 'unknown') as segment,
        p.accepted is not null as with_user_signal,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) as completed,
        coalesce(p.fallback, false) as fallback,
        p.cost_usd,
        tc.value as task_completion,
        $w_task * tc.value + $w_relevance * rel.value + $w_safety * saf.value as weighted
    from production as p
    left join winning as tc on tc.interaction_id = p.interaction_id and tc.name = 'task_completion'
    left join winning as rel on rel.interaction_id = p.interaction_id and rel.name = 'relevance'
    left join winning as saf on saf.interaction_id = p.interaction_id and saf.name = 'safety'
),

daily as (
    select
        day,
        feature,
        case when grouping(segment) = 1 then 'all' else segment end as segment,
        count(*) as interactions,
        count(*) filter (where with_user_signal) as with_user_signal,
        count(*) filter (where completed) as completed,
        count(*) filter (where fallback) as fallbacks,
        count(*) filter (where completed and task_completion is not null) as completed_evaluated,
        count(*) filter (where completed and task_completion < 0.5) as silent_failures,
        coalesce(sum(weighted), 0) as weighted_sum,
        count(weighted) as evaluated,
        coalesce(sum(cost_usd), 0) as cost_usd
    from rows
    group by grouping sets ((day, feature, segment), (day, feature))
)

select
    *,
    sum(interactions) over last_7 as interactions_7d,
    sum(with_user_signal) over last_7 as with_user_signal_7d,
    sum(completed) over last_7 / nullif(sum(with_user_signal) over last_7, 0) as task_completion_7d,
    sum(silent_failures) over last_7 / nullif(sum(completed_evaluated) over last_7, 0) as silent_failure_7d,
    sum(weighted_sum) over last_7 / nullif(sum(evaluated) over last_7, 0) as weighted_score_7d,
    sum(cost_usd) over last_7 / nullif(sum(completed) over last_7, 0) as cost_per_success_7d,
    sum(interactions) over last_28 as interactions_28d,
    sum(with_user_signal) over last_28 as with_user_signal_28d,
    sum(completed) over last_28 / nullif(sum(with_user_signal) over last_28, 0) as task_completion_28d,
    sum(silent_failures) over last_28 / nullif(sum(completed_evaluated) over last_28, 0) as silent_failure_28d,
    sum(weighted_sum) over last_28 / nullif(sum(evaluated) over last_28, 0) as weighted_score_28d,
    sum(cost_usd) over last_28 / nullif(sum(completed) over last_28, 0) as cost_per_success_28d
from daily
window
    last_7 as (partition by feature, segment order by day range between interval 6 days preceding and current row),
    last_28 as (partition by feature, segment order by day range between interval 27 days preceding and current row)
order by feature, segment, day
