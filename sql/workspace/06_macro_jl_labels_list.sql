-- jl_labels_list(text) -> JSON object text from a JSON array of tags, as Datadog, Opsgenie and many
-- exports give them: `["env:prod", "team=checkout", "canary"]` -> {"env":"prod","team":"checkout",
-- "canary":""}. Key and value split on the first ':' or '='; a tag without one gets an empty value; a
-- repeated key keeps its first value; `[]` is the empty object. Non-string elements are read as their
-- JSON text.
create or replace macro jl_labels_list(v) as (
    to_json(map_from_entries(jl_distinct_keys(list_transform(
        list_filter(list_transform(json_extract_string(v, '$[*]'), lambda t: trim(t)), lambda t: t <> ''),
        lambda t: {
            'k': trim(regexp_extract(t, '^([^:=]*)', 1)),
            'v': trim(coalesce(nullif(regexp_extract(t, '^[^:=]*[:=](.*)$', 1), ''), ''))
        }
    ))))::varchar
)
