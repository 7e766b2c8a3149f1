-- The customer-impact score of every alert group, with every component kept as a column.
--
--   stage_factor  = impact/10 * (0.5 + 0.5 * sensitivity)                 the stage at stake, 0.05..1
--   signal        = (w_sev*severity + w_exp*exposure + w_conf*confidence + w_dur*duration
--                    + w_rec*recurrence) / (sum of those weights)                          0..1
--   corroboration = 1 - $corroboration + $corroboration * harm                  observed harm, 0..1
--   score         = 100 * stage_factor * signal * corroboration                           0..100
--
-- severity = (6 - severity_rank) / 5 (critical 1 .. info 0.2); duration = ln(1 + minutes) /
-- ln(1 + $duration_full_min), capped at 1; recurrence = ln(alert_count) / ln($recurrence_full), capped;
-- confidence = the tool's anomaly confidence, else $default_confidence. An unmapped group has impact
-- $unmapped_impact and sensitivity $unmapped_sensitivity. A stage without journey metrics in the
-- window gets exposure $default_exposure and harm $default_harm (unknown, not "no harm seen").
-- Every weight is a profile value.
-- Parameters: the $-names above and $w_severity, $w_exposure, $w_confidence, $w_duration, $w_recurrence.
-- Inputs: alert_groups, stages, group_journey_impact (41_group_journey_impact.sql).
with stage_values as (
    select distinct on (stage) stage, impact, sensitivity from stages order by stage, position
),

components as (
    select
        g.*,
        coalesce(s.impact, $unmapped_impact) as impact,
        coalesce(s.sensitivity, $unmapped_sensitivity) as sensitivity,
        (6 - g.severity_rank) / 5.0 as severity_component,
        case when j.group_id is null then $default_exposure else j.exposure end as exposure,
        case when j.group_id is null then $default_harm else j.harm end as harm,
        least(1.0, greatest(0.0, coalesce(g.confidence, $default_confidence))) as confidence_component,
        least(1.0, ln(1 + greatest(coalesce(g.duration_min, 0), 0)) / ln(1 + $duration_full_min))
            as duration_component,
        least(1.0, ln(greatest(g.alert_count, 1)) / ln($recurrence_full)) as recurrence_component,
        j.window_conversion,
        j.conversion_baseline
    from alert_groups as g
    left join stage_values as s on s.stage = g.stage
    left join group_journey_impact as j on j.group_id = g.group_id
),

scored as (
    select
        *,
        impact / 10.0 * (0.5 + 0.5 * sensitivity) as stage_factor,
        (
            $w_severity * severity_component + $w_exposure * exposure + $w_confidence * confidence_component
            + $w_duration * duration_component + $w_recurrence * recurrence_component
        ) / ($w_severity + $w_exposure + $w_confidence + $w_duration + $w_recurrence) as signal,
        1 - $corroboration + $corroboration * harm as corroboration
    from components
)

select *, 100.0 * stage_factor * signal * corroboration as score
from scored
