-- group_buckets: each (key, bucket) of 04_alert_pieces.sql numbered with the group (`session`) of its
-- key it lies in. Step 2 of 3 of alert grouping. A new group starts when an alert fires more than
-- $gap_minutes after every earlier alert of its key has ended (ended = resolved_at; an alert with no
-- resolution ended when it fired); a bucket lies inside one group (see 04), so it is enough to compare
-- a bucket's first fire with the latest end of its key's earlier buckets. Only the narrow span of each
-- bucket is sorted here; 30_chosen_group_buckets.sql reads this table to find a group's alerts.
create or replace temp table group_buckets as
with spans as (
    select
        key_fingerprint,
        key_name,
        key_service,
        bucket,
        min(first_fired_at) as first_fired_at,
        max(last_ended_at) as last_ended_at
    from alert_pieces
    group by key_fingerprint, key_name, key_service, bucket
),

starts as (
    select
        key_fingerprint,
        key_name,
        key_service,
        bucket,
        coalesce(
            epoch(first_fired_at) - epoch(max(last_ended_at) over (
                partition by key_fingerprint, key_name, key_service order by bucket
                rows between unbounded preceding and 1 preceding
            )) > $gap_minutes * 60,
            true
        ) as starts_group
    from spans
)

select
    key_fingerprint,
    key_name,
    key_service,
    bucket,
    sum(starts_group::integer) over (
        partition by key_fingerprint, key_name, key_service order by bucket rows unbounded preceding
    ) as session
from starts
