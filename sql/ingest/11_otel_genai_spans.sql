-- OpenTelemetry spans -> one AI interaction per GenAI span, as canonical text columns.
-- Input: the view `docs(__row, doc json)`. A record is either an OTLP/JSON export request
-- (`{"resourceSpans": [{"resource", "scopeSpans": [{"scope", "spans": [...]}]}]}`, as the collector's
-- file exporter and OTLP/HTTP JSON write it; attributes in the AnyValue encoding, ids in hex or base64,
-- times in Unix nanoseconds) or one span as the Python SDK's ConsoleSpanExporter prints it (`context`
-- with 0x-hex ids, ISO `start_time`/`end_time`, flat `attributes`). Both become the same span rows.
-- Only GenAI spans (at least one `gen_ai.*` attribute) are interactions; other spans of the trace are
-- not AI interactions and are skipped.
--   interaction_id : gen_ai.response.id, else <trace id>:<span id> (lowercase hex)
--   ts, latency_ms : the span's start, and end - start in milliseconds
--   feature        : the first non-blank of: attribute `feature`; attribute `app.feature`;
--                    gen_ai.operation.name followed by the model (response, else request) when the span
--                    has an operation name ('chat gpt-4o'); the span name; 'unnamed span'. Never empty
--                    (SPEC §2.4)
--   model_version  : gen_ai.response.model, else gen_ai.request.model (the model that answered first)
--   tokens         : gen_ai.usage.input_tokens / output_tokens, else the older usage.prompt_tokens /
--                    completion_tokens, else Semantic Kernel's response.prompt_tokens / completion_tokens
--   cost_usd       : gen_ai.usage.cost (OpenLIT), when present
--   prompt, output : gen_ai.input.messages / gen_ai.output.messages, else the older gen_ai.prompt.N.* /
--                    gen_ai.completion.N.* contents joined in N order, else gen_ai.prompt / gen_ai.completion,
--                    else the span events that carry them (gen_ai.content.prompt / .completion,
--                    gen_ai.user.message, gen_ai.choice, gen_ai.client.inference.operation.details)
-- User signals (accepted, edited, fallback, feedback) are never in spans: they stay empty (SPEC §2.4).
-- __extra keeps the rest: ids, parent, kind, status, times, gen_ai.system / provider.name, finish
-- reasons, every span attribute decoded, the resource attributes, the scope, events, links and the
-- record's other fields.
-- What every span of a resource, scope or record shares is worked out once at its own level, then copied
-- to its spans: done per span, a 50-span request body was read 50 times over (quadratic in its size).
with otlp_resources as (
    select __row, record, unnest(list) as rs, generate_subscripts(list, 1) as ri
    from (select __row, json_merge_patch(doc, '{"resourceSpans": null}') as record,
                 coalesce(doc -> '$.resourceSpans[*]', []) as list
          from docs
          where (doc -> '$.resourceSpans') is not null)
),

otlp_scopes as (
    select __row, record, ri, resource_list, resource_spans, resource, unnest(list) as ss,
        generate_subscripts(list, 1) as si
    from (select __row, record, ri, rs -> '$.resource.attributes[*]' as resource_list,
                 json_merge_patch(rs, '{"scopeSpans": null, "resource": null}') as resource_spans,
                 json_merge_patch(coalesce(rs -> '$.resource', '{}'), '{"attributes": null}') as resource,
                 coalesce(rs -> '$.scopeSpans[*]', []) as list
          from otlp_resources)
),

otlp_spans as (
    select __row, record, ri, si, resource_list, resource_spans, resource, scope, unnest(list) as span,
        generate_subscripts(list, 1) as pi
    from (select __row, record, ri, si, resource_list, resource_spans, resource,
                 json_merge_patch(ss, '{"spans": null}') as scope, coalesce(ss -> '$.spans[*]', []) as list
          from otlp_scopes)
),

