-- feed_staleness: feeds (and parts) with no row for at least $stale_periods of their expected periods, up to
-- the workspace's latest data time (the newest row of any feed) or, for a live feed, up to the wall clock
-- ($now) when that is later: the whole periods between the end of its last period with a row and that
-- moment. Parts stale since the same time are one line, naming the parts.
-- Parameters: $stale_periods, $now (timestamp, UTC). Inputs: feed_rows, feed_cadence.
with data_end as (
    select max(seen_at) as latest from feed_rows
),

silent as (
    select
        c.feed,
        c.part,
        c.period_s,
        c.last_at,
        case when c.live then greatest(d.latest, cast($now as timestamp)) else d.latest end as measured_to,
        floor((epoch(measured_to) - epoch(time_bucket(to_seconds(c.period_s), c.last_at))) / c.period_s)
            - 1 as missing_periods
    from feed_cadence as c
    cross join data_end as d
    where c.period_s is not null
)

select
    feed,
    period_s,
    last_at,
    measured_to,
    cast(missing_periods as bigint) as missing_periods,
    string_agg(nullif(part, ''), ', ' order by part) as parts
from silent
where missing_periods >= $stale_periods
group by feed, period_s, last_at, measured_to, missing_periods
order by feed
