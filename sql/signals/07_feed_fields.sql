-- feed_fields: what each upload of a feed carries, for schema drift: its columns (the canonical columns it
-- fills, plus the source columns it kept unmapped in `extra`), the label keys of its alerts, and the values
-- of the categorical fields a journey or AI view slices by (metrics `stage` and `segment`, AI `feature` and
-- `segment`, changes `kind`). One row per upload, field and value.
-- Parameters: none. Inputs: uploads, alert_notice_files, journey_metrics, ai_interactions, eval_scores,
-- incidents, changes, tickets.
with filled as (
    -- count(columns(*)) keeps each column's name: one count of non-null values per column and upload
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra, labels))) from alert_notice_files
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from journey_metrics
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from ai_interactions
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from eval_scores
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from incidents
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from changes
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
    union all
    unpivot (select upload_id, count(columns(* exclude (upload_id, extra))) from tickets
             group by upload_id) on columns(* exclude (upload_id)) into name value value filled
),

extras as (
    -- a key whose value is null carries nothing: it is no column of the file
    select distinct t.upload_id, j.key as value
    from (
        select upload_id, extra from alert_notice_files
        union all select upload_id, extra from journey_metrics
        union all select upload_id, extra from ai_interactions
        union all select upload_id, extra from eval_scores
        union all select upload_id, extra from incidents
        union all select upload_id, extra from changes
        union all select upload_id, extra from tickets
    ) as t, json_each(t.extra) as j
    where json_valid(t.extra) and json_type(t.extra) = 'OBJECT' and j.type <> 'NULL'
),

labelled as (
    select distinct t.upload_id, j.key as value
    from alert_notice_files as t, json_each(t.labels) as j
    where json_valid(t.labels) and json_type(t.labels) = 'OBJECT' and j.type <> 'NULL'
),

categories as (
    select distinct upload_id, 'stage' as field, stage as value from journey_metrics
    union all select distinct upload_id, 'segment', segment from journey_metrics
    union all select distinct upload_id, 'feature', feature from ai_interactions
    union all select distinct upload_id, 'segment', segment from ai_interactions
    union all select distinct upload_id, 'kind', kind from changes
),

fields as (
    select upload_id, 'column' as field, value from filled where filled > 0 and value <> 'extra'
    union
    select upload_id, 'column', value from extras
    union
    select upload_id, 'label key', value from labelled
    union
    select upload_id, field, value from categories where value is not null and value <> ''
)

select u.kind, u.layout, u.upload_id, u.file_name, u.stored_at, u.rows, f.field, f.value
from fields as f
join uploads as u using (upload_id)
order by u.kind, u.layout, u.stored_at, u.upload_id, f.field, f.value
