-- jl_order_key(ts, id) -> one number that orders alerts by time, then by a hash of their id: "first" and
-- "last" of alert grouping (sql/queue/04_alert_pieces.sql) never depend on the order alerts arrive in.
-- Epoch microseconds * 2^64 + the first 64 bits of md5(id): one 128-bit integer compares faster than a
-- (time, id) pair in min, max, arg_min and arg_max. md5, not DuckDB's own hash(), because Apache Spark
-- computes md5 alike (spark_sql.py writes this as a DECIMAL(38, 0) there), so both engines pick the same
-- first alert of a group when alerts of a key fire in the same microsecond.
create or replace macro jl_order_key(ts, id) as (
    epoch_us(ts)::hugeint * 18446744073709551616 + ('0x' || left(md5(id), 16))::ubigint
)
