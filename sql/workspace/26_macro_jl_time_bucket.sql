-- jl_time_bucket(ts, seconds) -> the number of the `seconds`-wide bucket of time `ts` falls in: how alert
-- grouping buckets alerts as wide as its gap (sql/queue/04_alert_pieces.sql), and how 31 and 32 find a
-- group's alerts in its buckets again.
create or replace macro jl_time_bucket(ts, seconds) as (
    floor(epoch(ts) / seconds)
)
