-- Exposure and observed journey harm of each mapped alert group, from the hours its window
-- (11_group_windows.sql) overlaps. Harm is evidence, read against each metric's own noise:
--   exposure : mean segment-weighted traffic in the window / the stage's 95th-percentile hour, capped at 1
--   readings : per level (the stage as a whole, 'all', and each segment) and metric (conversion, time to
--              value, satisfaction, a team's own: metric_hourly, 10): the window's mean deviation from the
--              hour-of-day baseline, its standard error sqrt(sum of the hours' squared spreads) / hours
--              (a rate's never under its binomial noise), and z = deviation in the bad direction / error
--   size     : the relative change in the bad direction (a log-scale metric: exp(deviation) - 1; a
--              linear one: deviation / baseline), over the metric's full change ($harm_full_drop for
--              conversion), capped at 1
--   evidence : the share of the size that counts, linear in z from none to all of it. z* is $harm_z raised
--              for the number of readings the stage offers (levels x metrics, Bonferroni: harm_z_table),
--              so many segments and metrics do not let chance look like harm.
--              conversion: from z* - 1 to z* + 1. Its spread is floored by the exact binomial noise of the
--                window's volume, and counts have light tails.
--              any other metric: from z* to z* + 2. Its spread is estimated from the few values each hour of
--                day has (a month gives ~28), so z has heavy tails: a Student t with few degrees of freedom
--                clears a Bonferroni 99% level about one SD later than a normal does. Starting it at z* - 1
--                let about one window in thirty of a pure-noise time to value show harm.
--              A metric as noisy as its rise shows nothing; a longer or deeper drop shows more.
--   tail     : a continuous metric's z is also read against its own tail: the peaks over z* it made ALONE
--              (no other metric of the level and hour past $harm_z) outside the window, with an exponential
--              excess (peaks over threshold). A metric that spikes alone every few days shows a spike as
--              no evidence; one that never did keeps its normal z. Conversion's tails are binomial: exempt.
--   harm     : size x evidence of the strongest reading; under $harm_observed_min it counts as none, and
--              a window with fewer than $min_entered entries shows none. harm_segment, harm_metric say
--              where it was seen, harm_evidence its z, harm_value and harm_baseline the metric's values.
--   window_conversion, conversion_baseline: the conversion of the level harm names (the stage when none)
-- Parameters: $min_entered, $harm_z, $harm_observed_min. Inputs: group_windows (11),
-- stage_hourly (08), metric_hourly (10), harm_metric_settings, harm_z_table (harm_inputs.py). Macro: jl_normal_isf.
with windows as (
    -- exposure and harm depend on the stage and the hours a window covers only, and many groups cover
    -- the same hours: each distinct (stage, first hour, last hour) is measured once
    -- numbered in an order (Spark numbers no unordered window; the distinct rows are unique on it)
    select row_number() over (order by stage, first_hour, last_hour) as window_id, *
    from (
        select distinct stage, window_start as first_hour,
                        date_trunc('hour', window_end - interval 1 microsecond) as last_hour
        from group_windows
        where stage is not null and window_end > window_start
    )
),

window_hours as (
    -- each window as its hours, so that the join to the hourly tables is an equality (hash) join
    select window_id, stage, unnest(generate_series(first_hour, last_hour, interval 1 hour)) as hour
    from windows
),

stage_z as (
    select r.stage, coalesce(z.z, $harm_z) as z
    from (select stage, count(distinct {'segment': segment, 'metric': metric}) as tests from metric_hourly
          group by stage) as r
    left join harm_z_table as z on z.tests = least(r.tests, (select max(tests) from harm_z_table))
),

exposures as (
    select w.window_id, sum(h.traffic) / count(*) / max(h.traffic_peak) as exposure_raw
    from window_hours as w
    join stage_hourly as h on h.stage = w.stage and h.hour = w.hour
    group by w.window_id
),

metric_windows as (
    select
        w.window_id,
        m.segment,
        m.metric,
        any_value(m.logged) as logged,
        sum(m.entered) as entered,
        avg(m.x - m.baseline_x) as deviation,
        sqrt(sum(m.spread * m.spread)) / count(*) as standard_error,
        -- conversion pooled over the window's entries; other metrics: the mean of the hours
        case when any_value(m.metric) = 'conversion'
            then sum(m.value * m.entered) / nullif(sum(m.entered), 0) else avg(m.value) end as metric_value,
        case when any_value(m.metric) = 'conversion'
            then coalesce(sum(m.baseline_x * m.entered) / nullif(sum(m.entered), 0), avg(m.baseline_x))
            else avg(case when m.logged then exp(m.baseline_x) else m.baseline_x end) end as metric_baseline,
        avg(m.baseline_x) as baseline_x,
        avg(m.spread) as hour_spread,
        count(*) as hours
    from window_hours as w
    join metric_hourly as m on m.stage = w.stage and m.hour = w.hour
    group by w.window_id, m.segment, m.metric
),

hour_bars as (
    -- every hour's deviation in the bad direction in units of its spread, beside the stage's bar, and
    -- whether it moved alone: no other metric of the same level and hour past $harm_z, one reading's bound
    select *, count(*) filter (where z > $harm_z) over (partition by stage, segment, hour)
              - case when z > $harm_z then 1 else 0 end = 0 as alone
    from (
        select m.stage, m.segment, m.metric, m.hour, z.z as bar,
            case when s.worse = 'down' then m.baseline_x - m.x else m.x - m.baseline_x end / m.spread as z
        from metric_hourly as m
        join harm_metric_settings as s using (metric)
        join stage_z as z using (stage)
    )
),

solo_peaks as (
    -- per continuous metric and level: its hours, and the peaks over the bar it made alone (count and summed
    -- excess): the metric's own spikes. Hours where another metric moved too are the stage's incidents.
    select stage, segment, metric, count(*) as level_hours,
        count(*) filter (where alone and z > bar) as peaks,
        coalesce(sum(z - bar) filter (where alone and z > bar), 0.0) as excess
    from hour_bars
    where metric <> 'conversion'
    group by stage, segment, metric
),

signed as (
    select
        m.*,
        wi.stage,
        s.full_change,
        z.z as z_needed,
        -- positive when the metric moved the way that hurts
        case when s.worse = 'down' then -m.deviation else m.deviation end as bad_deviation
    from metric_windows as m
    join harm_metric_settings as s using (metric)
    join windows as wi using (window_id)
    join stage_z as z on z.stage = wi.stage
),

readings as (
    select
        *,
        bad_deviation / nullif(standard_error, 0) as evidence,
        least(1.0, greatest(0.0,
            case
                when logged then exp(least(50, bad_deviation)) - 1
                else bad_deviation / nullif(abs(baseline_x), 0)
            end / full_change)) as size
    from signed
),

own_peaks as (
    -- the peaks inside a reading's own window, which its tail must not count (only readings that clear
    -- their bar are looked at: the rest show no harm whatever their tail)
    select r.window_id, r.segment, r.metric, count(*) as peaks, sum(b.z - b.bar) as excess
    from readings as r
    join window_hours as w using (window_id)
    join hour_bars as b on b.stage = r.stage and b.hour = w.hour and b.segment = r.segment and b.metric = r.metric
    where r.metric <> 'conversion' and r.evidence > r.z_needed and b.alone and b.z > b.bar
    group by all
),

tailed as (
    -- a continuous metric's evidence is also read against its own tail (peaks over threshold, exponential
    -- excess): P(an hour > z) ~ peaks / hours x exp(-(z - bar) / mean excess), from the peaks it made alone
    -- outside the window. A mean of k hours at z needs k x z of deviation; heavy-tailed noise gets there by
    -- one big hour (the single-big-jump rule), hence p ~ k x P(an hour > k x z). A metric that spikes alone
    -- every few days makes a spike no evidence; a clean one keeps its normal z. A tail is read from three
    -- or more peaks: a normal metric makes about 0.3 peaks over z* in a month of hours, so three are
    -- unlikely by chance (p < 0.004) while two are not (p ~ 0.04), and an exponential fitted to two points
    -- would judge a rare real rise by one other.
    select *,
        case when metric <> 'conversion' and other_peaks >= 3 and hour_spread > 0
            then least(evidence, jl_normal_isf(
                hours * other_peaks / level_hours
                * exp(-greatest(0.0, hours * bad_deviation / hour_spread - z_needed) / (other_excess / other_peaks))))
            else evidence
        end as tail_evidence
    from (
        select r.*, sp.level_hours, sp.peaks - coalesce(o.peaks, 0) as other_peaks,
            sp.excess - coalesce(o.excess, 0.0) as other_excess
        from readings as r
        left join solo_peaks as sp on sp.stage = r.stage and sp.segment = r.segment and sp.metric = r.metric
        left join own_peaks as o on o.window_id = r.window_id and o.segment = r.segment and o.metric = r.metric
    )
),

