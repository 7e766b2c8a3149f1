-- ranked_groups: the queue, one row per alert group, best first (SPEC §4.1).
--
-- Suppression rules and playbooks are data, so ranking.ranked_sql() replaces the `null /* … */`
-- placeholders with CASEs over them (first match wins; every pattern, time and text is a bound
-- $parameter). As written, the file runs on its own: no rule suppresses, no playbook applies.
--   suppressed : a suppression rule matched (maintenance window, known noise), or the score is below
--                $threshold. Suppressed groups are kept and marked, never deleted, and rank after the
--                unsuppressed ones.
--   playbook   : routes the work (automation tier, owner). It never changes the score.
-- Ties are broken by first_fired_at and group_id, so the ranking does not depend on input order.
create or replace temp table ranked_groups as
with decided as (
    select
        g.*,
        cast(null /* suppression_position */ as integer) as suppression_position,
        cast(null /* playbook_position */ as integer) as playbook_position
    from scored_groups as g
),

labelled as (
    select
        decided.* exclude (suppression_position, playbook_position),
        case
            when suppression_position is not null
                then cast(null /* suppression_reasons */ as varchar[])[suppression_position]
            when score < $threshold
                then 'score ' || round(score, 1) || ' below the threshold ' || $threshold
        end as suppressed_reason,
        cast(null /* playbook_ids */ as varchar[])[playbook_position] as playbook,
        cast(null /* playbook_actions */ as varchar[])[playbook_position] as playbook_action,
        cast(null /* playbook_tiers */ as varchar[])[playbook_position] as automation_tier,
        cast(null /* playbook_owners */ as varchar[])[playbook_position] as playbook_owner
    from decided
)

select
    row_number() over (
        order by suppressed_reason is not null, score desc, first_fired_at, group_id
    ) as rank,
    suppressed_reason is not null as suppressed,
    *
from labelled
