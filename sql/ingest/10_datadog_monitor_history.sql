-- Datadog's monitor alert-history CSV (the "hourly monitor data" report) -> one alert per row.
-- Input: the view `history(__row, hour, host_name, alert_name, alert_type, priority, extra)`: the report's
-- columns (NULL when an export lacks them: newer ones give only hour, host_name, alert_name, user, cnt)
-- and every column as a JSON object.
-- A row counts the alerts one monitor raised on one host in one hour (`cnt`): it is one alert that fired
-- in that hour bucket, with no id (the core derives one) and no resolution. The bucket (` 2018-06-07 17`)
-- becomes its hour as ISO text; a bucket that is no hour passes through as it is, so that ingest refuses
-- it with the value found. Severity: priority 1-5, else alert_type, else error (the report lists monitor
-- alerts, and Datadog types a triggered monitor alert `error`).
select
    __row,
    coalesce(strftime(try_strptime(trim(hour), '%Y-%m-%d %H'), '%Y-%m-%dT%H:00:00Z'), hour) as fired_at,
    coalesce(nullif(trim(host_name), ''), 'unknown') as service,
    alert_name as name,
    coalesce(
        'P' || nullif(regexp_extract(coalesce(trim(priority), ''), '^[Pp]?([1-5])$', 1), ''),
        case lower(trim(alert_type))
            when 'error' then 'error' when 'warning' then 'warning' when 'info' then 'info' when 'success' then 'info'
        end,
        'error'
    ) as severity,
    coalesce(nullif(trim(priority), ''), nullif(trim(alert_type), '')) as severity_raw,
    'datadog' as source,
    extra::varchar as __extra
from history
