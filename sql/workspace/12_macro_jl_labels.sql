-- jl_labels(text) -> a JSON object as text. Accepts a JSON object, `k=v;k=v` pairs (or `k=v,k=v`), or
-- Datadog-style tags `k:v,k:v` (see jl_labels_pairs for the rules), or a JSON array of tags
-- (jl_labels_list). NULL when the text is any other JSON value. Plain pair lists take the fast jl_labels_simple path.
create or replace macro jl_labels(v) as (
    case
        when v is null or trim(v) = '' then null
        when starts_with(ltrim(v), '[') then
            case when json_valid(v) and json_type(v::json) = 'ARRAY' then jl_labels_list(v) end
        when starts_with(ltrim(v), '{') then
            case when json_valid(v) and json_type(v::json) = 'OBJECT' then json(v)::varchar end
        else coalesce(jl_labels_simple(v), jl_labels_pairs(v))
    end
)
