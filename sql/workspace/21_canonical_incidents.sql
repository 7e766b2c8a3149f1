-- Incidents (SPEC §2.6). PagerDuty incident CSV exports load here too.
create table canonical.incidents (
    incident_id         varchar not null,
    opened_at           timestamp not null,
    acknowledged_at     timestamp,
    resolved_at         timestamp,
    journey_restored_at timestamp,
    stage               varchar,
    alert_ids           varchar,        -- ;-separated
    fingerprints        varchar,        -- ;-separated
    outcome             varchar,        -- actioned | auto_mitigated | escalated | noise | duplicate
    playbook            varchar,
    notes               varchar,
    service             varchar,
    title               varchar,
    severity            varchar,
    extra               varchar,
    upload_id           varchar not null
)
