-- alert_groups: one row per problem (SPEC §1 "alert group"): the pieces of 04_alert_pieces.sql merged
-- per (key, session of 05_group_buckets.sql). Step 3 of 3. The group's alert ids and flap cycles need
-- every alert in order, so 20_group_alert_details.sql works them out only for the groups a caller
-- shows; the key columns and `session` stay here for that (and are not part of the group's published
-- columns).
--   stage            : the stage of the group's first alert that a touchpoint rule maps (first rule
--                      wins): each piece joins the rule its input matched (01_rule_matches.sql)
--   last_resolved_at : max(resolved_at), NULL while the group's latest alert has no resolution
--   duration_min     : from the first fire to the latest end, in minutes
-- notebooks/queue/groups.py fills `true /* mapping join */` with the columns the rules look at (as
-- written, the file runs and maps nothing). Inputs: alert_pieces, group_buckets, rule_matches,
-- mapping_rules.
create or replace temp table alert_groups as
with grouped as (
    select
        p.key_fingerprint,
        p.key_name,
        p.key_service,
        b.session,
        sum(p.alert_count) as alert_count,
        min(p.first_o) as first_o,
        -- the rule of the first alert that maps (a piece's alerts all map alike; arg_min skips NULLs)
        arg_min(matches.rule_position, p.first_o) as rule_position,
        min(p.first_fired_at) as first_fired_at,
        max(p.last_fired_at) as last_fired_at,
        -- NULL while the latest alert has no resolution: the problem may still be going on
        case when arg_max(p.last_resolved, p.last_o) then max(p.max_resolved_at) end as last_resolved_at,
        sum(p.unresolved_count) as unresolved_count,
        max(p.last_ended_at) as last_ended_at,
        min(p.severity_rank) as severity_rank,
        max(p.confidence) as confidence
    from alert_pieces as p
    join group_buckets as b
        on p.key_fingerprint is not distinct from b.key_fingerprint
        and p.key_name is not distinct from b.key_name
        and p.key_service is not distinct from b.key_service
        and p.bucket = b.bucket
    left join rule_matches as matches on true /* mapping join */
    group by p.key_fingerprint, p.key_name, p.key_service, b.session
),

keyed_groups as (
    select
        grouped.*,
        firsts.first_alert,
        case
            when grouped.key_fingerprint is not null then 'fingerprint:' || grouped.key_fingerprint
            else 'rule:' || grouped.key_name || ' @ ' || grouped.key_service
        end as group_key
    from grouped
    -- the group's first alert: the piece that holds it, joined once per group rather than carried
    -- through the aggregation above, where a struct of strings per piece cost most of its time
    join alert_pieces as firsts
        on firsts.first_o = grouped.first_o
        and firsts.key_fingerprint is not distinct from grouped.key_fingerprint
        and firsts.key_name is not distinct from grouped.key_name
        and firsts.key_service is not distinct from grouped.key_service
)

select
    left(md5(group_key || '|' || first_alert.i), 16) as group_id,
    group_key,
    'alert_group' as kind,  -- signals join the table as journey_signal, ai_signal, burn_rate_page
    alert_count::bigint as alert_count,
    first_alert.service as service,
    first_alert.name as name,
    rules.stage,
    rules.touchpoint,
    rules.journey,
    first_alert.source as source,
    first_alert.fingerprint as fingerprint,
    first_alert.region as region,
    first_alert.labels as labels,
    first_fired_at,
    last_fired_at,
    last_resolved_at,
    unresolved_count::bigint as unresolved_count,
    severity_rank,
    jl_severity_label(severity_rank) as severity,
    confidence,
    (epoch(last_ended_at) - epoch(first_fired_at)) / 60.0 as duration_min,
    key_fingerprint,
    key_name,
    key_service,
    session
from keyed_groups
left join mapping_rules as rules on rules.position = keyed_groups.rule_position