-- one row per span of either shape; times as text (ISO) and as timestamps
spans as (
    select
        __row,
        __row || '/' || ri || '.' || si || '.' || pi as span_key,
        span ->> '$.traceId' as trace_raw,
        span ->> '$.spanId' as span_raw,
        span ->> '$.parentSpanId' as parent_raw,
        span ->> '$.name' as span_name,
        span ->> '$.kind' as kind,
        span -> '$.status' as status,
        coalesce(strftime(make_timestamp(try_cast(span ->> '$.startTimeUnixNano' as bigint) // 1000),
                          '%Y-%m-%dT%H:%M:%S.%fZ'), span ->> '$.startTimeUnixNano') as start_text,
        coalesce(strftime(make_timestamp(try_cast(span ->> '$.endTimeUnixNano' as bigint) // 1000),
                          '%Y-%m-%dT%H:%M:%S.%fZ'), span ->> '$.endTimeUnixNano') as end_text,
        (try_cast(span ->> '$.endTimeUnixNano' as bigint) - try_cast(span ->> '$.startTimeUnixNano' as bigint))
            / 1e6 as latency,
        span -> '$.attributes[*]' as attribute_list,
        resource_list,
        null::json as attribute_object,
        null::json as resource_object,
        span -> '$.events[*]' as event_list,
        span -> '$.links' as links,
        scope,
        json_object(
            'span', json_merge_patch(span, '{"attributes": null, "events": null, "links": null, "status": null}'),
            'resource_spans', resource_spans,
            'resource', resource,
            'record', record
        ) as payload
    from otlp_spans
    union all
    select
        __row,
        __row || '/console' as span_key,
        doc -> '$.context' ->> '$.trace_id',
        doc -> '$.context' ->> '$.span_id',
        doc ->> '$.parent_id',
        doc ->> '$.name',
        doc ->> '$.kind',
        doc -> '$.status',
        doc ->> '$.start_time',
        doc ->> '$.end_time',
        (epoch_us(try_cast(doc ->> '$.end_time' as timestamptz))
         - epoch_us(try_cast(doc ->> '$.start_time' as timestamptz))) / 1e3,
        null::json[],
        null::json[],
        doc -> '$.attributes',
        coalesce(doc -> '$.resource.attributes', doc -> '$.resource'),
        doc -> '$.events[*]',
        doc -> '$.links',
        null::json,
        json_object(
            'context', doc -> '$.context',
            'record', json_merge_patch(doc, '{"name": null, "context": null, "kind": null, "parent_id": null,
                "start_time": null, "end_time": null, "status": null, "attributes": null, "events": null,
                "links": null, "resource": null}'),
            'resource', json_merge_patch(coalesce(doc -> '$.resource', '{}'), '{"attributes": null}')
        )
    from docs
    where (doc -> '$.context') is not null and (doc -> '$.resourceSpans') is null
),

events as (
    select span_key, unnest(event_list) as event, generate_subscripts(event_list, 1) as ei
    from spans
    where event_list is not null
),

-- every attribute of spans, resources and events as (key, JSON value): OTLP AnyValue decoded (one
-- level: arrays of scalars become JSON arrays, kvlists JSON objects), console objects as they are
encoded as (
    select span_key, 'span' as owner, 0 as ei, null as event_name, unnest(attribute_list) as attribute,
        generate_subscripts(attribute_list, 1) as i
    from spans where attribute_list is not null
    union all
    select span_key, 'resource', 0, null, unnest(resource_list), generate_subscripts(resource_list, 1)
    from spans where resource_list is not null
    union all
    select span_key, 'event', ei, event ->> '$.name', unnest(list), generate_subscripts(list, 1)
    from (select *, coalesce(event -> '$.attributes[*]', []) as list from events)
    where json_type(event -> '$.attributes') = 'ARRAY'
),

decoded as (
    select span_key, owner, ei, event_name, i, attribute ->> '$.key' as key,
        case
            when (v -> '$.stringValue') is not null then v -> '$.stringValue'
            when (v -> '$.intValue') is not null
                then coalesce(to_json(try_cast(v ->> '$.intValue' as bigint)), v -> '$.intValue')
            when (v -> '$.doubleValue') is not null then v -> '$.doubleValue'
            when (v -> '$.boolValue') is not null then v -> '$.boolValue'
            when (v -> '$.arrayValue') is not null then to_json(list_transform(
                coalesce(v -> '$.arrayValue.values[*]', []),
                lambda x: coalesce(x -> '$.stringValue', to_json(try_cast(x ->> '$.intValue' as bigint)),
                                   x -> '$.doubleValue', x -> '$.boolValue', x)))
            when (v -> '$.kvlistValue') is not null then ('{' || array_to_string(list_transform(
                coalesce(v -> '$.kvlistValue.values[*]', []),
                lambda e: to_json(coalesce(e ->> '$.key', '')) || ':' || coalesce(
                    e -> '$.value.stringValue', to_json(try_cast(e ->> '$.value.intValue' as bigint)),
                    e -> '$.value.doubleValue', e -> '$.value.boolValue', e -> '$.value', 'null')), ',') || '}')::json
            when (v -> '$.bytesValue') is not null then v -> '$.bytesValue'
            else v
        end as value
    from (select *, attribute -> '$.value' as v from encoded)
    union all
    select span_key, 'span', 0, null, entry_i, entry.key, entry.value
    from (select span_key, unnest(entries) as entry, generate_subscripts(entries, 1) as entry_i
          from (select span_key, map_entries(try(json_transform(attribute_object, '"MAP(VARCHAR, JSON)"'))) as entries
                from spans where attribute_object is not null))
    union all
    select span_key, 'resource', 0, null, entry_i, entry.key, entry.value
    from (select span_key, unnest(entries) as entry, generate_subscripts(entries, 1) as entry_i
          from (select span_key, map_entries(try(json_transform(resource_object, '"MAP(VARCHAR, JSON)"'))) as entries
                from spans where resource_object is not null))
    union all
    select span_key, 'event', ei, event ->> '$.name', entry_i, entry.key, entry.value
    from (select span_key, ei, event, unnest(entries) as entry, generate_subscripts(entries, 1) as entry_i
          from (select *, map_entries(try(json_transform(event -> '$.attributes', '"MAP(VARCHAR, JSON)"'))) as entries
                from events where json_type(event -> '$.attributes') = 'OBJECT'))
),

-- a key given twice keeps its first value
attributes as (
    select span_key, owner, ei, key, any_value(event_name) as event_name, arg_min(value, i) as value,
        arg_min(value, i) ->> '$' as text, min(i) as i
    from decoded
    where key is not null
    group by span_key, owner, ei, key
),

span_attributes as (
    select
        span_key,
        ('{' || coalesce(string_agg(to_json(key) || ':' || value, ',' order by i), '') || '}')::json as attrs,
        bool_or(key like 'gen_ai.%') as is_genai,
        max(text) filter (where key = 'gen_ai.response.id') as response_id,
        max(text) filter (where key = 'feature') as feature_attribute,
        max(text) filter (where key = 'app.feature') as app_feature,
        max(text) filter (where key = 'gen_ai.operation.name') as operation,
        max(text) filter (where key = 'gen_ai.request.model') as request_model,
        max(text) filter (where key = 'gen_ai.response.model') as response_model,
        max(text) filter (where key = 'gen_ai.system') as system,
        max(text) filter (where key = 'gen_ai.provider.name') as provider,
        coalesce(max(value) filter (where key = 'gen_ai.response.finish_reasons'),
                 max(value) filter (where key = 'gen_ai.response.finish_reason')) as finish_reasons,
        coalesce(max(text) filter (where key = 'gen_ai.usage.input_tokens'),
                 max(text) filter (where key = 'gen_ai.usage.prompt_tokens'),
                 max(text) filter (where key = 'gen_ai.response.prompt_tokens')) as input_tokens,
        coalesce(max(text) filter (where key = 'gen_ai.usage.output_tokens'),
                 max(text) filter (where key = 'gen_ai.usage.completion_tokens'),
                 max(text) filter (where key = 'gen_ai.response.completion_tokens')) as output_tokens,
        max(text) filter (where key = 'gen_ai.usage.cost') as cost,
        coalesce(
            max(text) filter (where key = 'gen_ai.input.messages'),
            string_agg(text, chr(10) order by try_cast(regexp_extract(key, '^gen_ai\.prompt\.([0-9]+)\.', 1) as int), key)
                filter (where regexp_matches(key, '^gen_ai\.prompt\.[0-9]+\.content')),
            max(text) filter (where key = 'gen_ai.prompt')) as prompt,
        coalesce(
            max(text) filter (where key = 'gen_ai.output.messages'),
            string_agg(text, chr(10) order by try_cast(regexp_extract(key, '^gen_ai\.completion\.([0-9]+)\.', 1) as int), key)
                filter (where regexp_matches(key, '^gen_ai\.completion\.[0-9]+\.(content|text)')),
            max(text) filter (where key = 'gen_ai.completion')) as output
    from attributes
    where owner = 'span'
    group by span_key
),

resource_attributes as (
    select span_key, ('{' || string_agg(to_json(key) || ':' || value, ',' order by i) || '}')::json as resource_attrs
    from attributes where owner = 'resource'
    group by span_key
),

event_rows as (
    select e.span_key, e.ei, e.event ->> '$.name' as name,
        coalesce(e.event ->> '$.timestamp', strftime(make_timestamp(try_cast(e.event ->> '$.timeUnixNano' as bigint)
                                                                    // 1000), '%Y-%m-%dT%H:%M:%S.%fZ')) as event_time,
        ('{' || string_agg(to_json(a.key) || ':' || a.value, ',' order by a.i) filter (where a.key is not null) || '}')::json
            as attrs,
        string_agg(a.text, chr(10) order by a.i) filter (where a.key in ('gen_ai.prompt', 'gen_ai.input.messages')
            or ((e.event ->> '$.name') in ('gen_ai.user.message', 'gen_ai.system.message')
                and a.key in ('content', 'gen_ai.event.content')))
            as prompt,
        string_agg(a.text, chr(10) order by a.i) filter (where a.key in ('gen_ai.completion', 'gen_ai.output.messages')
            or ((e.event ->> '$.name') = 'gen_ai.choice' and a.key in ('message', 'content', 'gen_ai.event.content')))
            as output
    from events as e
    left join attributes as a on a.span_key = e.span_key and a.owner = 'event' and a.ei = e.ei
    group by e.span_key, e.ei, e.event
),

span_events as (
    select span_key,
        to_json(list(json_object('name', name, 'time', event_time, 'attributes', coalesce(attrs, '{}'::json)) order by ei))
            as events,
        string_agg(prompt, chr(10) order by ei) as prompt,
        string_agg(output, chr(10) order by ei) as output
    from event_rows
    group by span_key
),

-- ids in hex (OTLP/JSON, console 0x…) or base64 (protobuf's JSON mapping): lowercase hex
identified as (
    select
        s.*,
        a.* exclude (span_key, prompt, output),
        coalesce(a.prompt, e.prompt) as prompt_text,
        coalesce(a.output, e.output) as output_text,
        e.events,
        r.resource_attrs,
        case when regexp_full_match(s.trace_raw, '(0x)?[0-9a-fA-F]+') then lower(regexp_replace(s.trace_raw, '^0x', ''))
             else coalesce(lower(hex(try(from_base64(s.trace_raw)))), s.trace_raw) end as trace_id,
        case when regexp_full_match(s.span_raw, '(0x)?[0-9a-fA-F]+') then lower(regexp_replace(s.span_raw, '^0x', ''))
             else coalesce(lower(hex(try(from_base64(s.span_raw)))), s.span_raw) end as span_id,
        case when regexp_full_match(s.parent_raw, '(0x)?[0-9a-fA-F]+') then lower(regexp_replace(s.parent_raw, '^0x', ''))
             else coalesce(lower(hex(try(from_base64(s.parent_raw)))), s.parent_raw) end as parent_span_id
    from spans as s
    join span_attributes as a using (span_key)
    left join span_events as e using (span_key)
    left join resource_attributes as r using (span_key)
    where a.is_genai
)

select
    __row,
    coalesce(response_id, trace_id || ':' || span_id) as interaction_id,
    start_text as ts,
    coalesce(
        nullif(trim(feature_attribute), ''), nullif(trim(app_feature), ''),
        case when nullif(trim(operation), '') is not null
             then trim(concat_ws(' ', trim(operation), coalesce(response_model, request_model))) end,
        nullif(trim(span_name), ''), 'unnamed span'
    ) as feature,
    coalesce(response_model, request_model) as model_version,
    prompt_text as prompt,
    output_text as output,
    latency::varchar as latency_ms,
    input_tokens,
    output_tokens,
    cost as cost_usd,
    json_object(
        'trace_id', trace_id, 'span_id', span_id, 'parent_span_id', parent_span_id, 'span_name', span_name,
        'span_kind', kind, 'status', status, 'start_time', start_text, 'end_time', end_text,
        'gen_ai.system', system, 'gen_ai.provider.name', provider, 'gen_ai.response.finish_reasons', finish_reasons,
        'attributes', attrs, 'resource_attributes', resource_attrs, 'scope', scope, 'events', events,
        'links', links, 'payload', payload
    )::varchar as __extra
from identified
