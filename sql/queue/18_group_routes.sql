-- Which suppression rule and which playbook apply to each group (first match wins), computed once
-- per rule set: weight changes do not move them. ranking.routes_sql() replaces the two
-- `null /* … */` placeholders with CASEs over the rules (every pattern a bound $parameter); as
-- written, the file runs on its own: no rule suppresses, no playbook applies.
-- Input: alert_groups (aliased g, which the rule conditions refer to).
select
    g.group_id,
    cast(null /* suppression_position */ as integer) as suppression_position,
    cast(null /* playbook_position */ as integer) as playbook_position
from alert_groups as g
