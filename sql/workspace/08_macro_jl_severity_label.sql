-- jl_severity_label(rank) -> the label of a rank on the one ordered scale (see jl_severity_rank).
create or replace macro jl_severity_label(r) as (
    ['critical', 'high', 'medium', 'low', 'info'][r]
)
