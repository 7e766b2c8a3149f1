-- change_shifts: one row per change since its stage's last review (SPEC §2.7, a change to a service whose
-- alerts map to the stage), with what the stage looked like in a window before and a window after it.
-- Each window is $window_hours wide, scaled down (the same on both sides) when the data starts less than
-- that before the change or ends less than that after it; the alert feed's extent bounds alert windows,
-- the stage's own journey metrics bound metric windows.
--   alert_hours, alerts_before/after : the width of each alert window and the stage's alerts fired in it
--   alerts_sq_before/after           : sum over the window's hour bins of (alerts in the bin)^2, for the
--                                      over-dispersion of the counts (hours without alerts add nothing)
--   metric_hours, buckets_*, entered_*, completed_*, conversion_* : the metric windows (all segments)
--   conversion_dispersion_*          : Pearson chi-square / (buckets - 1) of the window's buckets around
--                                      its conversion (1 = binomial noise; more = noisier than binomial)
--   ttv_* / satisfaction_*           : mean, sample sd and count of the buckets' entered-weighted values
-- Parameters: $window_hours. Inputs: stages, changes, alerts, journey_metrics, mapped_alerts
-- (mapping.create_mapped_alerts), stage_reviews (stage, reviewed_at).
with stage_services as (
    select distinct stage, service from mapped_alerts where stage is not null
),

stage_changes as (
    select
        s.stage,
        c.ts,
        c.service,
        c.kind,
        c.description,
        row_number() over (order by s.stage, c.ts, c.service, c.kind, c.description) as change_id
    from (select distinct stage from stages) as st
    inner join stage_services as s using (stage)
    inner join changes as c on c.service = s.service
    left join stage_reviews as r on r.stage = s.stage
    where r.reviewed_at is null or c.ts > r.reviewed_at
),

alert_extent as (
    select min(epoch(fired_at)) as first_s, max(epoch(fired_at)) as last_s from alerts
),

metric_extent as (
    select stage, min(epoch(ts)) as first_s, max(epoch(ts)) as last_s from journey_metrics group by stage
),

windows as (
    select
        c.*,
        epoch(c.ts) as change_s,
        case when a.first_s is null then 0.0 else greatest(0.0, least(
            $window_hours * 3600.0, epoch(c.ts) - a.first_s, a.last_s - epoch(c.ts))) end as alert_s,
        case when m.first_s is null then 0.0 else greatest(0.0, least(
            $window_hours * 3600.0, epoch(c.ts) - m.first_s, m.last_s - epoch(c.ts))) end as metric_s
    from stage_changes as c
    cross join alert_extent as a
    left join metric_extent as m on m.stage = c.stage
),

alert_bins as (
    select
        w.change_id,
        epoch(a.fired_at) >= w.change_s as after,
        floor((epoch(a.fired_at) - w.change_s) / 3600.0) as bin,
        count(*) as alerts
    from windows as w
    inner join mapped_alerts as a
        on a.stage = w.stage
        and epoch(a.fired_at) >= w.change_s - w.alert_s
        and epoch(a.fired_at) < w.change_s + w.alert_s
    group by all
),

alert_windows as (
    select
        change_id,
        sum(alerts) filter (where not after) as alerts_before,
        sum(alerts) filter (where after) as alerts_after,
        sum(alerts * alerts) filter (where not after) as alerts_sq_before,
        sum(alerts * alerts) filter (where after) as alerts_sq_after
    from alert_bins
    group by change_id
),

metric_buckets as (
    select
        w.change_id,
        epoch(m.ts) >= w.change_s as after,
        m.ts,
        sum(m.entered) as entered,
        sum(m.completed) as completed,
        sum(m.time_to_value_s * m.entered) / nullif(sum(m.entered) filter (where m.time_to_value_s is not null), 0)
            as ttv,
        sum(m.satisfaction * m.entered) / nullif(sum(m.entered) filter (where m.satisfaction is not null), 0)
            as satisfaction
    from windows as w
    inner join journey_metrics as m
        on m.stage = w.stage
        and epoch(m.ts) >= w.change_s - w.metric_s
        and epoch(m.ts) < w.change_s + w.metric_s
    group by all
),

metric_sides as (
    select
        change_id,
        after,
        sum(completed) / nullif(sum(entered), 0) as conversion
    from metric_buckets
    group by all
),

metric_windows as (
    select
        b.change_id,
        b.after,
        count(*) filter (where b.entered > 0) as buckets,
        sum(b.entered) as entered,
        sum(b.completed) as completed,
        any_value(s.conversion) as conversion,
        sum(power(b.completed - b.entered * s.conversion, 2) / (b.entered * s.conversion * (1 - s.conversion)))
            filter (where b.entered > 0 and s.conversion > 0 and s.conversion < 1)
            / nullif(count(*) filter (where b.entered > 0) - 1, 0) as conversion_dispersion,
        avg(b.ttv) as ttv_mean,
        stddev_samp(b.ttv) as ttv_sd,
        count(b.ttv) as ttv_n,
        avg(b.satisfaction) as satisfaction_mean,
        stddev_samp(b.satisfaction) as satisfaction_sd,
        count(b.satisfaction) as satisfaction_n
    from metric_buckets as b
    inner join metric_sides as s using (change_id, after)
    group by b.change_id, b.after
)

select
    w.stage,
    w.change_id,
    w.ts,
    w.service,
    w.kind,
    w.description,
    w.alert_s / 3600.0 as alert_hours,
    coalesce(a.alerts_before, 0) as alerts_before,
    coalesce(a.alerts_after, 0) as alerts_after,
    coalesce(a.alerts_sq_before, 0) as alerts_sq_before,
    coalesce(a.alerts_sq_after, 0) as alerts_sq_after,
    w.metric_s / 3600.0 as metric_hours,
    coalesce(mb.buckets, 0) as buckets_before,
    coalesce(ma.buckets, 0) as buckets_after,
    coalesce(mb.entered, 0) as entered_before,
    coalesce(ma.entered, 0) as entered_after,
    coalesce(mb.completed, 0) as completed_before,
    coalesce(ma.completed, 0) as completed_after,
    mb.conversion as conversion_before,
    ma.conversion as conversion_after,
    mb.conversion_dispersion as conversion_dispersion_before,
    ma.conversion_dispersion as conversion_dispersion_after,
    mb.ttv_mean as ttv_before,
    ma.ttv_mean as ttv_after,
    mb.ttv_sd as ttv_sd_before,
    ma.ttv_sd as ttv_sd_after,
    coalesce(mb.ttv_n, 0) as ttv_n_before,
    coalesce(ma.ttv_n, 0) as ttv_n_after,
    mb.satisfaction_mean as satisfaction_before,
    ma.satisfaction_mean as satisfaction_after,
    mb.satisfaction_sd as satisfaction_sd_before,
    ma.satisfaction_sd as satisfaction_sd_after,
    coalesce(mb.satisfaction_n, 0) as satisfaction_n_before,
    coalesce(ma.satisfaction_n, 0) as satisfaction_n_after
from windows as w
left join alert_windows as a using (change_id)
left join metric_windows as mb on mb.change_id = w.change_id and not mb.after
left join metric_windows as ma on ma.change_id = w.change_id and ma.after
order by w.stage, w.ts
