-- held_alert_moments: every alert's moment (29_alert_moments.sql: id, times, instance) with the key and the
-- bucket that place it in its group (04_alert_pieces.sql's definitions), held by the app's open ranking
-- (notebooks/queue/live_queue.py). A page of groups not shown yet then finds its alerts by one hash join
-- on (key, bucket) over these narrow rows (33_held_group_members.sql), not by folding every stored alert
-- again; and the ranking pays for one pass over the alerts, not for a join of every alert to its group
-- (at a million alerts, about a second instead of five). Inputs: alert_moments, group_settings.
create or replace temp table held_alert_moments as
select
    jl_key_fingerprint(a.fingerprint) as key_fingerprint,
    case when jl_key_fingerprint(a.fingerprint) is null then a.name end as key_name,
    case when jl_key_fingerprint(a.fingerprint) is null then a.service end as key_service,
    jl_time_bucket(a.fired_at, s.bucket_seconds) as bucket,
    a.alert_id,
    a.fired_at,
    a.ended_at,
    a.instance
from alert_moments as a
cross join group_settings as s
