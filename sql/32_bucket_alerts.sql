-- bucket_alerts: per (key, bucket) of 31_alert_buckets.sql, its alert ids in firing order and its flap
-- cycles. Step 2 of 3 of alert grouping. These need the alerts of a key in order, so this is the one
-- pass that sorts every alert, and it carries only the key, the times and the id.
--
-- A fire -> end -> fire cycle (flapping) is an alert that does not start a group (it fires no more
-- than $gap_minutes after every earlier alert of its key ended), fires after all of them ended, and
-- fires no more than $flap_window_minutes after the previous alert of its key fired.
create or replace temp table bucket_alerts as
with keyed as (
    select
        alert_id,
        fired_at,
        coalesce(resolved_at, fired_at) as ended_at,
        case when nullif(trim(fingerprint), '') is not null then fingerprint end as key_fingerprint,
        case when nullif(trim(fingerprint), '') is null then name end as key_name,
        case when nullif(trim(fingerprint), '') is null then service end as key_service,
        floor(epoch(fired_at) / $bucket_seconds) as bucket
    from alerts
),

steps as (
    select
        *,
        lag(fired_at) over by_key as previous_fired_at,
        max(ended_at) over (by_key rows between unbounded preceding and 1 preceding) as previous_ended_at
    from keyed
    window by_key as (partition by key_fingerprint, key_name, key_service order by fired_at, alert_id)
)

select
    key_fingerprint,
    key_name,
    key_service,
    bucket,
    -- a bucket holds few alerts: sorting its list is cheaper than an ordered aggregate
    array_to_string(list_transform(list_sort(list({'t': fired_at, 'i': alert_id})), lambda x: x.i), ';')
        as alert_ids,
    count(*) filter (
        where fired_at >= previous_ended_at
        and epoch(fired_at) - epoch(previous_ended_at) <= $gap_minutes * 60
        and epoch(fired_at) - epoch(previous_fired_at) <= $flap_window_minutes * 60
    ) as flap_count
from steps
group by key_fingerprint, key_name, key_service, bucket
