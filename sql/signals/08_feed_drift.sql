-- feed_drift: schema drift between uploads of the same kind and layout, oldest first. A field value (a
-- column, a label key, a categorical value) is `new` when an upload carries it and no earlier upload of the
-- feed did, and `vanished` when the previous upload carried it and this one does not. Uploads with fewer
-- than $min_rows rows are too small to speak for the feed (one live batch lacks most label keys) and are
-- neither compared nor compared against.
-- Parameters: $min_rows. Inputs: feed_fields.
with uploads_of as (
    select distinct kind, layout, upload_id, file_name, stored_at, rows
    from feed_fields
    where rows >= $min_rows
),

ordered as (
    select
        *,
        row_number() over (partition by kind, layout order by stored_at, upload_id) as n,
        lag(upload_id) over (partition by kind, layout order by stored_at, upload_id) as previous_id,
        lag(file_name) over (partition by kind, layout order by stored_at, upload_id) as previous_file
    from uploads_of
),

carried as (
    select o.kind, o.layout, o.upload_id, o.n, f.field, f.value
    from ordered as o
    join feed_fields as f using (upload_id)
),

new_values as (
    select o.kind, o.layout, o.upload_id, o.file_name, o.stored_at, o.previous_file, c.field, c.value, 'new' as change
    from ordered as o
    join carried as c on c.upload_id = o.upload_id
    where o.n > 1 and not exists (
        select 1 from carried as e
        where e.kind = o.kind and e.layout = o.layout and e.n < o.n and e.field = c.field and e.value = c.value
    )
),

vanished_values as (
    select o.kind, o.layout, o.upload_id, o.file_name, o.stored_at, o.previous_file, p.field, p.value,
        'vanished' as change
    from ordered as o
    join carried as p on p.upload_id = o.previous_id
    where not exists (
        select 1 from carried as c where c.upload_id = o.upload_id and c.field = p.field and c.value = p.value
    )
)

select * from new_values
union all
select * from vanished_values
order by kind, layout, stored_at, upload_id, change, field, value
