-- Hourly journey state per stage: segment-weighted traffic, conversion and time to value, with each
-- stage's own baselines. Exposure and observed harm of an alert group are read off this table.
-- Baselines: the journey-signal detector's (journey_deviations, segment 'all': a causal seasonal or
-- trailing median), so that harm and the journey signals measure the same deviation; for the hours
-- before the detector has enough history, the stage's median for that hour of day.
-- Parameters: none. Inputs: journey_metrics, segments (a segment without a weight counts 1),
-- journey_deviations (journey_signals.journey_deviations).
with weighted as (
    select
        date_trunc('hour', m.ts) as hour,
        m.stage,
        m.segment,
        coalesce(s.weight, 1.0) as weight,
        m.entered,
        m.completed,
        m.time_to_value_s
    from journey_metrics as m
    left join (select distinct segment, weight from segments) as s using (segment)
),

hourly as (
    select
        stage,
        hour,
        sum(weight * entered) as traffic,           -- what the hour is worth to the business
        sum(entered) as entered,
        sum(completed) as completed,
        sum(completed) / nullif(sum(entered), 0) as conversion,
        sum(time_to_value_s * entered) / nullif(sum(entered) filter (where time_to_value_s is not null), 0)
            as time_to_value_s
    from weighted
    group by stage, hour
),

baselines as (
    -- robust baselines per stage and hour of day: medians are not moved by the few incident hours
    select
        stage,
        hour(hour) as hour_of_day,
        median(conversion) as conversion_baseline,
        median(time_to_value_s) as ttv_baseline
    from hourly
    group by stage, hour(hour)
),

detector as (
    select
        stage,
        date_trunc('hour', ts) as hour,
        -- buckets finer than an hour: weighted by their entries (a plain mean when none entered)
        coalesce(
            sum(baseline * trials) filter (where metric = 'conversion')
            / nullif(sum(trials) filter (where metric = 'conversion'), 0),
            avg(baseline) filter (where metric = 'conversion')
        ) as conversion_baseline,
        coalesce(
            sum(baseline * trials) filter (where metric = 'time_to_value_s')
            / nullif(sum(trials) filter (where metric = 'time_to_value_s'), 0),
            avg(baseline) filter (where metric = 'time_to_value_s')
        ) as ttv_baseline
    from journey_deviations
    where segment = 'all' and baseline is not null
    group by stage, date_trunc('hour', ts)
),

peaks as (
    select stage, quantile_cont(traffic, 0.95) as traffic_peak
    from hourly
    group by stage
)

select
    h.stage,
    h.hour,
    h.traffic,
    h.entered,
    h.completed,
    h.conversion,
    h.time_to_value_s,
    coalesce(d.conversion_baseline, b.conversion_baseline) as conversion_baseline,
    coalesce(d.ttv_baseline, b.ttv_baseline) as ttv_baseline,
    p.traffic_peak
from hourly as h
join baselines as b on b.stage = h.stage and b.hour_of_day = hour(h.hour)
join peaks as p on p.stage = h.stage
left join detector as d on d.stage = h.stage and d.hour = h.hour
