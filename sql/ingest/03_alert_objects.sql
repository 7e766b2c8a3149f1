-- Alerts as Alertmanager's JSON objects -> one notice per alert, as canonical text columns. Two layouts:
--   grafana_webhook          Grafana Alerting's webhook: one payload per row of `docs`, its alerts in
--                            `alerts` (Alertmanager's webhook with more fields; Grafana runs one);
--   alertmanager_api_alerts  Alertmanager's API v2 list (`GET /api/v2/alerts`, and `amtool alert query
--                            -o json`, which prints the same objects): one alert per row of `docs`.
-- Input: the view `docs(__row, doc)`. `source` comes from the layout (grafana | alertmanager).
--
-- alert_key = alert_id = fingerprint@startsAt, as for Alertmanager's webhook (02_alertmanager_alerts.sql),
-- so the same alert from a webhook, a list or a later upload folds into one.
--   status    a webhook alert's own status (firing | resolved). An API alert is firing whatever its
--             state: active, suppressed (silenced or inhibited) or unprocessed say who is notified, not
--             whether it ended.
--   event_at  an API alert's updatedAt; a resolved webhook alert's endsAt. A firing alert's endsAt is a
--             timeout Alertmanager keeps moving forward, never a resolution (it stays in extra).
--   0001-01-01T00:00:00Z is Go's zero time: as endsAt or startsAt it is no time.
-- Service, when the alert names none (Grafana rules often do not): the label service, job, instance,
-- host, app, team, namespace, then the rule's group (the folder label grafana_folder), then the visible
-- placeholder `unknown`, which the coverage view flags. The same chain as 02.
-- Name: alertname, rulename (Grafana's DatasourceNoData/DatasourceError alerts carry the rule's name
-- there), __alert_rule_title__, the group's alertname, then the summary annotation.
-- Message: the summary, description or message annotation, else valueString (what a Grafana rule measured).
-- extra keeps, as sent, everything else: a payload's fields (orgId, receiver, groupKey, externalURL,
-- groupLabels, commonLabels, commonAnnotations, truncatedAlerts, version, title, state, message, and its
-- status as groupStatus) and the alert's (annotations, endsAt, generatorURL, silenceURL, dashboardURL,
-- panelURL, imageURL, values, valueString; an API alert's status {state, silencedBy, inhibitedBy} and
-- receivers; any other key).
with alerts as (
    select
        __row,
        doc as payload,
        -- a payload whose alerts are not a list still gives a row: refused, its fired time being what
        -- `alerts` holds (never a time)
        unnest(case when json_type(doc, '$.alerts') = 'ARRAY' then json_extract(doc, '$.alerts[*]')
            else [json_object('startsAt', (doc -> 'alerts')::varchar)] end) as alert
    from docs
    where json_exists(doc, '$.alerts')
    union all
    select __row, null::json as payload, doc as alert
    from docs
    where not json_exists(doc, '$.alerts')
),

flat as (
    select
        *,
        coalesce(alert ->> 'fingerprint', md5(coalesce((alert -> 'labels')::varchar, ''))) as fingerprint,
        alert ->> 'startsAt' as starts_raw,
        json_type(alert, '$.status') = 'OBJECT' as listed,
        alert -> 'labels' as labels,
        alert -> 'annotations' as annotations
    from alerts
),

noticed as (
    select
        *,
        case when listed then 'firing' else lower(alert ->> 'status') end as status,
        case when not listed and lower(alert ->> 'status') = 'resolved'
            and not starts_with(alert ->> 'endsAt', '0001-') then alert ->> 'endsAt' end as resolved_text
    from flat
)

select
    __row,
    fingerprint || '@' || starts_raw as alert_id,
    fingerprint || '@' || starts_raw as alert_key,
    status,
    case when listed then alert ->> 'updatedAt' else resolved_text end as event_at,
    case when not starts_with(starts_raw, '0001-') then starts_raw end as fired_at,
    resolved_text as resolved_at,
    coalesce(
        labels ->> 'service', labels ->> 'job', labels ->> 'instance', labels ->> 'host', labels ->> 'app',
        labels ->> 'team', labels ->> 'namespace', labels ->> 'grafana_folder', 'unknown'
    ) as service,
    coalesce(
        labels ->> 'alertname', labels ->> 'rulename', labels ->> '__alert_rule_title__',
        payload -> 'groupLabels' ->> 'alertname', payload -> 'commonLabels' ->> 'alertname',
        annotations ->> 'summary'
    ) as name,
    coalesce(labels ->> 'severity', labels ->> 'priority', 'warning') as severity,
    labels ->> 'severity' as severity_raw,
    fingerprint,
    coalesce(labels ->> 'confidence', annotations ->> 'confidence') as confidence,
    coalesce(labels ->> 'region', labels ->> 'zone', labels ->> 'cluster') as region,
    labels::varchar as labels,
    coalesce(
        annotations ->> 'summary', annotations ->> 'description', annotations ->> 'message',
        nullif(alert ->> 'valueString', '')
    ) as message,
    json_merge_patch(
        coalesce(payload, '{}'), '{"alerts": null, "status": null}', json_object('groupStatus', payload -> 'status'),
        coalesce(alert, '{}'), '{"labels": null, "startsAt": null, "fingerprint": null, "updatedAt": null}',
        case when listed then '{}' else '{"status": null}' end
    )::varchar as __extra
from noticed
