-- The weight-independent components of every group's score, narrow on purpose: a weight change
-- re-scores this table (17_scored_groups) and re-ranks (19_ranked_groups) without touching alerts, groups or metrics again.
--
-- severity   = (6 - severity_rank) / 5: critical 1 .. info 0.2
-- duration   = ln(1 + minutes) / ln(1 + $duration_full_min), capped at 1
-- recurrence = ln(alert_count) / ln($recurrence_full), capped at 1
-- confidence = the tool's anomaly confidence, else $default_confidence
-- An unmapped group has impact $unmapped_impact and sensitivity $unmapped_sensitivity. In a workspace
-- with no journey map at all nothing can be mapped, so every group gets $no_map_impact and
-- $no_map_sensitivity instead: a queue ranked by the alerts' own signal, not one that is all noise.
-- A group whose stage has no journey metrics in its window gets exposure $default_exposure and harm
-- $default_harm (unknown, not "no harm seen"); harm_observed is true for harm measured above 0 (12 already counts
-- harm under its minimum as none).
-- Inputs: alert_groups, stages, group_windows (11) and group_journey_impact (12).
with stage_values as (
    select distinct on (stage) stage, impact, sensitivity from stages order by stage, position
),

has_map as (
    select count(*) > 0 as mapped from stages
)

select
    g.group_id,
    g.kind,
    -- an alert group no touchpoint claims, in a workspace with a journey map: a mapping to write, shown in
    -- its own lane (its critical and high groups are never suppressed by the threshold, 19_ranked_groups)
    case when g.kind = 'alert_group' and g.stage is null and has_map.mapped then 'needs_mapping' else 'queue' end
        as lane,
    g.severity_rank,
    g.first_fired_at,
    w.window_start,
    w.window_end,
    coalesce(s.impact, case when has_map.mapped then $unmapped_impact else $no_map_impact end) as impact,
    coalesce(s.sensitivity, case when has_map.mapped then $unmapped_sensitivity else $no_map_sensitivity end)
        as sensitivity,
    (6 - g.severity_rank) / 5.0 as severity_component,
    case when j.group_id is null then $default_exposure else j.exposure end as exposure,
    case when j.group_id is null then $default_harm else j.harm end as harm,
    coalesce(j.harm > 0, false) as harm_observed,
    j.harm_segment,
    least(1.0, greatest(0.0, coalesce(g.confidence, $default_confidence))) as confidence_component,
    least(1.0, ln(1 + greatest(coalesce(g.duration_min, 0), 0)) / ln(1 + $duration_full_min))
        as duration_component,
    least(1.0, ln(greatest(g.alert_count, 1)) / ln($recurrence_full)) as recurrence_component,
    j.window_conversion,
    j.conversion_baseline,
    j.harm_metric,
    j.harm_evidence,
    j.harm_value,
    j.harm_baseline
from alert_groups as g
cross join has_map
left join stage_values as s on s.stage = g.stage
left join group_journey_impact as j on j.group_id = g.group_id
left join group_windows as w on w.group_id = g.group_id
