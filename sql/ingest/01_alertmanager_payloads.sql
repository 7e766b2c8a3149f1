-- Alertmanager webhook payloads (version 4), read straight into typed structs: one JSON parse per payload,
-- in parallel (a JSON-path reading is several times slower; the benchmark needs >= 200k alerts/s).
-- Parameter: $path. One payload, an array of payloads, or JSON Lines (format auto).
-- Every field Alertmanager documents is read (https://prometheus.io/docs/alerting/latest/configuration/
-- #webhook_config), so 02 keeps what it does not model in `extra`; a key Alertmanager never sends is not
-- read. An alert's labels and annotations are string maps; the group's label maps, which journeylens only
-- keeps (in extra), stay JSON as sent: converting them for every alert cost a sixth of the ingest.
select
    version,
    groupKey,
    truncatedAlerts,
    status,
    receiver,
    groupLabels,
    commonLabels,
    commonAnnotations,
    externalURL,
    alerts
from read_json(
    $path,
    format = 'auto',
    columns = {
        'version': 'VARCHAR',
        'groupKey': 'VARCHAR',
        'truncatedAlerts': 'BIGINT',
        'status': 'VARCHAR',
        'receiver': 'VARCHAR',
        'groupLabels': 'JSON',
        'commonLabels': 'JSON',
        'commonAnnotations': 'JSON',
        'externalURL': 'VARCHAR',
        'alerts': 'STRUCT(status VARCHAR, labels MAP(VARCHAR, VARCHAR), annotations MAP(VARCHAR, VARCHAR),
            startsAt VARCHAR, endsAt VARCHAR, generatorURL VARCHAR, fingerprint VARCHAR)[]'
    }
)
