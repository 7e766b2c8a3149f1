-- stage_change_log: one row per journey-map stage that any mapped alert's service belongs to (SPEC §2.7):
--   last_change / what_changed : the latest change to any of its services
--   changes                    : every change to them
--   changes_since_review       : those after the stage's last review (all of them when never reviewed)
-- Parameters: none. Inputs: stages, changes, mapped_alerts (mapping.create_mapped_alerts),
-- stage_reviews (stage, reviewed_at: the latest review per stage, from the audit trail).
with stage_services as (
    select distinct stage, service from mapped_alerts where stage is not null
)

select
    s.stage,
    max(c.ts) as last_change,
    arg_max(c.service || ' ' || c.kind || coalesce(': ' || c.description, ''), c.ts) as what_changed,
    count(c.ts) as changes,
    count(c.ts) filter (where r.reviewed_at is null or c.ts > r.reviewed_at) as changes_since_review
from (select distinct stage from stages) as st
inner join stage_services as s using (stage)
left join changes as c on c.service = s.service
left join stage_reviews as r on r.stage = s.stage
group by s.stage
order by s.stage
