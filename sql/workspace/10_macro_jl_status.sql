-- jl_status(text) -> 'firing' | 'acknowledged' | 'resolved': what one notice of an alert says, in the
-- words of the tools journeylens reads (Alertmanager, Grafana, PagerDuty, Opsgenie, Datadog, CloudWatch,
-- Zabbix, generic exports). NULL for anything else, so that ingest can refuse it with the value found.
--   firing       : firing, alerting, alert, active, triggered, trigger, re-triggered, retriggered, open,
--                  problem, new, renotify, warn, warning, no data, nodata, pending, suppressed,
--                  unprocessed, alarm, insufficient_data, unacknowledged, create, created, escalated
--   acknowledged : acknowledged, acknowledge, ack, acked
--   resolved     : resolved, resolve, recovered, recovery, ok, closed, close, cleared, clear, normal,
--                  inactive, success, succeeded, fixed, done
create or replace macro jl_status(v) as (
    -- the words tools send most, without a regular expression (it costs a pass over every row)
    case lower(v) when 'firing' then 'firing' when 'resolved' then 'resolved' when 'trigger' then 'firing'
        when 'resolve' then 'resolved' when 'acknowledge' then 'acknowledged' else
    case regexp_replace(lower(trim(v)), '[\s_-]+', '', 'g')
        when 'firing' then 'firing' when 'alerting' then 'firing' when 'alert' then 'firing'
        when 'active' then 'firing' when 'triggered' then 'firing' when 'trigger' then 'firing'
        when 'retriggered' then 'firing' when 'open' then 'firing' when 'problem' then 'firing'
        when 'new' then 'firing' when 'renotify' then 'firing' when 'warn' then 'firing'
        when 'warning' then 'firing' when 'nodata' then 'firing' when 'pending' then 'firing'
        when 'suppressed' then 'firing' when 'unprocessed' then 'firing' when 'alarm' then 'firing'
        when 'insufficientdata' then 'firing' when 'unacknowledged' then 'firing' when 'create' then 'firing'
        when 'created' then 'firing' when 'escalated' then 'firing'
        when 'acknowledged' then 'acknowledged' when 'acknowledge' then 'acknowledged'
        when 'ack' then 'acknowledged' when 'acked' then 'acknowledged'
        when 'resolved' then 'resolved' when 'resolve' then 'resolved' when 'recovered' then 'resolved'
        when 'recovery' then 'resolved' when 'ok' then 'resolved' when 'closed' then 'resolved'
        when 'close' then 'resolved' when 'cleared' then 'resolved' when 'clear' then 'resolved'
        when 'normal' then 'resolved' when 'inactive' then 'resolved' when 'success' then 'resolved'
        when 'succeeded' then 'resolved' when 'fixed' then 'resolved' when 'done' then 'resolved'
    end
    end
)
