-- Langfuse scores -> one evaluation score per row, as canonical text columns.
-- Input: the view `docs(__row, doc json)`: score records (id, traceId, observationId, sessionId, name,
-- value, stringValue, dataType, source, comment, timestamp, configId, ...) one per line or in an array,
-- or public-API pages {"data": [scores], "meta": {...}}.
--   interaction_id : traceId (a score of an observation scores its trace; observationId stays in extra).
--                    A session or dataset-run score has no trace: refused by row and column, not dropped
--   source         : API and EVAL -> llm (a model or a program wrote it through the API or an
--                    evaluator), ANNOTATION -> human; anything else is refused by the canonical check
--   value, label   : NUMERIC in [0, 1] -> value. NUMERIC outside [0, 1] (a 1-5 or 0-10 scale) -> label,
--                    with value empty: the canonical value is on the 0-1 scale the metrics average,
--                    and guessing a scale's bounds would invent numbers; the number stays in label and
--                    extra. BOOLEAN -> value 1 or 0, label its stringValue (True/False).
--                    CATEGORICAL and TEXT -> label (stringValue), value empty
--   explanation    : comment
-- __extra: the whole score record as exported, and the page's other fields.
with items as (
    select __row, unnest(list) as score, json_merge_patch(doc, '{"data": null}') as envelope
    from (select __row, doc, doc -> '$.data[*]' as list from docs where json_type(doc -> '$.data') = 'ARRAY')
    union all
    select __row, doc, null::json from docs where json_type(doc -> '$.data') is distinct from 'ARRAY'
),

typed as (
    select
        __row, score, envelope,
        upper(coalesce(score ->> '$.dataType', case when json_type(score -> '$.value') = 'VARCHAR'
                                                    then 'CATEGORICAL' else 'NUMERIC' end)) as data_type,
        score ->> '$.value' as value_text,
        try_cast(score ->> '$.value' as double) as number
    from items
)

select
    __row,
    score ->> '$.traceId' as interaction_id,
    score ->> '$.name' as name,
    case
        when data_type = 'BOOLEAN' then coalesce(
            case when number in (0, 1) then number::varchar end,
            case lower(score ->> '$.stringValue') when 'true' then '1' when 'false' then '0' end,
            value_text)
        when data_type = 'NUMERIC' and (number between 0 and 1 or number is null) then value_text
    end as value,
    case
        when data_type = 'NUMERIC' and not (number between 0 and 1) then value_text
        when data_type = 'NUMERIC' then null
        else coalesce(score ->> '$.stringValue', value_text)
    end as label,
    case upper(score ->> '$.source') when 'API' then 'llm' when 'EVAL' then 'llm' when 'ANNOTATION' then 'human'
         else score ->> '$.source' end as source,
    score ->> '$.comment' as explanation,
    json_object('score', score, 'record', envelope)::varchar as __extra
from typed
