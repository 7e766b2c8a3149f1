-- ai_metrics: the outcome metrics of SPEC §4.2 per feature x segment, per feature (segment 'all') and
-- overall (feature 'all', segment 'all'), over production interactions (shadow false). Interactions
-- without a segment count in their feature's 'all' row and the overall row only.
--   with_user_signal   : interactions whose `accepted` is known (telemetry such as OpenTelemetry spans
--                        or Langfuse traces carries no user signal: those rows have it empty)
--   completed          : accepted and not fallback and feedback <> 'down' and not intent_mismatch
--                        (an unknown fallback / intent_mismatch is not true, an unknown feedback is not
--                        'down': they do not count against completion; an unknown accepted is neither
--                        completed nor not, and such rows are outside the denominator)
--   each rate          : over the rows whose input is known (SPEC §4.2): acceptance and task completion
--                        over known `accepted`, edit over known `edited`, fallback over known `fallback`.
--                        A judge score alone never makes an interaction completed: SPEC §4.2 defines
--                        completed from the user signals only, and the judge counts in silent_failure
--                        and weighted_score
--   evaluation         : one value per interaction and metric: a human score wins over an llm one,
--                        which wins over a code one; several of the winning source are averaged
--   silent_failure     : completed, with a task_completion evaluation below 0.5
--   weighted_score     : over interactions with all three evaluations, $w_task x task_completion +
--                        $w_relevance x relevance + $w_safety x safety
--   retention_90d      : users whose first interaction (in the slice) is >= 90 days before the latest
--                        production ts; the share of them with an interaction >= 90 days after it
-- A metric whose denominator is zero is NULL (empty in the CSV), never 0.
-- Parameters: $w_task, $w_relevance, $w_safety. Inputs: ai_sliced (ai_interactions with the slice in
-- `segment` and only the period asked for; ai_outcomes.ai_metrics makes it), eval_scores.
with production as (
    select * from ai_sliced where not shadow
),

latest as (
    select max(ts) as latest_ts from production
),

ranked_scores as (
    select
        interaction_id,
        name,
        value,
        jl_score_precedence(source) as precedence
    from eval_scores
    where value is not null
),

winning_scores as (
    select *
    from ranked_scores
    qualify precedence = min(precedence) over (partition by interaction_id, name)
),

evaluations as (
    select interaction_id, name, avg(value) as value
    from winning_scores
    group by interaction_id, name
),

interactions as (
    select
        p.feature,
        p.segment,
        p.user_id,
        p.ts,
        p.cost_usd,
        p.latency_ms,
        p.accepted,
        p.edited,
        p.fallback,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) as completed,
        e.task_completion,
        e.relevance,
        e.safety
    from production as p
    left join (
        -- one row per interaction; a filtered aggregate, not PIVOT, so that Spark runs it as written
        select
            interaction_id,
            max(value) filter (where name = 'task_completion') as task_completion,
            max(value) filter (where name = 'relevance') as relevance,
            max(value) filter (where name = 'safety') as safety
        from evaluations
        where name in ('task_completion', 'relevance', 'safety')
        group by interaction_id
    ) as e using (interaction_id)
),

metrics as (
    select
        feature,
        segment,
        grouping(feature, segment) as level,
        count(*) as interactions,
        count(accepted) as with_user_signal,
        count(*) filter (where accepted) / nullif(count(accepted), 0) as acceptance_rate,
        count(*) filter (where edited) / nullif(count(edited), 0) as edit_rate,
        count(*) filter (where fallback) / nullif(count(fallback), 0) as fallback_rate,
        count(*) filter (where completed) / nullif(count(accepted), 0) as task_completion_rate,
        count(*) filter (where completed and task_completion < 0.5)
            / nullif(count(*) filter (where completed and task_completion is not null), 0) as silent_failure_rate,
        avg($w_task * task_completion + $w_relevance * relevance + $w_safety * safety) as weighted_score,
        sum(cost_usd) / nullif(count(*) filter (where completed), 0) as cost_per_success,
        quantile_cont(latency_ms, 0.95) as p95_latency_ms,
        count(*) filter (where completed) as completed,
        count(*) filter (where completed and task_completion is not null) as completed_evaluated,
        count(task_completion * relevance * safety) as evaluated,
        sum(cost_usd) as cost_usd
    from interactions
    group by grouping sets ((feature, segment), (feature), ())
),

users as (
    select
        feature,
        segment,
        grouping(feature, segment) as level,
        user_id,
        min(ts) as first_ts,
        max(ts) as last_ts
    from production
    where user_id is not null
    group by grouping sets ((feature, segment, user_id), (feature, user_id), (user_id))
),

retention as (
    select
        feature,
        segment,
        level,
        count(*) filter (where last_ts >= first_ts + interval 90 days)
            / nullif(count(*), 0) as retention_90d,
        count(*) as retention_users
    from users, latest
    where first_ts <= latest_ts - interval 90 days
    group by feature, segment, level
)

select
    case when m.level = 3 then 'all' else m.feature end as feature,
    case when m.level >= 1 then 'all' else m.segment end as segment,
    m.interactions,
    m.with_user_signal,
    m.acceptance_rate,
    m.edit_rate,
    m.fallback_rate,
    m.task_completion_rate,
    m.silent_failure_rate,
    m.weighted_score,
    m.cost_per_success,
    m.p95_latency_ms,
    r.retention_90d,
    m.completed,
    m.completed_evaluated,
    m.evaluated,
    m.cost_usd,
    coalesce(r.retention_users, 0) as retention_users
from metrics as m
left join retention as r
    on r.level = m.level
    and r.feature is not distinct from m.feature
    and r.segment is not distinct from m.segment
-- no interactions at all: no rows (the overall grouping set would otherwise give one empty row)
where (m.level > 0 or m.segment is not null) and m.interactions > 0
order by m.level = 3, feature, m.level >= 1 desc, segment
