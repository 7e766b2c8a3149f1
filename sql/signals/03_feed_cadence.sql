-- feed_cadence: the period each feed (and part) is expected to have rows in, learned from the feed itself:
-- the shortest period of a fixed ladder (5 min, 15 min, hour, 6 h, day, week) in which at least $coverage
-- of the periods between its first and last row hold a row, over at least $min_buckets periods. A feed
-- too sparse for any of them (a few incidents a month) has no cadence: nothing can be expected of it, so
-- it is never called gappy or stale.
-- Parameters: $coverage (0-1), $min_buckets. Inputs: feed_rows.
with ladder as (
    select unnest([300, 900, 3600, 21600, 86400, 604800]) as period_s
),

occupied as (
    select
        f.feed,
        f.part,
        l.period_s,
        count(distinct time_bucket(to_seconds(l.period_s), f.seen_at)) as buckets,
        min(time_bucket(to_seconds(l.period_s), f.seen_at)) as first_bucket,
        max(time_bucket(to_seconds(l.period_s), f.seen_at)) as last_bucket
    from feed_rows as f
    cross join ladder as l
    group by f.feed, f.part, l.period_s
),

covered as (
    select
        *,
        buckets / (epoch(last_bucket) - epoch(first_bucket) + period_s) * period_s as coverage
    from occupied
    where buckets >= $min_buckets
),

chosen as (
    select feed, part, min(period_s) as period_s
    from covered
    where coverage >= $coverage
    group by feed, part
),

spans as (
    select feed, part, bool_or(live) as live, count(*) as rows, min(seen_at) as first_at, max(seen_at) as last_at
    from feed_rows
    group by feed, part
)

select s.feed, s.part, s.live, s.rows, s.first_at, s.last_at, c.period_s, v.coverage
from spans as s
left join chosen as c using (feed, part)
left join covered as v on v.feed = s.feed and v.part = s.part and v.period_s = c.period_s
order by s.feed, s.part
