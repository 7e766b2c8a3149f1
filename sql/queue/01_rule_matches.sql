-- rule_matches: the touchpoint rule (SPEC §2.2) that each distinct input of the rules matches. The one
-- definition of journey mapping: coverage joins every alert to it (02_mapped_alerts.sql), the queue
-- every piece of alerts (06_alert_groups.sql), so both map alike and the rules run once per distinct
-- input, never once per alert.
--
--   input         : one distinct value of the alert columns the rules look at, read from `alerts` or
--                   from `alert_pieces` (04_alert_pieces.sql keeps those columns on every piece)
--   rule_position : the position of the first rule whose every key matches (first match wins), NULL
--                   when none does; the table mapping_rules gives its stage, touchpoint and journey
--
-- notebooks/queue/mapping.py (create_rule_matches) fills the placeholders; as written, the file runs
-- and maps nothing:
--   /* mapping inputs */ : the alert columns the rules look at (mapping.mapping_columns)
--   alerts /* source */  : alerts, or alert_pieces
--   /* label columns */  : each `labels.<key>` the rules use, extracted once per distinct input
--   rule_position        : a CASE over the rules in order, one WHEN per rule with its keys ANDed
--                          (mapping.rule_case); every pattern and label key is a bound $parameter
create or replace temp table rule_matches as
with mapping_inputs as (
    select distinct /* mapping inputs */ true as mapped_input
    from alerts /* source */
)

select
    *,
    cast(null /* rule_position */ as integer) as rule_position
from (select *, /* label columns */ from mapping_inputs) as inputs
