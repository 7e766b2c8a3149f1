-- ai_signal_rows: production interactions, one row per interaction and slice, with the inputs of the AI
-- outcome signals beyond task completion (notebooks/ai/signal_kinds.py). Slices: 'all' (the feature),
-- the segment ('unknown' when empty, as in ai_daily), 'task_type <t>' and, when the file carried a `role`
-- or `user_role` column (kept in `extra`, the canonical table has no role), 'role <r>'.
--   edited, fallback, feedback_known : NULL / false where the file does not say (SPEC §2.4: unknown is not false)
--   silent            : completed (user signals) with a task_completion evaluation below 0.5 (SPEC §4.2);
--                       completed_evaluated is its denominator. Evaluations: human over llm over code.
--   cost_usd_known    : cost of interactions whose `accepted` is known, for cost per success
-- Inputs: ai_interactions, eval_scores.
with production as (
    select
        *,
        -- `extra` is the JSON object ingest keeps of the source's own columns (never invalid JSON): read as
        -- sql/queue/10_metric_hourly.sql reads it, so the query also runs on Spark
        coalesce(json_extract_string(extra, '$.role'), json_extract_string(extra, '$.user_role')) as role
    from ai_interactions
    where not shadow
),

ranked_scores as (
    select interaction_id, value, jl_score_precedence(source) as precedence
    from eval_scores
    where value is not null and name = 'task_completion'
),

judged as (
    select interaction_id, avg(value) as task_completion
    from (select * from ranked_scores qualify precedence = min(precedence) over (partition by interaction_id))
    group by interaction_id
),

rows as (
    select
        date_trunc('day', p.ts) as day,
        p.feature,
        p.segment,
        p.task_type,
        p.role,
        p.edited,
        p.fallback,
        p.fallback_reason,
        lower(p.feedback) in ('up', 'down') as feedback_known,
        lower(p.feedback) = 'down' as thumbs_down,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) as completed,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) and j.task_completion is not null
            as completed_evaluated,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) and j.task_completion < 0.5 as silent,
        p.latency_ms,
        case when p.accepted is not null then p.cost_usd end as cost_usd_known
    from production as p
    left join judged as j using (interaction_id)
)

select * exclude (segment, task_type, role), 'all' as slice from rows
union all
select * exclude (segment, task_type, role), coalesce(segment, 'unknown') as slice from rows
union all
select * exclude (segment, task_type, role), 'task_type ' || task_type as slice from rows where task_type is not null
union all
select * exclude (segment, task_type, role), 'role ' || role as slice from rows where role is not null
