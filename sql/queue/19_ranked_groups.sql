-- ranked_groups: the queue, one narrow row per alert group (SPEC §4.1). The wide columns, the
-- suppression reason and the playbook text are joined for output by ranking.queue_select, so a
-- re-rank after a weight change builds no strings for the (many) groups nobody will read.
--   suppressed : a suppression rule matched (maintenance window, known noise), or the score is below
--                the threshold, (when the profile spares harm) the group saw no harm, and it is not a
--                critical or high group in the needs-mapping lane (severity rank <= spare_rank): a
--                missing mapping never hides a critical, it shows it where a mapping is asked for. Suppressed
--                groups are kept and marked, never deleted, and rank after the unsuppressed ones.
-- The order is (suppressed, score desc, first_fired_at, group_id): ties broken so that the ranking
-- does not depend on input order. queue_select applies it to the top N only (a heap, not a sort of
-- every group) unless the whole queue is wanted.
-- A view: nothing is computed until queue_select reads it. Inputs: scored_groups (17, over
-- 18's routed rows), rank_settings (one row: the profile's threshold, spare_harm and spare_rank; a view cannot hold a parameter).
select
    s.*,
    s.suppression_position is not null
        or (s.score < t.threshold and not (t.spare_harm and s.harm_observed)
            and not (s.lane = 'needs_mapping' and s.severity_rank <= t.spare_rank)) as suppressed,
    t.threshold
from scored_groups as s
cross join rank_settings as t
