-- queue_counts: what every surface counts (queue_view.counts_text says it in words), over `queue_rows`
-- (the ranked rows: alert groups, journey signals, AI signals, burn-rate pages) and `entry_rows` (their
-- entries, 22_queue_entries.sql). One row.
select
    coalesce(sum(alert_count) filter (where kind = 'alert_group'), 0) as alerts,
    count(*) filter (where kind = 'alert_group') as alert_groups,
    (select count(*) from entry_rows) as entries,
    (select count(*) filter (where not suppressed) from entry_rows) as in_queue,
    (select count(*) filter (where suppressed) from entry_rows) as suppressed,
    (select count(*) filter (where kind = 'incident') from entry_rows) as incident_candidates,
    count(*) filter (where kind = 'alert_group' and lane = 'needs_mapping') as needs_mapping,
    count(*) filter (where kind = 'alert_group' and lane = 'needs_mapping'
        and lower(severity) in ('critical', 'high')) as needs_mapping_urgent,
    count(*) filter (where kind = 'journey_signal') as journey_signal,
    count(*) filter (where kind = 'ai_signal') as ai_signal,
    count(*) filter (where kind = 'burn_rate_page') as burn_rate_page
from queue_rows
