-- The customer-impact score of every alert group, from its components (13_group_components.sql).
--
--   stage_factor  = impact/10 * (0.5 + 0.5 * sensitivity)                 the stage at stake, 0.05..1
--   signal        = (w_sev*severity + w_exp*exposure + w_conf*confidence + w_dur*duration
--                    + w_rec*recurrence) / (sum of those weights)                          0..1
--   corroboration = 1 - w.corroboration + w.corroboration * harm^w.harm_exponent     observed harm, 0..1
--   score         = 100 * stage_factor * signal * corroboration, to 1e-9                  0..100
--
-- The weights come from score_weights, one row of w_severity, w_exposure, w_confidence, w_duration,
-- w_recurrence, corroboration and harm_exponent (scoring.rescore writes it from the profile), so that
-- scored_groups is a view: a weight change rewrites one row, not every group's columns, and whoever
-- reads the scores (the ranking's order, a page's rows) computes them for what it reads.
-- Every weight is a profile value. Inputs: routed_groups (18: group_components with its routes), score_weights.
with scored as (
    select
        routed_groups.*,
        impact / 10.0 * (0.5 + 0.5 * sensitivity) as stage_factor,
        (
            w.w_severity * severity_component + w.w_exposure * exposure + w.w_confidence * confidence_component
            + w.w_duration * duration_component + w.w_recurrence * recurrence_component
        ) / (w.w_severity + w.w_exposure + w.w_confidence + w.w_duration + w.w_recurrence) as signal,
        1 - w.corroboration + w.corroboration * pow(harm, w.harm_exponent) as corroboration
    from routed_groups
    cross join score_weights as w
)

-- to 1e-9: scores equal but for the last bits (a parallel sum's order) rank by first fired and id, alike
-- on every run and engine
select *, round(100.0 * stage_factor * signal * corroboration, 9) as score
from scored
