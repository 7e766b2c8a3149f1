-- calibration_metrics: how well the queue, as ranked now (ranked_groups: the profile's weights in
-- score_weights), puts each week's actioned groups first. Per ISO week with at least one positive group:
--   precision_at_10 = positive groups among the week's first 10 / min(10, groups that week)
--   recall_at_20    = positive groups among the week's first 20 / positive groups that week
-- A week's order is the queue's: unsuppressed first, then score, first fired and group id (tie_rank).
-- Inputs: ranked_groups (sql/queue/19), calibration_labels (05).
with ordered as (
    select
        l.week,
        l.positive,
        row_number() over (partition by l.week order by r.suppressed, r.score desc, r.tie_rank) as week_rank
    from ranked_groups as r
    join calibration_labels as l using (group_id)
)

select
    week,
    count(*) as groups,
    count(*) filter (where positive) as positives,
    count(*) filter (where positive and week_rank <= 10) * 1.0 / least(10, count(*)) as precision_at_10,
    count(*) filter (where positive and week_rank <= 20) * 1.0 / count(*) filter (where positive) as recall_at_20
from ordered
group by week
having count(*) filter (where positive) > 0
order by week
