-- mapped_alerts: every alert, with the journey stage and touchpoint of the first touchpoint rule it
-- matches (SPEC §2.2); stage, touchpoint, rule_position and journey are NULL for an unmapped alert.
-- Coverage (03_mapping_coverage.sql) and the retro read it. The rules ran once per distinct input in
-- rule_matches (01_rule_matches.sql): each alert joins the match of its input.
--
-- notebooks/queue/mapping.py fills `true /* mapping join */` with the columns the rules look at (as
-- written, the file runs and maps nothing). Inputs: alerts, rule_matches, mapping_rules.
create or replace temp table mapped_alerts as
select
    alerts.*,
    rules.stage,
    rules.touchpoint,
    matches.rule_position,
    rules.journey
from alerts
left join rule_matches as matches on true /* mapping join */
left join mapping_rules as rules on rules.position = matches.rule_position
