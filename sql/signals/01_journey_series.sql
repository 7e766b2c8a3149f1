-- journey_series: every journey metric series the detector watches, one row per time bucket, stage and
-- segment, plus the stage as a whole (segment 'all'). Rates stay as counts (entered, completed) so that
-- the detector can weigh each bucket by its own volume; time to value and satisfaction are averages
-- weighted by entries. Metrics without segments are the stage as a whole already (no second 'all').
-- The grouping sets are a step of their own, filtered after (Spark's HAVING over grouping sets reads only
-- what the select list gives), and the bucket's segment is segment_key (Spark resolved grouping(segment)
-- to the input column when the output had a column of that name too).
-- Parameters: none. Inputs: journey_metrics.
with buckets as (
    select
        ts,
        stage,
        coalesce(segment, 'all') as segment_key,
        entered,
        completed,
        time_to_value_s,
        satisfaction
    from journey_metrics
    where ts is not null and stage is not null
),

totals as (
    select
        ts,
        stage,
        segment_key,
        grouping(segment_key) as whole,
        sum(entered) as entered,
        sum(completed) as completed,
        sum(time_to_value_s * entered) filter (where time_to_value_s is not null)
            / nullif(sum(entered) filter (where time_to_value_s is not null), 0) as time_to_value_s,
        sum(satisfaction * entered) filter (where satisfaction is not null)
            / nullif(sum(entered) filter (where satisfaction is not null), 0) as satisfaction,
        count(*) filter (where segment_key <> 'all') as real_segments,
        count(*) filter (where segment_key = 'all') as whole_rows
    from buckets
    group by grouping sets ((ts, stage, segment_key), (ts, stage))
)

select
    ts,
    stage,
    case when whole = 1 then 'all' else segment_key end as segment,
    entered,
    completed,
    time_to_value_s,
    satisfaction
from totals
-- the stage-wide row only when the stage has real segments to add up, and the hour has no row of the stage
-- as a whole already (a row without a segment is one): one row per hour, stage and segment
where whole = 0 or (real_segments > 0 and whole_rows = 0)
order by stage, segment, ts
