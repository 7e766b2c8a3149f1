-- Alerts: the fold of their notices across every upload (SPEC §2.1). Inputs: the views `alert_notices`
-- (14_alert_notices.sql), `alert_fold_keys(alert_key)` (each upload's keys that need folding) and
-- `fold_notices` (14 over the notices of those keys only: notebooks/workspace/snapshot.py).
--
-- A notice whose key no upload lists is its alert as it stands: one firing, acknowledged or complete
-- (fired and resolved) notice. The notices of a listed key are ordered by event time, then by upload
-- and row (receipt order breaks ties), and split into occurrences: a firing notice after a resolved one
-- (acknowledgements between them aside) opens a new occurrence (a re-trigger after a resolve is a new alert). Per occurrence:
--   fired_at      the earliest fired_at of its notices (fired_from: where that time came from)
--   status        the latest notice's status (an acknowledgement never reopens a resolved alert)
--   resolved_at   the latest resolved notice's time, when the status is resolved, and resolved_from with it
--   other columns from the latest notice that is not a resolve and has them (a resolve notice says
--                 "RESOLVED: …" or nothing), else from the latest that has them
--   alert_id      the first firing notice's id, else <alert_key>@<fired_at>; `#<n>` when an earlier
--                 occurrence of the key already has that id
-- An occurrence with no firing notice (a resolve that arrived before its trigger) waits for it: it is
-- stored, and not an alert until its firing notice is.
with fold_keys as (
    select distinct alert_key from alert_fold_keys
),

alone as (
    select
        n.* exclude (event_at, notice_id, receipt),
        1::bigint as notices
    from alert_notices /* lone notices */ as n
    anti join fold_keys as k using (alert_key)
    where n.fired_at is not null
),

keyed as (
    select
        n.*,
        -- time, then receipt (upload, row); a file read without row numbers (Alertmanager's fast path)
        -- ties a resolve that has no time of its own with its firing notice: the lifecycle order decides
        {
            't': n.event_at, 'u': n.upload_id, 'r': coalesce(n.receipt, 0),
            's': case n.status when 'firing' then 0 when 'acknowledged' then 1 else 2 end, 'n': n.notice_id
        } as ord
    from fold_notices /* fold notices */ as n
),

ordered as (
    select
        *,
        -- the state before this notice: acknowledgements do not change whether an alert is resolved
        last_value(case when status <> 'acknowledged' then status end ignore nulls) over (
            partition by alert_key order by ord rows between unbounded preceding and 1 preceding
        ) as previous_status
    from keyed
),

occurrences as (
    select
        *,
        sum(case when status = 'firing' and previous_status = 'resolved' then 1 else 0 end) over (
            partition by alert_key order by ord rows between unbounded preceding and current row
        ) as occurrence,
        {'firing': status <> 'resolved', 'ord': ord} as pref
    from ordered
),

folded as (
    select
        alert_key,
        occurrence,
        arg_min(alert_id, ord) filter (where alert_id is not null and fired_at is not null) as first_id,
        min(fired_at) as fired_at,
        arg_min(fired_from, {'f': fired_at, 'o': ord}) filter (where fired_at is not null) as fired_from,
        arg_max(status, ord) filter (where status <> 'acknowledged') as decisive_status,
        arg_max(status, ord) as last_status,
        arg_max(resolved_at, ord) filter (where status = 'resolved') as last_resolved_at,
        arg_max(resolved_from, ord) filter (where status = 'resolved') as last_resolved_from,
        arg_max(service, pref) filter (where service is not null) as service,
        arg_max(name, pref) filter (where name is not null) as name,
        arg_max(severity, pref) filter (where severity is not null) as severity,
        arg_max(severity_rank, pref) filter (where severity is not null) as severity_rank,
        arg_max(severity_raw, pref) filter (where severity is not null) as severity_raw,
        arg_max(source, pref) filter (where source is not null) as source,
        arg_max(fingerprint, pref) filter (where fingerprint is not null) as fingerprint,
        arg_max(confidence, pref) filter (where confidence is not null) as confidence,
        arg_max(region, pref) filter (where region is not null) as region,
        arg_max(labels, pref) filter (where labels is not null) as labels,
        arg_max(message, pref) filter (where message is not null) as message,
        arg_max(extra, pref) filter (where extra is not null) as extra,
        arg_min(upload_id, ord) filter (where fired_at is not null) as upload_id,
        count(*) as notices
    from occurrences
    group by alert_key, occurrence
    having count(fired_at) > 0
),

named as (
    select
        *,
        coalesce(first_id, alert_key || '@' || strftime(fired_at, '%Y-%m-%dT%H:%M:%S')) as base_id,
        case when decisive_status = 'resolved' then 'resolved' else last_status end as status
    from folded
)

select
    base_id || case when row_number() over (partition by base_id order by occurrence) > 1
        then '#' || (row_number() over (partition by base_id order by occurrence))::varchar else '' end as alert_id,
    fired_at,
    case when status = 'resolved' then last_resolved_at end as resolved_at,
    service, name, severity, severity_rank, severity_raw, source, fingerprint, confidence, region, labels,
    message, extra, upload_id, status, alert_key,
    case when status = 'resolved' then last_resolved_from end as resolved_from,
    fired_from,
    notices
from named
union all by name
select * from alone
