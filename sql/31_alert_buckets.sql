-- alert_buckets: the alerts of one key (SPEC §1 "alert group") in one gap-wide stretch of time, mapped
-- to a journey stage, each numbered with the group (`session`) of its key it belongs to. Step 1 of 3 of
-- alert grouping (31 buckets, 32 bucket_alerts, 33 alert_groups); notebooks/alert_groups.py runs them.
--
--   key    : the fingerprint; an alert without one is keyed by its rule name and service
--   bucket : floor(fired_at / $bucket_seconds), the bucket as wide as the gap
--   a new group starts when an alert fires more than $gap_minutes after every earlier alert of its key
--   has ended (ended = resolved_at; an alert with no resolution ended when it fired)
--
-- Why buckets are exact: two alerts of a key in one bucket fired less than a gap apart, and the earlier
-- one ended no earlier than it fired, so the later one can never start a group: a bucket lies inside
-- one group. Sessionising buckets gives the groups of sessionising alerts, and the ten-million-row work
-- is one hash aggregation, not a sort of every wide alert:
--   pieces  : alerts per (key, bucket, the values the rules look at)
--   mapping : the touchpoint rules run once per piece, not once per alert; a bucket's stage is the
--             rule position of its first alert that maps
--   session : a running sum, per key in bucket order, of the buckets that start a group
-- "First" orders by fired_at, then by a hash of alert_id: the order alerts arrive in never matters.
--
-- notebooks/alert_groups.py fills the placeholders (as written, the file runs and maps nothing):
--   /* mapping columns */ : the values the rules look at (journey_mapping.mapping_columns)
--   rule_position         : journey_mapping.rule_case over `pieces`
create or replace temp table alert_buckets as
with keyed as (
    select
        *,
        case when nullif(trim(fingerprint), '') is not null then fingerprint end as key_fingerprint,
        case when nullif(trim(fingerprint), '') is null then name end as key_name,
        case when nullif(trim(fingerprint), '') is null then service end as key_service,
        floor(epoch(fired_at) / $bucket_seconds) as bucket,
        epoch_us(fired_at)::hugeint * 18446744073709551616 + hash(alert_id) as first_order
    from alerts
),

pieces as (
    select
        key_fingerprint,
        key_name,
        key_service,
        bucket,
        /* mapping columns */
        count(*) as alert_count,
        min(fired_at) as first_fired_at,
        max(fired_at) as last_fired_at,
        max(coalesce(resolved_at, fired_at)) as last_ended_at,
        max(resolved_at) as max_resolved_at,
        arg_max({'o': first_order, 'resolved': resolved_at is not null}, first_order) as last_alert,
        count(*) filter (where resolved_at is null) as unresolved_count,
        min(severity_rank) as severity_rank,
        max(confidence) as confidence,
        arg_min({'o': first_order, 'i': alert_id, 'service': service, 'name': name}, first_order) as first_alert,
        arg_min({'o': first_order, 'v': source}, first_order) filter (where source is not null) as first_source,
        arg_min({'o': first_order, 'v': fingerprint}, first_order) filter (
            where fingerprint is not null
        ) as first_fingerprint,
        arg_min({'o': first_order, 'v': region}, first_order) filter (where region is not null) as first_region,
        arg_min({'o': first_order, 'v': labels}, first_order) filter (where labels is not null) as first_labels
    from keyed
    group by all
),

mapped_pieces as (
    select
        *,
        cast(null /* rule_position */ as integer) as rule_position
    from pieces
),

buckets as (
    -- arg_min(struct, struct.o): the struct of the first alert (a plain min() of structs is slower)
    select
        key_fingerprint,
        key_name,
        key_service,
        bucket,
        sum(alert_count) as alert_count,
        min(first_fired_at) as first_fired_at,
        max(last_fired_at) as last_fired_at,
        max(last_ended_at) as last_ended_at,
        max(max_resolved_at) as max_resolved_at,
        arg_max(last_alert, last_alert.o) as last_alert,
        sum(unresolved_count) as unresolved_count,
        min(severity_rank) as severity_rank,
        max(confidence) as confidence,
        arg_min(first_alert, first_alert.o) as first_alert,
        arg_min(first_source, first_source.o) as first_source,
        arg_min(first_fingerprint, first_fingerprint.o) as first_fingerprint,
        arg_min(first_region, first_region.o) as first_region,
        arg_min(first_labels, first_labels.o) as first_labels,
        arg_min({'o': first_alert.o, 'position': rule_position}, first_alert.o) filter (
            where rule_position is not null
        ) as first_mapped
    from mapped_pieces
    group by key_fingerprint, key_name, key_service, bucket
),

starts as (
    select
        *,
        coalesce(
            epoch(first_fired_at) - epoch(max(last_ended_at) over (
                partition by key_fingerprint, key_name, key_service order by bucket
                rows between unbounded preceding and 1 preceding
            )) > $gap_minutes * 60,
            true
        ) as starts_group
    from buckets
)

select
    *,
    sum(starts_group::integer) over (
        partition by key_fingerprint, key_name, key_service order by bucket rows unbounded preceding
    ) as session
from starts
