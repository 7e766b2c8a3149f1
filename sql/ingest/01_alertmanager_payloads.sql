-- Alertmanager webhook payloads, read straight into typed structs: one JSON parse per payload, in
-- parallel, and only the fields journeylens uses. Labels and annotations are string maps.
-- Parameter: $path. One payload, an array of payloads, or JSON Lines (format auto).
select
    receiver,
    alerts
from read_json(
    $path,
    format = 'auto',
    columns = {
        'receiver': 'VARCHAR',
        'alerts': 'STRUCT(status VARCHAR, labels MAP(VARCHAR, VARCHAR), annotations MAP(VARCHAR, VARCHAR),
            startsAt VARCHAR, endsAt VARCHAR, generatorURL VARCHAR, fingerprint VARCHAR)[]'
    }
)
