-- mapped_alerts: every alert, with the journey stage and touchpoint of the first touchpoint rule it
-- matches (SPEC §2.2). stage, touchpoint, rule_position and journey are NULL for an unmapped alert.
--
-- The rules are data, so journey_mapping.rule_sql() replaces the four `null /* … */` placeholders below
-- before this runs (as written, the file runs on its own and maps nothing):
--   rule_position    : a CASE over the rules in order, one WHEN per rule with every key of the rule
--                      ANDed, so the first rule that matches wins
--   rule_stages, rule_touchpoints, rule_journeys : lists indexed by rule_position
-- Only the shape of a condition (which allowlisted column, glob or regex) is SQL text; every pattern,
-- label key and stage is a bound $parameter, so a rule can never change the query.
create or replace temp table mapped_alerts as
with positioned as (
    select
        alerts.*,
        cast(null /* rule_position */ as integer) as rule_position
    from alerts
)

select
    positioned.* exclude (rule_position),
    cast(null /* rule_stages */ as varchar[])[rule_position] as stage,
    cast(null /* rule_touchpoints */ as varchar[])[rule_position] as touchpoint,
    rule_position,
    cast(null /* rule_journeys */ as varchar[])[rule_position] as journey
from positioned
