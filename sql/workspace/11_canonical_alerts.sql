-- The canonical alerts table (SPEC §2.1). Every upload of kind `alerts` is stored in exactly this shape.
create table canonical.alerts (
    alert_id      varchar not null,  -- given, else derived from source, fingerprint/service+name and fired_at
    fired_at      timestamp not null, -- UTC
    resolved_at   timestamp,
    service       varchar not null,
    name          varchar not null,
    severity      varchar not null,  -- normalised label: critical, high, medium, low, info
    severity_rank tinyint not null,  -- 1 (critical) .. 5 (info)
    severity_raw  varchar,           -- what the source said
    source        varchar,
    fingerprint   varchar,
    confidence    double,            -- 0..1
    region        varchar,
    labels        varchar,           -- JSON object text
    message       varchar,
    extra         varchar,           -- JSON object of source columns journeylens does not model
    upload_id     varchar not null
)
