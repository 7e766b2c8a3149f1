-- group_alert_members: every alert of the groups asked for, from every stored alert: its group, id, when it
-- fired and ended, and the machine it fired on. What 20_group_alert_details.sql orders and aggregates; the
-- app's open ranking reads the same rows from the moments it holds (32_held_alert_moments.sql,
-- 33_held_group_members.sql). Inputs: chosen_group_buckets (30: the chosen groups' keys and buckets, a
-- relation groups.details_sql names), group_settings (notebooks/queue/groups.py) and alert_moments (29: the
-- alerts' ids, key columns, times and instances).
-- Two joins on the alerts' own columns (not on a computed key), so that no full scan evaluates the key
-- expressions: fingerprint-keyed groups by fingerprint, the others by name and service.
select b.group_id, a.alert_id, a.fired_at, a.ended_at, a.instance
from alert_moments as a
join chosen_group_buckets as b on a.fingerprint = b.key_fingerprint
cross join group_settings as s
where jl_time_bucket(a.fired_at, s.bucket_seconds) = b.bucket
union all
select b.group_id, a.alert_id, a.fired_at, a.ended_at, a.instance
from alert_moments as a
join chosen_group_buckets as b
    on a.name is not distinct from b.key_name and a.service is not distinct from b.key_service
cross join group_settings as s
-- b.key_fingerprint is NULL here: naming it keeps the blank test above the join, off the full scan
where coalesce(jl_key_fingerprint(a.fingerprint), b.key_fingerprint) is null
    and jl_time_bucket(a.fired_at, s.bucket_seconds) = b.bucket
