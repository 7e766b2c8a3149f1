-- jl_key_fingerprint(fingerprint) -> the fingerprint that keys an alert's group (SPEC §1 "alert group"), NULL
-- when it is missing or blank: such an alert is keyed by its rule name and service instead. One definition
-- for every query that keys alerts (sql/queue/04_alert_pieces.sql, 31 and 32 find a group's alerts again).
create or replace macro jl_key_fingerprint(fingerprint) as (
    case when nullif(trim(fingerprint), '') is not null then fingerprint end
)
