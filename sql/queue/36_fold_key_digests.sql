-- fold_key_digests: per upload, which of its alerts' lifecycle keys fold (some upload lists them in
-- alert_fold_keys), as a count and an xor of their hashes. An upload's kept pieces
-- (notebooks/queue/piece_store.py) hold only its alerts that do not fold; they stay right while this digest
-- stays the same, and are made again when a later upload folds one of its alerts, or the upload that did
-- is removed. Input: fold_notice_files (the stored notices of the keys that fold,
-- notebooks/workspace/snapshot.py).
select
    upload_id,
    count(*) as fold_keys,
    bit_xor(hash(alert_key)) as fold_hash
from (select distinct upload_id, coalesce(alert_key, alert_id) as alert_key from fold_notice_files)
group by upload_id
