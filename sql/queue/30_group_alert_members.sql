-- group_alert_members: every alert of the groups asked for (`chosen_groups`, a relation of group_id the caller
-- names, e.g. a CTE): its group, id, when it fired and ended, and the machine it fired on. What
-- 20_group_alert_details.sql orders and aggregates; the app's open ranking keeps it for every group
-- (groups.HELD_MEMBERS), so that a page of groups it has not shown yet reads their rows, not every alert.
-- Inputs: chosen_groups, alert_groups and group_buckets (06, 05), group_settings (notebooks/queue/groups.py)
-- and alert_moments (29: the alerts' ids, key columns, times and instances). An alert belongs to the group
-- of its (key, bucket), the key and bucket as 04_alert_pieces.sql defines them.
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
)

select * from members
