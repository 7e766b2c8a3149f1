-- The customer-impact score of every alert group, from its components (13_group_components.sql).
--
--   stage_factor  = impact/10 * (0.5 + 0.5 * sensitivity)                 the stage at stake, 0.05..1
--   signal        = (w_sev*severity + w_exp*exposure + w_conf*confidence + w_dur*duration
--                    + w_rec*recurrence) / (sum of those weights)                          0..1
--   corroboration = 1 - $corroboration + $corroboration * harm^$harm_exponent     observed harm, 0..1
--   score         = 100 * stage_factor * signal * corroboration                           0..100
--
-- Parameters: $w_severity, $w_exposure, $w_confidence, $w_duration, $w_recurrence, $corroboration,
-- $harm_exponent.
-- Every weight is a profile value. Input: group_components.
with scored as (
    select
        *,
        impact / 10.0 * (0.5 + 0.5 * sensitivity) as stage_factor,
        (
            $w_severity * severity_component + $w_exposure * exposure + $w_confidence * confidence_component
            + $w_duration * duration_component + $w_recurrence * recurrence_component
        ) / ($w_severity + $w_exposure + $w_confidence + $w_duration + $w_recurrence) as signal,
        1 - $corroboration + $corroboration * pow(harm, $harm_exponent) as corroboration
    from group_components
)

select *, 100.0 * stage_factor * signal * corroboration as score
from scored
