-- stored_alert_pieces: 04_alert_pieces.sql's pieces of one upload in the shape a workspace keeps them
-- (notebooks/queue/piece_store.py writes them to Parquet). Parquet has no 128-bit integer, so the order of
-- a piece's first and last alert (`first_o`, `last_o`: epoch microseconds * 2^64 + a hash of the alert id)
-- is kept as the hash alone (`first_h`, `last_h`): the microseconds are those of first_fired_at and
-- last_fired_at, the piece's first and last alert's, and 35_restored_alert_pieces.sql puts them back
-- exactly. Input: upload_pieces (04 over one upload's alerts; notebooks/ingest/piece_writer.py
-- replaces the marked input with the table that holds them).
select
    * exclude (first_o, last_o),
    (first_o - epoch_us(first_fired_at)::hugeint * 18446744073709551616)::ubigint as first_h,
    (last_o - epoch_us(last_fired_at)::hugeint * 18446744073709551616)::ubigint as last_h
from upload_pieces /* pieces */
