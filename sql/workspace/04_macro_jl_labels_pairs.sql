-- jl_labels_pairs(text) -> JSON object text from `k=v;k=v` (or `k=v,k=v`) pairs or Datadog-style tags
-- `k:v,k:v`: pairs split on ';' when there is one, else ','; key and value on '=' when there is one,
-- else ':'. A pair without a separator gets an empty value; a repeated key keeps its first value.
-- The general (slower) path: jl_labels tries jl_labels_simple first.
create or replace macro jl_labels_pairs(v) as (
    to_json(map_from_entries(jl_distinct_keys(list_transform(
        list_filter(
            string_split(v, case when contains(v, ';') then ';' else ',' end),
            lambda p: trim(p) <> ''
        ),
        lambda p: {
            'k': trim(split_part(p, case when contains(v, '=') then '=' else ':' end, 1)),
            'v': trim(substr(p, length(split_part(p, case when contains(v, '=') then '=' else ':' end, 1)) + 2))
        }
    ))))::varchar
)
