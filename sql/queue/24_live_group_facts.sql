-- live_group_facts: what a weight change never moves, per ranked row (alert group, journey signal, AI
-- signal, burn-rate page), for the app's open ranking (notebooks/queue/live_queue.py). A re-rank after a
-- weight, threshold, suppression or playbook change (ranking.rerank) changes only the score, its weighted
-- parts, the suppression and the playbook (25_live_group_order.sql), so these columns are worked out once
-- per full ranking or re-scoring, not once per slider value: at a million alerts, half a million rows.
--
--   entry_key : the entry the row belongs to (22_queue_entries.sql): its incident_key, else its own id
--   is_signal : not an alert group (an entry is shown by its first alert group)
-- The other columns are the ranked rows' (ranking.queue_select) under the same names. Inputs:
-- scored_groups (17), alert_groups (06 and the signals appended to it), group_changes (07),
-- group_incidents (16).
create or replace temp table live_group_facts as
select
    s.group_id,
    coalesce(gi.incident_key, s.group_id) as entry_key,
    s.kind <> 'alert_group' as is_signal,
    gi.incident_key,
    s.kind,
    s.lane,
    g.stage,
    g.service,
    g.name,
    g.severity,
    s.first_fired_at,
    g.last_fired_at,
    g.alert_count,
    g.source,
    gi.incident_reason,
    s.harm,
    s.harm_segment,
    s.impact,
    s.sensitivity,
    s.stage_factor,
    s.severity_component,
    s.exposure,
    s.confidence_component,
    s.duration_component,
    s.recurrence_component,
    s.harm_observed,
    gc.change_at,
    gc.change_service,
    gc.change_description,
    g.duration_min
from scored_groups as s
join alert_groups as g using (group_id)
left join group_changes as gc using (group_id)
left join group_incidents as gi using (group_id)
