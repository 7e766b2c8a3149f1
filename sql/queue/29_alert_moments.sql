-- alert_moments: of every alert, what its group's details (31, 20_group_alert_details.sql) read: its id,
-- the columns of its key, when it fired and ended (resolved_at; an alert with no resolution ended when
-- it fired), and the machine it fired on (labels instance, host, hostname or pod: what tells two
-- replicas' rows apart). A view (notebooks/queue/groups.py); the app's open ranking
-- (notebooks/queue/live_queue.py) holds these rows with each one's key and bucket (32_held_alert_moments.sql),
-- so that a page of groups it has not shown yet reads their rows, not every stored alert folded again.
select
    alert_id,
    fingerprint,
    name,
    service,
    fired_at,
    coalesce(resolved_at, fired_at) as ended_at,
    coalesce(json_extract_string(labels, '$.instance'), json_extract_string(labels, '$.host'),
             json_extract_string(labels, '$.hostname'), json_extract_string(labels, '$.pod')) as instance
from alerts
