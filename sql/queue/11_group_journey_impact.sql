-- Exposure and observed journey harm of each mapped alert group, from the hours its window
-- (10_group_windows.sql) overlaps.
--   exposure : mean segment-weighted traffic in the window / the stage's 95th-percentile hour, capped at 1
--   harm     : the larger of the relative conversion drop below its hour-of-day baseline (a drop of
--              $harm_full_drop or more counts fully) and the relative rise of time to value (a rise of
--              $ttv_full_rise or more counts fully); 0 when the window saw fewer than $min_entered
--              entries. Volume-aware: the drop is measured from the upper end of the Wilson interval
--              (z = $harm_z) of the window's conversion, so 37 of 74 is not read as a collapse while
--              2,000 of 10,000 is.
--              Harm is read for the stage as a whole (stage_hourly) and for each of its segments
--              (segment_hourly), and the largest counts: an outage of one segment is harm even when
--              the others keep the stage's average up. Each segment passes the same volume test, so a
--              thin segment cannot cry wolf. harm_segment names where it was seen ('all' = the stage),
--              and window_conversion / conversion_baseline are that level's, so the row explains it.
-- Parameters: $harm_full_drop, $ttv_full_rise, $min_entered, $harm_z, $harm_observed_min. Inputs:
-- group_windows (10_group_windows.sql), stage_hourly (08_stage_hourly.sql), segment_hourly
-- (09_segment_hourly.sql).
with windows as (
    -- exposure and harm depend on the stage and the hours a window covers only, and many groups cover
    -- the same hours: each distinct (stage, first hour, last hour) is measured once
    select row_number() over () as window_id, *
    from (
        select distinct stage, window_start as first_hour,
                        date_trunc('hour', window_end - interval 1 microsecond) as last_hour
        from group_windows
        where stage is not null and window_end > window_start
    )
),

window_hours as (
    -- each window as its hours, so that the join to stage_hourly is an equality (hash) join
    select window_id, stage, unnest(generate_series(first_hour, last_hour, interval 1 hour)) as hour
    from windows
),

levels as (
    -- one row per window, hour and level: the stage as a whole ('all', which alone carries traffic for
    -- the exposure), then each segment
    select w.window_id, 'all' as segment, h.traffic, h.traffic_peak, h.entered, h.completed,
           h.conversion_baseline, h.time_to_value_s, h.ttv_baseline
    from window_hours as w
    join stage_hourly as h on h.stage = w.stage and h.hour = w.hour
    union all
    select w.window_id, h.segment, null, null, h.entered, h.completed, h.conversion_baseline, h.time_to_value_s,
           h.ttv_baseline
    from window_hours as w
    join segment_hourly as h on h.stage = w.stage and h.hour = w.hour
),

overlap as (
    select
        window_id,
        segment,
        sum(traffic) / count(*) / max(traffic_peak) as exposure_raw,
        sum(entered) as entered,
        sum(completed) / nullif(sum(entered), 0) as conversion,
        sum(conversion_baseline * entered) / nullif(sum(entered), 0) as conversion_baseline,
        avg(time_to_value_s) as time_to_value_s,
        avg(ttv_baseline) as ttv_baseline
    from levels
    group by window_id, segment
),

wilson as (
    select
        *,
        (conversion + $harm_z * $harm_z / (2 * entered)
            + $harm_z * sqrt(conversion * (1 - conversion) / entered + $harm_z * $harm_z / (4 * entered * entered)))
            / (1 + $harm_z * $harm_z / entered) as conversion_upper
    from overlap
    where entered > 0
),

measured as (
    select
        *,
        case
            when entered < $min_entered then 0.0
            else greatest(
                least(1.0, greatest(0.0, (conversion_baseline - conversion_upper) / nullif(conversion_baseline, 0))
                    / $harm_full_drop),
                coalesce(least(1.0, greatest(0.0, (time_to_value_s - ttv_baseline) / nullif(ttv_baseline, 0))
                    / $ttv_full_rise), 0.0)
            )
        end as measured_harm
    from wilson
),

harmed as (
    -- harm under $harm_observed_min counts as none: with a level per segment, small drops past the
    -- bound turn up by chance, and they must not make noise look corroborated
    select *, case when measured_harm >= $harm_observed_min then measured_harm else 0.0 end as harm
    from measured
),

worst as (
    -- per window: the exposure (the stage's level), and the level with the most harm; on a tie the stage
    -- as a whole, then the segment named last. One hash aggregation, no sort.
    select
        window_id,
        max(exposure_raw) as exposure_raw,
        arg_max({'entered': entered, 'conversion': conversion, 'conversion_upper': conversion_upper,
                 'conversion_baseline': conversion_baseline, 'harm': harm, 'segment': segment},
                {'harm': harm, 'whole': segment = 'all', 'segment': segment}) as level
    from harmed
    group by window_id
)

select
    g.group_id,
    least(1.0, greatest(0.0, coalesce(x.exposure_raw, 0.0))) as exposure,
    x.level.entered as window_entered,
    x.level.conversion as window_conversion,
    x.level.conversion_upper as window_conversion_upper,
    x.level.conversion_baseline,
    x.level.harm,
    x.level.segment as harm_segment
from group_windows as g
join windows as w
    on w.stage = g.stage and w.first_hour = g.window_start
    and w.last_hour = date_trunc('hour', g.window_end - interval 1 microsecond)
join worst as x using (window_id)
