-- feed_gaps: holes in a feed's own time axis: runs of at least $gap_periods expected periods (its cadence)
-- without a row, between two periods that have rows. Parts of a feed that miss the same periods (every
-- stage of the metrics for the same hours) are one gap, naming the parts.
-- Parameters: $gap_periods. Inputs: feed_rows, feed_cadence.
with buckets as (
    select distinct f.feed, f.part, c.period_s, time_bucket(to_seconds(c.period_s), f.seen_at) as bucket
    from feed_rows as f
    join feed_cadence as c using (feed, part)
    where c.period_s is not null
),

steps as (
    select
        *,
        lag(bucket) over (partition by feed, part order by bucket) as previous
    from buckets
),

holes as (
    select
        feed,
        part,
        period_s,
        previous + to_seconds(period_s) as missing_from,
        bucket as missing_until,
        cast((epoch(bucket) - epoch(previous)) / period_s as bigint) - 1 as missing_periods
    from steps
    where previous is not null
)

select
    feed,
    period_s,
    missing_from,
    missing_until,
    missing_periods,
    string_agg(nullif(part, ''), ', ' order by part) as parts
from holes
where missing_periods >= $gap_periods
group by feed, period_s, missing_from, missing_until, missing_periods
order by feed, missing_from
