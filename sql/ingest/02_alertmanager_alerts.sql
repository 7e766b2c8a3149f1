-- Alertmanager webhook payloads (version 4) -> one notice per alert per payload, as canonical text columns.
-- Input: the view `alertmanager_payloads` (01_alertmanager_payloads.sql). __row (the payload) may be NULL:
-- the fast path does not number rows (numbering serialises the scan).
--
-- Every notification is a notice; the view `alerts` folds them (15_folded_alerts.sql). Alertmanager
-- counts one alert per fingerprint and startsAt, so alert_id = fingerprint@startsAt is the key too (the
-- stored ids of earlier uploads are this formula: it must not change).
--   status    the alert's own status (firing | resolved), not the payload's
--   event_at  a resolved notice's endsAt; empty for a firing one (its endsAt is a timeout, not an event)
--   endsAt    0001-01-01T00:00:00Z is Go's zero time: never a time. A resolved notice with it has no
--             resolution time; the ingest takes the upload's time and says so (resolved_from).
--   startsAt  the zero time too is no time: such a notice has no fired time (it waits for one that has).
--
-- Service, when the alert names none (the same chain as Grafana's and the API list's, 03_alert_objects.sql):
-- the label service, job, instance, host, app, team, namespace, then the rule's group (grafana_folder),
-- then the visible placeholder `unknown`, which the coverage view flags.
-- Name: alertname, rulename, __alert_rule_title__, the group's alertname, the summary annotation.
-- Severity: an alert without a severity label is common (rules that never set one); it is not refused
-- but read as a warning, and severity_raw stays empty so the default is visible.
-- extra keeps what is not modelled: the payload's receiver, groupKey, externalURL, groupLabels,
-- commonLabels, commonAnnotations, truncatedAlerts, version and status (groupStatus), and the alert's
-- annotations, generatorURL and endsAt as sent.
with fields as (
    select
        __row,
        version,
        groupKey,
        truncatedAlerts,
        status as group_status,
        receiver,
        groupLabels,
        commonLabels,
        commonAnnotations,
        externalURL,
        unnest(alerts, recursive := false) as alert
    from alertmanager_payloads
),

flat as (
    select
        *,
        coalesce(alert.fingerprint, md5(coalesce(to_json(alert.labels)::varchar, ''))) as fingerprint,
        lower(alert.status) as status,
        alert.labels as labels,
        alert.annotations as annotations,
        case when not starts_with(alert.startsAt, '0001-') then alert.startsAt end as starts_at,
        case when lower(alert.status) = 'resolved' and not starts_with(alert.endsAt, '0001-')
            then alert.endsAt end as resolved_text
    from fields
)

select
    __row,
    fingerprint || '@' || alert.startsAt as alert_id,  -- also the lifecycle key (alert_key defaults to it)
    status,
    resolved_text as event_at,
    starts_at as fired_at,
    resolved_text as resolved_at,
    coalesce(
        labels['service'], labels['job'], labels['instance'], labels['host'], labels['app'], labels['team'],
        labels['namespace'], labels['grafana_folder'], 'unknown'
    ) as service,
    coalesce(
        labels['alertname'], labels['rulename'], labels['__alert_rule_title__'], groupLabels ->> 'alertname',
        commonLabels ->> 'alertname', annotations['summary']
    ) as name,
    coalesce(labels['severity'], labels['priority'], 'warning') as severity,
    labels['severity'] as severity_raw,
    'alertmanager' as source,
    fingerprint,
    coalesce(labels['confidence'], annotations['confidence']) as confidence,
    coalesce(labels['region'], labels['zone'], labels['cluster']) as region,
    to_json(labels)::varchar as labels,
    coalesce(annotations['summary'], annotations['description'], annotations['message']) as message,
    json_object(
        'receiver', receiver, 'groupKey', groupKey, 'externalURL', externalURL, 'groupLabels', groupLabels,
        'commonLabels', commonLabels, 'commonAnnotations', commonAnnotations,
        'truncatedAlerts', truncatedAlerts, 'version', version, 'groupStatus', group_status,
        'annotations', annotations, 'generatorURL', alert.generatorURL, 'endsAt', alert.endsAt
    )::varchar as __extra
from flat
