-- group_alert_details: for the groups asked for, their alert ids in firing order and their flap
-- cycles. Both need every alert of a group in order, the one sort of wide alert rows in grouping, so
-- they are worked out only for the groups a caller shows (the queue's top rows, or all of them for a
-- full export) rather than for every group.
--
-- A query over `chosen_groups` (a relation of group_id the caller names, e.g. a CTE), alert_groups
-- and group_buckets (32, 33), group_settings (notebooks/alert_groups.py) and alerts. An alert belongs
-- to the group of its (key, bucket): the key and bucket are computed exactly as in 31_alert_pieces.sql.
--
-- A fire -> end -> fire cycle (flapping) is an alert that does not start its group (it fires no more
-- than the gap after every earlier alert of its key ended), fires after all of them ended, and fires
-- no more than the flap window after the previous alert of its key fired. The alerts before a group's
-- first all ended more than a gap earlier, so "earlier alerts of its key" are the group's own.
with chosen as (
    select g.group_id, g.key_fingerprint, g.key_name, g.key_service, g.session
    from alert_groups as g
    where g.session is not null and g.group_id in (select group_id from chosen_groups)
),

chosen_buckets as (
    select c.group_id, b.key_fingerprint, b.key_name, b.key_service, b.bucket
    from group_buckets as b
    join chosen as c
        on b.key_fingerprint is not distinct from c.key_fingerprint
        and b.key_name is not distinct from c.key_name
        and b.key_service is not distinct from c.key_service
        and b.session = c.session
),

keyed as (
    select
        a.alert_id,
        a.fired_at,
        coalesce(a.resolved_at, a.fired_at) as ended_at,
        case when nullif(trim(a.fingerprint), '') is not null then a.fingerprint end as key_fingerprint,
        case when nullif(trim(a.fingerprint), '') is null then a.name end as key_name,
        case when nullif(trim(a.fingerprint), '') is null then a.service end as key_service,
        floor(epoch(a.fired_at) / s.bucket_seconds) as bucket
    from alerts as a
    cross join group_settings as s
),

steps as (
    select
        b.group_id,
        k.alert_id,
        k.fired_at,
        lag(k.fired_at) over by_group as previous_fired_at,
        max(k.ended_at) over (by_group rows between unbounded preceding and 1 preceding) as previous_ended_at
    from keyed as k
    join chosen_buckets as b
        on k.key_fingerprint is not distinct from b.key_fingerprint
        and k.key_name is not distinct from b.key_name
        and k.key_service is not distinct from b.key_service
        and k.bucket = b.bucket
    window by_group as (partition by b.group_id order by k.fired_at, k.alert_id)
)

select
    st.group_id,
    string_agg(st.alert_id, ';' order by st.fired_at, st.alert_id) as alert_ids,
    count(*) filter (
        where st.fired_at >= st.previous_ended_at
        and epoch(st.fired_at) - epoch(st.previous_ended_at) <= s.gap_minutes * 60
        and epoch(st.fired_at) - epoch(st.previous_fired_at) <= s.flap_window_minutes * 60
    ) as flap_count
from steps as st
cross join group_settings as s
group by st.group_id
