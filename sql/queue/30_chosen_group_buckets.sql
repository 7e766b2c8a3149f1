-- chosen_group_buckets: the (key, bucket)s of the groups asked for (`chosen_groups`, a relation of group_id
-- the caller names, e.g. a CTE), each with its group: an alert belongs to the group of its (key, bucket), the
-- key and bucket as 04_alert_pieces.sql defines them. What 31_group_alert_members.sql (from every alert) and
-- 33_held_group_members.sql (from the moments the app's open ranking holds) join the alerts to; groups
-- without alerts (journey signals: no session) have none. Inputs: chosen_groups, alert_groups and
-- group_buckets (06, 05).
with chosen as (
    select g.group_id, g.key_fingerprint, g.key_name, g.key_service, g.session
    from alert_groups as g
    where g.session is not null and g.group_id in (select group_id from chosen_groups)
)

select c.group_id, b.key_fingerprint, b.key_name, b.key_service, b.bucket
from group_buckets as b
join chosen as c
    on b.key_fingerprint is not distinct from c.key_fingerprint
    and b.key_name is not distinct from c.key_name
    and b.key_service is not distinct from c.key_service
    and b.session = c.session
