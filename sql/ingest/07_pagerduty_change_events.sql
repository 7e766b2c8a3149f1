-- PagerDuty change events -> canonical change rows (text columns).
-- Input: the view `docs(__row, doc json)`. The change kind comes from custom_details when the sender set
-- one; a change event without one is a deploy, which is what PagerDuty's integrations send.
select
    __row,
    doc -> 'payload' ->> 'timestamp' as ts,
    coalesce(doc -> 'payload' -> 'custom_details' ->> 'service', doc -> 'payload' ->> 'source') as service,
    coalesce(
        doc -> 'payload' -> 'custom_details' ->> 'kind', doc -> 'payload' -> 'custom_details' ->> 'change_type',
        'deploy'
    ) as kind,
    doc -> 'payload' ->> 'summary' as description,
    json_object(
        'custom_details', doc -> 'payload' -> 'custom_details', 'links', doc -> 'links'
    )::varchar as __extra
from docs
