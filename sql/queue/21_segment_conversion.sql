-- Per segment of one stage over a window: entries, conversion, and the segment's own hour-of-day
-- baseline weighted by the window's entries (as 08_stage_hourly.sql does for the whole stage).
-- Parameters: $stage, $start, $end. Input: journey_metrics.
with hourly as (
    select segment, date_trunc('hour', ts) as hour, sum(entered) as entered, sum(completed) as completed
    from journey_metrics
    where stage = $stage
    group by all
),

baseline as (
    select segment, hour(hour) as hour_of_day, median(completed / nullif(entered, 0)) as conversion_baseline
    from hourly
    group by all
)

select
    h.segment,
    sum(h.entered) as entered,
    sum(h.completed) / nullif(sum(h.entered), 0) as conversion,
    sum(b.conversion_baseline * h.entered) / nullif(sum(h.entered), 0) as conversion_baseline
from hourly as h
join baseline as b on b.segment = h.segment and b.hour_of_day = hour(h.hour)
where h.hour >= $start and h.hour < $end
group by h.segment
order by h.segment
