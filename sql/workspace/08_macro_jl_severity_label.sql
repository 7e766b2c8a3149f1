-- jl_severity_label(rank) -> the label of a rank on the one ordered scale (see jl_severity_rank).
-- A CASE, not a list subscript: lists count from 1 in DuckDB and from 0 in Spark, which runs this too.
create or replace macro jl_severity_label(r) as (
    case r when 1 then 'critical' when 2 then 'high' when 3 then 'medium' when 4 then 'low' when 5 then 'info' end
)
