-- ai_views: per feature (and 'all'), the infrastructure-centric view next to the outcome-aligned one,
-- over production interactions, plus the silent-failure 2x2 and the outcome economics.
--   infrastructure : calls, availability (share of calls without a fallback whose reason names an
--                    error, a timeout or unavailability), p50 / p95 latency, cost per call
--   outcomes       : task completion, silent failure (completed, evaluated < 0.5), weighted score
--   2x2            : the evaluation verdict (>= 0.5 pass; human over llm over code) against the user
--                    signal (completed); evaluated interactions whose `accepted` is known only
--   task completion: over the interactions whose `accepted` is known (SPEC §4.2)
--   economics      : cost per successful interaction, and value / ROI when outcome values are given
--                    ($outcome_values: a JSON object {feature: USD per successful interaction}; '{}'
--                    for none). value = completed interactions x the feature's value; ROI = (value -
--                    cost) / cost over the features that have a value (others: no value, no ROI)
-- Parameters: $w_task, $w_relevance, $w_safety, $outcome_values. Inputs: ai_interactions, eval_scores.
with production as (
    select * from ai_interactions where not shadow
),

winning as (
    select interaction_id, name, avg(value) as value
    from (
        select interaction_id, name, value,
            jl_score_precedence(source) as precedence
        from eval_scores
        where value is not null
        qualify precedence = min(precedence) over (partition by interaction_id, name)
    )
    group by interaction_id, name
),

rows as (
    select
        p.feature,
        p.latency_ms,
        p.cost_usd,
        p.accepted is not null as with_user_signal,
        jl_completed(p.accepted, p.fallback, p.feedback, p.intent_mismatch) as completed,
        coalesce(p.fallback, false)
        and regexp_matches(coalesce(p.fallback_reason, ''), '(?i)error|timeout|time out|unavailable|5[0-9][0-9]')
            as outage,
        tc.value as task_completion,
        $w_task * tc.value + $w_relevance * rel.value + $w_safety * saf.value as weighted,
        (json_transform($outcome_values::json, '"MAP(VARCHAR, DOUBLE)"'))[p.feature] as value_per_success
    from production as p
    left join winning as tc on tc.interaction_id = p.interaction_id and tc.name = 'task_completion'
    left join winning as rel on rel.interaction_id = p.interaction_id and rel.name = 'relevance'
    left join winning as saf on saf.interaction_id = p.interaction_id and saf.name = 'safety'
),

valued as (
    -- a success earns its feature's value, anything else 0; a feature without a value stays null
    select *,
        case when value_per_success is null then null when completed then value_per_success else 0 end
            as outcome_value,
        case when value_per_success is not null then cost_usd end as valued_cost
    from rows
)

select
    coalesce(feature, 'all') as feature,
    count(*) as calls,
    1 - count(*) filter (where outage) / count(*) as availability,
    quantile_cont(latency_ms, 0.5) as p50_latency_ms,
    quantile_cont(latency_ms, 0.95) as p95_latency_ms,
    sum(cost_usd) / nullif(count(cost_usd), 0) as cost_per_call,
    count(*) filter (where with_user_signal) as with_user_signal,
    count(*) filter (where completed) / nullif(count(*) filter (where with_user_signal), 0) as task_completion_rate,
    count(*) filter (where completed and task_completion < 0.5)
        / nullif(count(*) filter (where completed and task_completion is not null), 0) as silent_failure_rate,
    avg(weighted) as weighted_score,
    count(*) filter (where task_completion >= 0.5 and completed) as judge_pass_user_completed,
    count(*) filter (where task_completion < 0.5 and completed) as judge_fail_user_completed,
    count(*) filter (where task_completion >= 0.5 and with_user_signal and not completed)
        as judge_pass_user_not_completed,
    count(*) filter (where task_completion < 0.5 and with_user_signal and not completed)
        as judge_fail_user_not_completed,
    sum(cost_usd) / nullif(count(*) filter (where completed), 0) as cost_per_success,
    sum(outcome_value) as outcome_value_usd,
    (sum(outcome_value) - sum(valued_cost)) / nullif(sum(valued_cost), 0) as roi
from valued
group by grouping sets ((feature), ())
order by feature is null, feature