harmed as (
    -- evidence from here on is tail_evidence (worst reads it): listed beside the z it came from, not put in
    -- its place, since Spark SQL has no * REPLACE
    select
        *,
        -- to 1e-9: levels that lost alike (every segment down by the same share) differ in the last bits
        -- only, by the order a parallel sum took, and the worst of them must not change from run to run
        -- or engine to engine
        round(case
            when entered < $min_entered then 0.0
            else size * least(1.0, greatest(0.0,
                (coalesce(tail_evidence, 0.0) - z_needed + case when metric = 'conversion' then 1 else 0 end) / 2))
        end, 9) as measured_harm
    from tailed
),

worst as (
    -- per window: the reading with the most harm (under $harm_observed_min: none); on a tie the
    -- conversion, then the stage as a whole, then by name; and the conversion of that level
    select
        window_id,
        arg_max({'harm': case when measured_harm >= $harm_observed_min then measured_harm else 0.0 end,
                 'segment': segment, 'metric': metric, 'value': metric_value, 'baseline': metric_baseline,
                 'evidence': tail_evidence, 'entered': entered},
                {'harm': case when measured_harm >= $harm_observed_min then measured_harm else 0.0 end,
                 'rate': metric = 'conversion', 'whole': segment = 'all', 'segment': segment,
                 'metric': metric}) as level
    from harmed
    group by window_id
),

level_conversion as (
    select window_id, segment, metric_value as conversion, metric_baseline as conversion_baseline
    from metric_windows
    where metric = 'conversion'
)

select
    g.group_id,
    least(1.0, greatest(0.0, coalesce(e.exposure_raw, 0.0))) as exposure,
    x.level.entered as window_entered,
    c.conversion as window_conversion,
    c.conversion_baseline,
    x.level.harm as harm,
    x.level.segment as harm_segment,
    case when x.level.harm > 0 then x.level.metric end as harm_metric,
    x.level.value as harm_value,
    x.level.baseline as harm_baseline,
    x.level.evidence as harm_evidence
from group_windows as g
join windows as w
    on w.stage = g.stage and w.first_hour = g.window_start
    and w.last_hour = date_trunc('hour', g.window_end - interval 1 microsecond)
join worst as x using (window_id)
left join exposures as e using (window_id)
left join level_conversion as c on c.window_id = w.window_id and c.segment = x.level.segment
