-- Every stored alert notice, in one shape. Input: the view `alert_notice_files` (the alerts Parquet files
-- of every active upload; for the view fold_notices, notebooks/workspace/snapshot.py puts the notices of
-- the folding keys where `/* notices */` marks it). Uploads stored before notices were modelled carry no
-- status, event_at, alert_key or notice_id: each such row is one whole alert, and the same rules fill them in.
select
    * replace (
        coalesce(status, case when resolved_at is not null then 'resolved' else 'firing' end) as status,
        coalesce(event_at, resolved_at, fired_at) as event_at,
        coalesce(alert_key, alert_id) as alert_key,
        coalesce(notice_id, jl_notice_id(
            coalesce(alert_key, alert_id), coalesce(status, case when resolved_at is not null then 'resolved'
            else 'firing' end), coalesce(event_at, resolved_at, fired_at), fired_at, resolved_at, severity_raw,
            service, name
        )) as notice_id,
        case when resolved_at is not null then coalesce(resolved_from, 'resolved_at') end as resolved_from,
        case when fired_at is not null then coalesce(fired_from, 'fired_at') end as fired_from
    )
from alert_notice_files /* notices */
