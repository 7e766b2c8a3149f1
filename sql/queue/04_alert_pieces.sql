-- alert_pieces: the alerts of one key (SPEC §1 "alert group") in one gap-wide bucket of time that
-- the touchpoint rules see alike. Step 1 of 3 of alert grouping (04 alert_pieces, 05 group_buckets,
-- 06 alert_groups; 30 and 31 list the alerts of the groups asked for); notebooks/queue/groups.py runs them.
--
--   key    : the fingerprint; an alert without one is keyed by its rule name and service
--   bucket : floor(fired_at / $bucket_seconds), a bucket as wide as the gap
--   piece  : alerts per (key, bucket, the alert columns the rules look at)
--
-- Why buckets are exact: two alerts of a key in one bucket fired less than a gap apart, and the earlier
-- one ended no earlier than it fired, so the later one can never start a group: a bucket lies inside
-- one group. Sessionising buckets (05_group_buckets.sql) gives the groups of sessionising alerts, so the
-- ten-million-row work is this one hash aggregation, not a sort of every wide alert. A piece keeps the
-- columns the rules look at, so that the rules run once per distinct value of them (01_rule_matches.sql,
-- read from this table), not once per alert.
--
-- "First" orders by fired_at, then by a hash of alert_id (`o`, jl_order_key): the order alerts arrive in never
-- matters. A piece keeps its first alert's id, names, source, fingerprint, region and labels in one
-- struct with its order (`first_o`), so that 06 picks the group's first alert across pieces.
--
-- notebooks/queue/groups.py fills `/* mapping columns */` with the alert columns the rules look at
-- (mapping.mapping_columns) besides fingerprint, name and service, which every piece keeps, and makes the
-- temp table alert_pieces of it. A piece depends on one upload's alerts only, so a workspace keeps each upload's
-- pieces (notebooks/queue/piece_store.py: `alerts /* alerts */` is then that upload's alerts) and a ranking
-- reads them back: 05 and 06 merge pieces of one (key, bucket) from several uploads as they merge any pieces.
with keyed as (
    select
        *,
        jl_time_bucket(fired_at, $bucket_seconds) as bucket,
        jl_order_key(fired_at, alert_id) as o
    from alerts /* alerts */
),

raw_pieces as (
    -- grouped on the alerts' own columns: the key is worked out per piece below, not per alert
    select
        fingerprint,
        name,
        service,
        bucket,
        /* mapping columns */
        count(*) as alert_count,
        min(fired_at) as first_fired_at,
        max(fired_at) as last_fired_at,
        max(coalesce(resolved_at, fired_at)) as last_ended_at,
        max(resolved_at) as max_resolved_at,
        max(o) as last_o,
        arg_max(resolved_at is not null, o) as last_resolved,
        count(*) filter (where resolved_at is null) as unresolved_count,
        min(severity_rank) as severity_rank,
        max(confidence) as confidence,
        min(o) as first_o,
        arg_min({
            'i': alert_id, 'service': service, 'name': name, 'source': source, 'fingerprint': fingerprint,
            'region': region, 'labels': labels
        }, o) as first_alert
    from keyed
    group by all
)

select
    jl_key_fingerprint(fingerprint) as key_fingerprint,
    case when jl_key_fingerprint(fingerprint) is null then name end as key_name,
    case when jl_key_fingerprint(fingerprint) is null then service end as key_service,
    *
from raw_pieces
