-- Exposure and observed journey harm of each mapped alert group, from the hours its window
-- (41_group_windows.sql) overlaps.
--   exposure : mean segment-weighted traffic in the window / the stage's 95th-percentile hour, capped at 1
--   harm     : the larger of the relative conversion drop below its hour-of-day baseline (a drop of
--              $harm_full_drop or more counts fully) and the relative rise of time to value (a rise of
--              $ttv_full_rise or more counts fully); 0 when the window saw fewer than $min_entered
--              entries. Volume-aware: the drop is measured from the upper end of the Wilson interval
--              (z = $harm_z) of the window's conversion, so 37 of 74 is not read as a collapse while
--              2,000 of 10,000 is.
-- Parameters: $harm_full_drop, $ttv_full_rise, $min_entered, $harm_z. Inputs: group_windows
-- (41_group_windows.sql), stage_hourly (40_stage_hourly.sql).
with window_hours as (
    -- each window as its hours, so that the join to stage_hourly is an equality (hash) join
    select group_id, stage, unnest(generate_series(window_start, window_end - interval 1 microsecond,
                                                   interval 1 hour)) as hour
    from group_windows
    where stage is not null and window_end > window_start
),

overlap as (
    select
        w.group_id,
        sum(h.traffic) / count(*) / max(h.traffic_peak) as exposure_raw,
        sum(h.entered) as entered,
        sum(h.completed) / nullif(sum(h.entered), 0) as conversion,
        sum(h.conversion_baseline * h.entered) / nullif(sum(h.entered), 0) as conversion_baseline,
        avg(h.time_to_value_s) as time_to_value_s,
        avg(h.ttv_baseline) as ttv_baseline
    from window_hours as w
    join stage_hourly as h on h.stage = w.stage and h.hour = w.hour
    group by w.group_id
),

wilson as (
    select
        *,
        (conversion + $harm_z * $harm_z / (2 * entered)
            + $harm_z * sqrt(conversion * (1 - conversion) / entered + $harm_z * $harm_z / (4 * entered * entered)))
            / (1 + $harm_z * $harm_z / entered) as conversion_upper
    from overlap
    where entered > 0
)

select
    group_id,
    least(1.0, greatest(0.0, coalesce(exposure_raw, 0.0))) as exposure,
    entered as window_entered,
    conversion as window_conversion,
    conversion_upper as window_conversion_upper,
    conversion_baseline,
    case
        when entered < $min_entered then 0.0
        else greatest(
            least(1.0, greatest(0.0, (conversion_baseline - conversion_upper) / nullif(conversion_baseline, 0))
                / $harm_full_drop),
            coalesce(least(1.0, greatest(0.0, (time_to_value_s - ttv_baseline) / nullif(ttv_baseline, 0))
                / $ttv_full_rise), 0.0)
        )
    end as harm
from wilson
