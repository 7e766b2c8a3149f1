-- restored_alert_pieces: the pieces a workspace keeps (34_stored_alert_pieces.sql) as 04_alert_pieces.sql
-- makes them, with `first_o` and `last_o` whole again. Input: kept_piece_files (a view over the Parquet
-- files of the snapshot's uploads, notebooks/queue/piece_store.py).
select
    * exclude (first_h, last_h),
    epoch_us(first_fired_at)::hugeint * 18446744073709551616 + first_h as first_o,
    epoch_us(last_fired_at)::hugeint * 18446744073709551616 + last_h as last_o
from kept_piece_files
