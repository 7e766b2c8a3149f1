-- journey_series: every journey metric series the detector watches, one row per time bucket, stage and
-- segment, plus the stage as a whole (segment 'all'). Rates stay as counts (entered, completed) so that
-- the detector can weigh each bucket by its own volume; time to value and satisfaction are averages
-- weighted by entries. Metrics without segments are the stage as a whole already (no second 'all').
-- Parameters: none. Inputs: journey_metrics.
with buckets as (
    select
        ts,
        stage,
        coalesce(segment, 'all') as segment,
        entered,
        completed,
        time_to_value_s,
        satisfaction
    from journey_metrics
    where ts is not null and stage is not null
)

select
    ts,
    stage,
    case when grouping(segment) = 1 then 'all' else segment end as segment,
    sum(entered) as entered,
    sum(completed) as completed,
    sum(time_to_value_s * entered) filter (where time_to_value_s is not null)
        / nullif(sum(entered) filter (where time_to_value_s is not null), 0) as time_to_value_s,
    sum(satisfaction * entered) filter (where satisfaction is not null)
        / nullif(sum(entered) filter (where satisfaction is not null), 0) as satisfaction
from buckets
group by grouping sets ((ts, stage, segment), (ts, stage))
-- the stage-wide row only when the stage has real segments to add up
having grouping(segment) = 0 or count(*) filter (where segment <> 'all') > 0
order by stage, segment, ts
