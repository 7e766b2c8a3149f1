-- jl_labels(text) -> a JSON object as text. Accepts a JSON object, `k=v;k=v` pairs (or `k=v,k=v`), or
-- Datadog-style tags `k:v,k:v`. A pair without a separator gets an empty value; a repeated key keeps
-- its first value. NULL when the text is a JSON value that is not an object.
create or replace macro jl_labels(v) as (
    case
        when v is null or trim(v) = '' then null
        when starts_with(ltrim(v), '[') then null
        when starts_with(ltrim(v), '{') then
            case when json_valid(v) and json_type(v::json) = 'OBJECT' then json(v)::varchar end
        else to_json(map_from_entries(jl_label_entries(list_transform(
            list_filter(
                string_split(v, case when contains(v, ';') then ';' else ',' end),
                lambda p: trim(p) <> ''
            ),
            lambda p: {
                'k': trim(split_part(p, case when contains(v, '=') then '=' else ':' end, 1)),
                'v': trim(substr(p, length(split_part(p, case when contains(v, '=') then '=' else ':' end, 1)) + 2))
            }
        ))))::varchar
    end
)
