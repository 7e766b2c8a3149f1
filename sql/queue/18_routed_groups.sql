-- routed_groups: every scored group's components (13) with what routes and orders it, computed once per
-- rule set and scoring, so that a weight change re-scores these rows (17) and re-ranks them (19) without
-- joining anything again:
--   suppression_position, playbook_position : the suppression rule and the playbook that apply (first
--                match wins). ranking.routes_sql() replaces the two `null /* … */` placeholders with CASEs
--                over the rules (every pattern a bound $parameter); as written, the file runs on its own:
--                no rule suppresses, no playbook applies.
--   entry_key  : the queue entry the group belongs to (22_queue_entries.sql): its incident_key, else itself
--   entry_stage: the group's stage, which an entry of several groups takes from its first staged member
--   tie_rank   : the group's place by (first_fired_at, group_id), the queue's tie-break as one integer:
--                ordering by (suppressed, score desc, tie_rank) is ordering by (suppressed, score desc,
--                first_fired_at, group_id), with a cheaper key
-- Inputs: group_components (13), alert_groups (aliased g, which the rule conditions refer to),
-- group_incidents (16).
select
    c.*,
    cast(null /* suppression_position */ as integer) as suppression_position,
    cast(null /* playbook_position */ as integer) as playbook_position,
    coalesce(gi.incident_key, c.group_id) as entry_key,
    g.stage as entry_stage,
    row_number() over (order by c.first_fired_at, c.group_id) as tie_rank
from group_components as c
join alert_groups as g using (group_id)
left join group_incidents as gi using (group_id)
