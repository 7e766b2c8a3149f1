-- The window of every alert group: the hours its score reads, and the drill-down shows.
--   [hour of first_fired_at, end), end = last_resolved_at, else last_fired_at + 1 hour (never before
--   the first alert), at most $max_window_hours long: an alert nobody resolved must not absorb a week.
-- Parameter: $max_window_hours. Input: alert_groups.
select
    group_id,
    stage,
    date_trunc('hour', first_fired_at) as window_start,
    least(
        greatest(coalesce(last_resolved_at, last_fired_at + interval 1 hour), first_fired_at),
        first_fired_at + to_hours(cast($max_window_hours as bigint))
    ) as window_end
from alert_groups
