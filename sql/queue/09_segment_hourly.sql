-- Hourly journey state per stage and segment, each with its own baselines at that hour of day: the
-- pooled conversion (completed / entered over every such hour: a segment's hours are often thin, and
-- a median of thin ratios is biased) and the median time to value. Observed harm
-- (12_group_journey_impact.sql) reads it beside stage_hourly, so that an outage of one segment
-- (enterprise only, a free-tier quota) is not averaged away by the segments it spared.
-- Segment 'all' (a file without segments) is left out: stage_hourly covers the stage as a whole.
-- Parameters: none. Inputs: journey_metrics.
with hourly as (
    select
        stage,
        segment,
        date_trunc('hour', ts) as hour,
        sum(entered) as entered,
        sum(completed) as completed,
        sum(completed) / nullif(sum(entered), 0) as conversion,
        sum(time_to_value_s * entered) / nullif(sum(entered) filter (where time_to_value_s is not null), 0)
            as time_to_value_s
    from journey_metrics
    where segment <> 'all'
    group by stage, segment, date_trunc('hour', ts)
),

baselines as (
    select
        stage,
        segment,
        hour(hour) as hour_of_day,
        sum(completed) / nullif(sum(entered), 0) as conversion_baseline,
        median(time_to_value_s) as ttv_baseline
    from hourly
    group by stage, segment, hour(hour)
)

select h.*, b.conversion_baseline, b.ttv_baseline
from hourly as h
join baselines as b on b.stage = h.stage and b.segment = h.segment and b.hour_of_day = hour(h.hour)
