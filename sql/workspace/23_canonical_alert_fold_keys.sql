-- Per upload of alerts: the lifecycle keys whose notices must be folded, because the key has several
-- notices in the upload, a notice without its firing, or notices in an earlier upload. Every other
-- notice is its alert already (sql/ingest/15_folded_alerts.sql).
create table canonical.alert_fold_keys (
    alert_key varchar
)
