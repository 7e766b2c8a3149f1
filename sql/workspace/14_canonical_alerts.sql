-- The stored alert notices (SPEC §2.1). Every upload of kind `alerts` is stored in exactly this shape:
-- one row per notification (firing, re-notified, acknowledged, resolved). The view `alerts` is their
-- fold (sql/ingest/15_folded_alerts.sql): one row per alert, where the columns marked * are never NULL.
-- A resolve notice may carry no fired_at, service, name or severity: its alert's firing notice does.
-- What the view `alert_notices` can derive is stored as NULL (sql/ingest/14_alert_notices.sql).
create table canonical.alerts (
    alert_id      varchar,           -- * given, else <alert_key>@<fired_at as sent>, else derived (md5)
    fired_at      timestamp,         -- * UTC
    resolved_at   timestamp,         -- set on resolved notices (see resolved_from)
    service       varchar,           -- *
    name          varchar,           -- *
    severity      varchar,           -- * normalised label: critical, high, medium, low, info
    severity_rank tinyint,           -- * 1 (critical) .. 5 (info)
    severity_raw  varchar,           -- what the source said
    source        varchar,
    fingerprint   varchar,
    confidence    double,            -- 0..1
    region        varchar,
    labels        varchar,           -- JSON object text
    message       varchar,
    extra         varchar,           -- JSON object of source fields journeylens does not model
    upload_id     varchar not null,
    status        varchar,           -- acknowledged, else NULL: the view alert_notices reads resolved iff resolved_at
    event_at      timestamp,         -- when the notice happened: its own time, else resolved_at/fired_at
    alert_key     varchar,           -- the lifecycle key shared by every notice of one alert (NULL: alert_id)
    notice_id     varchar,           -- what makes a notice the same notice again: computed by the view
                                     -- alert_notices (jl_notice_id), never stored (a fifth of an ingest)
    resolved_from varchar,           -- where resolved_at came from: notice_time | upload_time (NULL: resolved_at)
    fired_from    varchar,           -- the same of fired_at (a tool may send no time; NULL: fired_at)
    receipt       bigint             -- the notice's row in its upload: receipt order breaks time ties
)
