-- group_alert_details: for the groups asked for, their alert ids in firing order, the instances
-- (labels instance, host, hostname or pod) they fired on, and their flap cycles. Both need every alert of a group in order, the one sort of wide alert rows in grouping, so
-- they are worked out only for the groups a caller shows (the queue's top rows, or all of them for a
-- full export) rather than for every group.
--
-- A query over `chosen_groups` (a relation of group_id the caller names, e.g. a CTE), alert_groups
-- and group_buckets (06, 05), group_settings (notebooks/queue/groups.py) and alert_moments (29: the
-- alerts' ids, key columns, times and instances). An alert belongs
-- to the group of its (key, bucket), the key and bucket as 04_alert_pieces.sql defines them.
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

members as (
    -- two joins on the alerts' own columns (not on a computed key), so that no full scan evaluates
    -- the key expressions: fingerprint-keyed groups by fingerprint, the others by name and service
    select b.group_id, a.alert_id, a.fired_at, a.ended_at, a.instance
    from alert_moments as a
    join chosen_buckets as b on a.fingerprint = b.key_fingerprint
    cross join group_settings as s
    where floor(epoch(a.fired_at) / s.bucket_seconds) = b.bucket
    union all
    select b.group_id, a.alert_id, a.fired_at, a.ended_at, a.instance
    from alert_moments as a
    join chosen_buckets as b on a.name is not distinct from b.key_name and a.service is not distinct from b.key_service
    cross join group_settings as s
    -- b.key_fingerprint is NULL here: naming it keeps the blank test above the join, off the full scan
    where coalesce(nullif(trim(a.fingerprint), ''), b.key_fingerprint) is null
        and floor(epoch(a.fired_at) / s.bucket_seconds) = b.bucket
),

steps as (
    select
        group_id,
        alert_id,
        fired_at,
        instance,
        lag(fired_at) over by_group as previous_fired_at,
        max(ended_at) over (by_group rows between unbounded preceding and 1 preceding) as previous_ended_at
    from members
    window by_group as (partition by group_id order by fired_at, alert_id)
)

select
    st.group_id,
    string_agg(st.alert_id, ';' order by st.fired_at, st.alert_id) as alert_ids,
    string_agg(distinct st.instance, ';' order by st.instance) as instances,
    count(*) filter (
        where st.fired_at >= st.previous_ended_at
        and epoch(st.fired_at) - epoch(st.previous_ended_at) <= s.gap_minutes * 60
        and epoch(st.fired_at) - epoch(st.previous_fired_at) <= s.flap_window_minutes * 60
    ) as flap_count
from steps as st
cross join group_settings as s
group by st.group_id
