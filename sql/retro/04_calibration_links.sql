-- calibration_links: which ranked alert groups each labelled incident (SPEC §2.6) is about, for the
-- weight calibration (notebooks/retro/calibration_fit.py). The same rule as the retro's link_incidents:
--   an incident that lists alert_ids or fingerprints is about the groups holding one of them;
--   one that lists neither is about the groups on its stage (else its service) that first fired from
--   $link_before_minutes before it opened until it resolved (else $link_after_minutes after it opened).
-- label: 1 for an outcome someone or something had to act on (actioned, escalated, auto_mitigated: the
-- customers felt it), 0 for noise and duplicate. Incidents without an outcome teach nothing: left out.
-- Inputs: incidents, alert_groups (alert groups only; the queue's signal entries are not in ranked_alerts.csv),
-- calibration_members (group_id, alert_id: every alert of those groups, from groups.details_sql).
with labelled as (
    select
        incident_id,
        opened_at,
        coalesce(resolved_at, opened_at + to_minutes(cast($link_after_minutes as bigint))) as until,
        nullif(trim(stage), '') as stage,
        nullif(trim(service), '') as service,
        list_filter(list_transform(string_split(coalesce(alert_ids, ''), ';'), lambda x: trim(x)), lambda x: x <> '') as ids,
        list_filter(list_transform(string_split(coalesce(fingerprints, ''), ';'), lambda x: trim(x)), lambda x: x <> '')
            as prints,
        case when lower(outcome) in ('actioned', 'escalated', 'auto_mitigated') then 1 else 0 end as label
    from incidents
    where lower(outcome) in ('actioned', 'escalated', 'auto_mitigated', 'noise', 'duplicate')
),

groups as (
    select group_id, fingerprint, stage, service, first_fired_at
    from alert_groups
    where kind = 'alert_group'
),

by_id as (
    -- equi-joins on the listed ids, not a scan of every pair
    select l.incident_id, l.label, a.group_id
    from (select incident_id, label, unnest(ids) as alert_id from labelled) as l
    join calibration_members as a using (alert_id)
),

by_print as (
    select l.incident_id, l.label, g.group_id
    from (select incident_id, label, unnest(prints) as fingerprint from labelled) as l
    join groups as g using (fingerprint)
),

by_time as (
    select l.incident_id, l.label, g.group_id
    from labelled as l
    join groups as g
        on (case when l.stage is not null then g.stage = l.stage else g.service = l.service end)
        and g.first_fired_at >= l.opened_at - to_minutes(cast($link_before_minutes as bigint))
        and g.first_fired_at <= l.until
    where len(l.ids) = 0 and len(l.prints) = 0
)

select distinct incident_id, label, group_id from by_id
union
select distinct incident_id, label, group_id from by_print
union
select distinct incident_id, label, group_id from by_time
