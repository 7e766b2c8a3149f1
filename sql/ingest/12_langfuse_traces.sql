-- Langfuse traces and observations -> one AI interaction per trace, as canonical text columns.
-- Input: the view `docs(__row, doc json)`. A record is one of:
--   * a trace download (UI "download trace", tRPC byIdWithObservations): {"trace": {...}, "observations": [...]}
--     (older downloads nest the observations in the trace instead);
--   * a public-API page: {"data": [traces or observations], "meta": {...}};
--   * a single trace (id, timestamp, name, userId, sessionId, input, output, metadata, tags, latency,
--     totalCost, ...) or a single observation (id, traceId, type, startTime, endTime, model, usage /
--     usageDetails, costDetails / calculatedTotalCost, ...), one per line or in an array.
-- Records with a traceId are observations, the others traces. Traces and observations may come in one file
-- or in several; a file of observations only still gives one interaction per traceId.
-- The trace is the interaction; its generations (type GENERATION) give model, tokens and cost:
--   interaction_id : the trace id (an observation's traceId)
--   ts             : the trace's timestamp, else its earliest observation's startTime
--   feature        : the first non-blank of: metadata.feature of the trace; the trace name; the traceName
--                    its observations carry (batch exports); the name of its earliest observation;
--                    'unnamed trace'. Never empty (SPEC §2.4)
--   user_id        : the trace's userId, else the userId its observations carry
--   model_version  : the model of the earliest generation (every model is listed in extra.models)
--   input/output_tokens : sums over the generations of usageDetails.input/output, else usage.input/output,
--                    else inputUsage/outputUsage, else promptTokens/completionTokens
--   cost_usd       : the trace's totalCost, else the sum over generations of costDetails.total, else
--                    calculatedTotalCost, else totalCost
--   latency_ms     : the trace's latency (seconds) x 1000, else max(endTime) - min(startTime) over its
--                    observations (Langfuse's own definition of a trace's latency)
--   prompt, output : the trace's input / output (a JSON-encoded string is unwrapped once), else the
--                    earliest generation's input and the latest generation's output
-- User signals (accepted, edited, fallback, feedback) are not in Langfuse traces: they stay empty.
-- __extra: the trace record (without input and output), its observations as exported, the models,
-- the generation count and the record's other fields (a download's other keys, an API page's meta).
with items as (
    select __row, doc -> '$.trace' as item, 0 as pos,
        json_merge_patch(doc, '{"trace": null, "observations": null}') as envelope
    from docs where json_type(doc -> '$.trace') = 'OBJECT'
    union all
    select __row, unnest(list), generate_subscripts(list, 1), null::json
    from (select __row, case when json_array_length(doc -> '$.observations') > 0 then doc -> '$.observations[*]'
                             else doc -> '$.trace.observations[*]' end as list
          from docs where json_type(doc -> '$.trace') = 'OBJECT')
    union all
    select __row, unnest(list), generate_subscripts(list, 1), envelope
    from (select __row, doc -> '$.data[*]' as list, json_merge_patch(doc, '{"data": null}') as envelope
          from docs where json_type(doc -> '$.data') = 'ARRAY' and (doc -> '$.trace') is null)
    union all
    select __row, doc, 0, null::json
    from docs where (doc -> '$.trace') is null and json_type(doc -> '$.data') is distinct from 'ARRAY'
),

observations as (
    select __row, pos, item,
        item ->> '$.traceId' as trace_id,
        item ->> '$.type' as type,
        item ->> '$.name' as name,
        item ->> '$.model' as model,
        item ->> '$.startTime' as start_text,
        try_cast(item ->> '$.startTime' as timestamptz) as start_at,
        try_cast(item ->> '$.endTime' as timestamptz) as end_at,
        coalesce(item ->> '$.usageDetails.input', item ->> '$.usage.input', item ->> '$.inputUsage',
                 item ->> '$.promptTokens') as input_tokens,
        coalesce(item ->> '$.usageDetails.output', item ->> '$.usage.output', item ->> '$.outputUsage',
                 item ->> '$.completionTokens') as output_tokens,
        coalesce(item ->> '$.costDetails.total', item ->> '$.calculatedTotalCost', item ->> '$.totalCost') as cost
    from items
    where json_type(item) = 'OBJECT' and (item -> '$.traceId') is not null
),

traces as (
    select __row, item, envelope, item ->> '$.id' as trace_id
    from items
    where json_type(item) = 'OBJECT' and (item -> '$.traceId') is null
),

-- per trace id, what its generations (and all its observations) add up to; a number that is not one is
-- kept as text so the canonical check refuses it by row and column
rolled as (
    select
        trace_id,
        min(__row) as first_row,
        arg_min(start_text, start_at) as first_start,
        arg_min(name, start_at) filter (where name is not null and trim(name) <> '') as first_name,
        -- batch exports of observations carry their trace's name and user
        max(item ->> '$.traceName') as trace_name,
        max(item ->> '$.userId') as observed_user,
        arg_min(model, start_at) filter (where type = 'GENERATION' and model is not null) as first_model,
        to_json(list(distinct model) filter (where model is not null)) as models,
        count(*) filter (where type = 'GENERATION') as generations,
        coalesce(any_value(input_tokens) filter (where try_cast(input_tokens as double) is null and input_tokens is not null),
                 sum(try_cast(input_tokens as double)) filter (where type = 'GENERATION')::varchar) as input_tokens,
        coalesce(any_value(output_tokens) filter (where try_cast(output_tokens as double) is null and output_tokens is not null),
                 sum(try_cast(output_tokens as double)) filter (where type = 'GENERATION')::varchar) as output_tokens,
        coalesce(any_value(cost) filter (where try_cast(cost as double) is null and cost is not null),
                 sum(try_cast(cost as double)) filter (where type = 'GENERATION')::varchar) as cost,
        (epoch_us(max(end_at)) - epoch_us(min(start_at))) / 1e3 as latency_ms,
        arg_min(item -> '$.input', start_at) filter (where type = 'GENERATION') as first_input,
        arg_max(item -> '$.output', coalesce(end_at, start_at)) filter (where type = 'GENERATION') as last_output,
        to_json(list(item order by start_at nulls last, __row, pos)) as items
    from observations
    group by trace_id
),

interactions as (
    select
        coalesce(t.trace_id, r.trace_id) as interaction_id,
        coalesce(t.__row, r.first_row) as __row,
        t.item as trace,
        t.envelope,
        r.*
    from traces as t
    full join rolled as r on r.trace_id = t.trace_id
)

select
    __row,
    interaction_id,
    coalesce(trace ->> '$.timestamp', first_start) as ts,
    coalesce(
        nullif(trim(coalesce(trace ->> '$.metadata.feature',
                             try(json(trace ->> '$.metadata')) ->> '$.feature')), ''),
        nullif(trim(trace ->> '$.name'), ''),
        nullif(trim(trace_name), ''),
        nullif(trim(first_name), ''),
        'unnamed trace'
    ) as feature,
    coalesce(trace ->> '$.userId', observed_user) as user_id,
    first_model as model_version,
    -- Langfuse stores input and output as JSON: a string arrives JSON-encoded once more
    coalesce(
        case when json_type(try(json(trace ->> '$.input'))) = 'VARCHAR' then json(trace ->> '$.input') ->> '$'
             else trace ->> '$.input' end,
        case when json_type(first_input) = 'VARCHAR' then first_input ->> '$' else first_input::varchar end
    ) as prompt,
    coalesce(
        case when json_type(try(json(trace ->> '$.output'))) = 'VARCHAR' then json(trace ->> '$.output') ->> '$'
             else trace ->> '$.output' end,
        case when json_type(last_output) = 'VARCHAR' then last_output ->> '$' else last_output::varchar end
    ) as output,
    coalesce((try_cast(trace ->> '$.latency' as double) * 1000)::varchar, trace ->> '$.latency',
             latency_ms::varchar) as latency_ms,
    input_tokens,
    output_tokens,
    coalesce(trace ->> '$.totalCost', cost) as cost_usd,
    json_object(
        'trace', json_merge_patch(coalesce(trace, '{}'), '{"input": null, "output": null}'),
        'observations', coalesce(items, '[]'),
        'models', models,
        'generations', coalesce(generations, 0),
        'record', envelope
    )::varchar as __extra
from interactions
