-- feed_volume: days whose row count is far from the feed's own history. Each whole day (the feed's first
-- and last days are partial and only serve as nothing) is compared with the median of its previous
-- $history_days days and with the median of the same weekday in them (weekly rhythm), on a robust z:
-- (rows - median) / spread, spread = max(1.4826 * MAD, sqrt(median), 1), so a thin feed needs a larger
-- jump (the Poisson floor). A day is a volume change when it is at least $z_min spreads and $min_ratio
-- times away from both baselines, by at least $min_change rows (on a thin feed a handful of alerts more is an
-- incident's burst, not a broken feed), with at least $min_history days behind it. Days without rows are gaps
-- or staleness, not volume changes. Only feeds with rows most days (a learned cadence of a day or less) are
-- watched: a day's count of a feed that is silent most days (a few incidents a month) says nothing.
-- Parameters: $history_days, $min_history, $z_min, $min_ratio, $min_change. Inputs: feed_rows, feed_cadence.
with daily_feeds as (
    select distinct feed from feed_cadence where period_s <= 86400
),

daily as (
    select feed, date_trunc('day', seen_at) as day, count(*) as rows
    from feed_rows
    semi join daily_feeds using (feed)
    group by feed, day
),

bounds as (
    select feed, min(day) as first_day, max(day) as last_day from daily group by feed
),

calendar as (
    select b.feed, g.day, coalesce(d.rows, 0) as rows
    from bounds as b
    cross join unnest(generate_series(b.first_day, b.last_day, interval 1 day)) as g(day)
    left join daily as d on d.feed = b.feed and d.day = g.day
),

whole_days as (
    select c.*
    from calendar as c
    join bounds as b using (feed)
    where c.day > b.first_day and c.day < b.last_day
),

against_history as (
    select
        w.feed,
        w.day,
        w.rows,
        count(h.rows) as history,
        median(h.rows) as baseline,
        median(abs(h.rows - m.baseline)) as mad,
        median(h.rows) filter (where dayofweek(h.day) = dayofweek(w.day)) as weekday_baseline
    from whole_days as w
    join whole_days as h
        on h.feed = w.feed and h.day < w.day and h.day >= w.day - to_days(cast($history_days as integer))
    join (
        select w2.feed, w2.day, median(h2.rows) as baseline
        from whole_days as w2
        join whole_days as h2
            on h2.feed = w2.feed and h2.day < w2.day and h2.day >= w2.day - to_days(cast($history_days as integer))
        group by w2.feed, w2.day
    ) as m on m.feed = w.feed and m.day = w.day
    group by w.feed, w.day, w.rows
),

scored as (
    select
        *,
        greatest(1.4826 * mad, sqrt(baseline), 1) as spread,
        (rows - baseline) / greatest(1.4826 * mad, sqrt(baseline), 1) as z,
        (rows - coalesce(weekday_baseline, baseline)) / greatest(1.4826 * mad, sqrt(baseline), 1) as weekday_z,
        greatest(rows, 1) / greatest(baseline, 1) as ratio,
        greatest(rows, 1) / greatest(coalesce(weekday_baseline, baseline), 1) as weekday_ratio
    from against_history
    where history >= $min_history and rows > 0
)

select feed, day, rows, baseline, weekday_baseline, z, ratio
from scored
where abs(z) >= $z_min and abs(weekday_z) >= $z_min and sign(z) = sign(weekday_z)
    and greatest(ratio, 1 / ratio) >= $min_ratio
    and abs(rows - baseline) >= $min_change
    and abs(rows - coalesce(weekday_baseline, baseline)) >= $min_change
    and greatest(weekday_ratio, 1 / weekday_ratio) >= $min_ratio
    and sign(ln(ratio)) = sign(ln(weekday_ratio))
order by feed, day
