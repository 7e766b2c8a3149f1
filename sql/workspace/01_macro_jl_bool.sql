-- jl_bool(text) -> BOOLEAN from true/false, 1/0, yes/no, t/f, y/n (any case); NULL otherwise.
create or replace macro jl_bool(v) as (
    case lower(trim(v))
        when 'true' then true when '1' then true when 'yes' then true when 't' then true when 'y' then true
        when '1.0' then true
        when 'false' then false when '0' then false when 'no' then false when 'f' then false
        when 'n' then false when '0.0' then false
    end
)
