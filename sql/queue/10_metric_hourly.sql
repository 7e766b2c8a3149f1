-- metric_hourly: every journey metric that can show harm, per stage, level and hour, beside its own
-- history, so that a change is read against the metric's own noise (12_group_journey_impact.sql).
--   metrics : conversion (completed / entered), time to value, satisfaction, and any metric a team names
--             in the profile's harm_metrics
--             (read from the export's own columns, which ingest keeps in `extra`); harm_metric_settings
--             holds one row per metric: worse ('up' or 'down'), full (the relative change that counts
--             fully) and the JSON paths of its value and of its optional per-session spread (`<metric>_sd`)
--   levels  : the stage as a whole ('all') and each segment; an hour's value is the entry-weighted mean
--             of its buckets (a plain mean when nothing entered)
--   scale   : logarithmic when every value of the stage's metric is positive (a time doubling is the same
--             evidence at 2 s and at 2 min, and a skewed metric's tail is tamed), linear otherwise
--   baseline: the median of that hour of day over the whole history
--   spread  : 1.4826 x the median absolute deviation from it at that hour of day (robust: incident hours
--             do not widen it), never under half the level's spread over all hours (28 days give few
--             values per hour of day), nor under the hour's own standard error: binomial for conversion
--             (volume-aware: a thin hour is noisier than a busy one), sd / sqrt(entered) when the export
--             gives a per-session spread
-- Parameters: none. Inputs: journey_metrics, harm_metric_settings (scoring.harm_metric_rows).
with readings as (
    select
        m.stage,
        m.segment,
        date_trunc('hour', m.ts) as hour,
        s.metric,
        m.entered,
        case s.metric
            when 'conversion' then m.completed::double / nullif(m.entered, 0)
            when 'time_to_value_s' then m.time_to_value_s
            when 'satisfaction' then m.satisfaction
            else try_cast(json_extract_string(m.extra, s.value_path) as double)
        end as value,
        try_cast(json_extract_string(m.extra, s.sd_path) as double) as sd
    from journey_metrics as m
    cross join harm_metric_settings as s
),

present as (
    select * from readings where value is not null and isfinite(value)
),

levels as (
    select
        stage, segment, hour, metric,
        sum(entered) as entered,
        coalesce(sum(value * entered) / nullif(sum(entered), 0), avg(value)) as value,  -- conversion: pooled
        sqrt(sum(sd * sd * entered) filter (where sd >= 0) / nullif(sum(entered) filter (where sd >= 0), 0)) as sd
    from present
    where segment <> 'all'
    group by stage, segment, hour, metric
    union all
    select
        stage, 'all', hour, metric,
        sum(entered),
        coalesce(sum(value * entered) / nullif(sum(entered), 0), avg(value)),
        sqrt(sum(sd * sd * entered) filter (where sd >= 0) / nullif(sum(entered) filter (where sd >= 0), 0))
    from present
    group by stage, hour, metric
),

scales as (
    -- a rate stays linear: its noise is binomial, and an hour may convert no one
    select stage, metric, metric <> 'conversion' and min(value) > 0 as logged from levels group by stage, metric
),

transformed as (
    select
        l.*,
        sc.logged,
        case when sc.logged then ln(l.value) else l.value end as x,
        -- the hour's standard error from the per-session spread, in the same scale (delta method for logs)
        case when l.sd is not null and l.entered > 0 and l.value <> 0
            then l.sd / sqrt(l.entered) / case when sc.logged then l.value else 1.0 end end as sd_error
    from levels as l
    join scales as sc using (stage, metric)
),

hour_baselines as (
    select stage, segment, metric, hour(hour) as hour_of_day, median(x) as baseline_x
    from transformed
    group by stage, segment, metric, hour(hour)
),

deviations as (
    select t.*, b.baseline_x, abs(t.x - b.baseline_x) as abs_deviation
    from transformed as t
    join hour_baselines as b
        on b.stage = t.stage and b.segment = t.segment and b.metric = t.metric and b.hour_of_day = hour(t.hour)
),

hour_spreads as (
    select stage, segment, metric, hour(hour) as hour_of_day, 1.4826 * median(abs_deviation) as hour_spread
    from deviations
    group by stage, segment, metric, hour(hour)
),

level_spreads as (
    select stage, segment, metric, 1.4826 * median(abs_deviation) as level_spread
    from deviations
    group by stage, segment, metric
)

select
    d.stage,
    d.segment,
    d.hour,
    d.metric,
    d.entered,
    d.logged,
    d.value,
    d.x,
    d.baseline_x,
    greatest(
        h.hour_spread,
        0.5 * l.level_spread,
        coalesce(d.sd_error, 0.0),
        -- a rate's hour is never surer than its binomial noise at the baseline (a thin hour is noisier)
        case when d.metric = 'conversion' and d.entered > 0
            then sqrt(greatest(d.baseline_x, 0.0) * greatest(1 - d.baseline_x, 0.0) / d.entered) else 0.0 end,
        -- a metric that never moved still has a resolution: 0.1% of its level
        case when d.logged then 0.001 else 0.001 * abs(d.baseline_x) + 1e-9 end
    ) as spread
from deviations as d
join hour_spreads as h
    on h.stage = d.stage and h.segment = d.segment and h.metric = d.metric and h.hour_of_day = hour(d.hour)
join level_spreads as l on l.stage = d.stage and l.segment = d.segment and l.metric = d.metric
