-- backlog_items: the prompt backlog (issue 18 §3): production interactions (shadow not true) of the
-- window that a user or the judge says went wrong, one row per interaction, with why it is there.
--   window        : ts within $since_seconds before the latest production ts in the data (not the wall
--                   clock: an old export still has a backlog); a NULL $since_seconds is all time
--   thumbs_down   : feedback = 'down'
--   intent_mismatch: intent_mismatch is true (an unknown one is not)
--   low_judge     : the winning task_completion evaluation is below $low_score; a human evaluation wins
--                   over an llm one, which wins over a code one (jl_score_precedence, as SPEC §4.2's
--                   silent failure); several of the winning source are averaged, their explanations joined
--   reasons       : 1 to 3: how many of the three say so; ordering is features with the most items first,
--                   then the most reasons, the lowest judge score, the newest
-- Parameters: $since_seconds (DOUBLE or NULL), $low_score. Inputs: ai_interactions, eval_scores.
with production as (
    select * from ai_interactions where shadow is distinct from true
),

latest as (
    select max(ts) as latest_ts from production
),

judged as (
    select
        interaction_id,
        value,
        source,
        explanation,
        jl_score_precedence(source) as precedence
    from eval_scores
    where name = 'task_completion' and value is not null
    qualify precedence = min(precedence) over (partition by interaction_id)
),

judge as (
    select
        interaction_id,
        avg(value) as judge_score,
        any_value(source) as judge_source,
        string_agg(distinct nullif(trim(explanation), ''), ' | ') as judge_reason
    from judged
    group by interaction_id
),

flagged as (
    select
        p.interaction_id,
        p.ts,
        p.feature,
        p.segment,
        p.task_type,
        p.model_version,
        p.prompt,
        p.output,
        p.accepted,
        p.feedback,
        p.intent_mismatch,
        j.judge_score,
        j.judge_source,
        j.judge_reason,
        coalesce(p.feedback = 'down', false) as thumbs_down,
        coalesce(p.intent_mismatch, false) as mismatch,
        coalesce(j.judge_score < $low_score, false) as low_judge
    from production p
    cross join latest l
    left join judge j using (interaction_id)
    where $since_seconds is null or p.ts >= l.latest_ts - to_seconds($since_seconds)
),

items as (
    select
        *,
        concat_ws('; ',
            case when thumbs_down then 'thumbs down' end,
            case when mismatch then 'intent mismatch' end,
            case when accepted is true then 'accepted' when accepted is false then 'not accepted' end
        ) as user_signal,
        concat_ws('; ',
            case when thumbs_down then 'thumbs-down' end,
            case when mismatch then 'intent mismatch' end,
            case when low_judge then
                'low judge score ' || printf('%.2f', judge_score) || ' (' || judge_source || ')' end
        ) as why,
        thumbs_down::int + mismatch::int + low_judge::int as reasons
    from flagged
    where thumbs_down or mismatch or low_judge
)

select
    interaction_id,
    ts,
    feature,
    segment,
    task_type,
    model_version,
    prompt,
    output,
    judge_score,
    judge_source,
    judge_reason,
    user_signal,
    why,
    reasons,
    count(*) over (partition by feature) as feature_items
from items
order by feature_items desc, feature, reasons desc, judge_score asc nulls last, ts desc, interaction_id
