-- held_group_members: every alert of the groups asked for, read from the moments the app's open ranking
-- holds (32_held_alert_moments.sql): the same rows as 31_group_alert_members.sql gives from every stored
-- alert, by one hash join on (key, bucket). Inputs: chosen_group_buckets (30), held_alert_moments.
select b.group_id, a.alert_id, a.fired_at, a.ended_at, a.instance
from held_alert_moments as a
join chosen_group_buckets as b
    on a.key_fingerprint is not distinct from b.key_fingerprint
    and a.key_name is not distinct from b.key_name
    and a.key_service is not distinct from b.key_service
    and a.bucket = b.bucket
