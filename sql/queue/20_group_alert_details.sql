-- group_alert_details: for the groups asked for, their alert ids in firing order, the instances
-- (labels instance, host, hostname or pod) they fired on, and their flap cycles. Both need every alert of a
-- group in order, the one sort of wide alert rows in grouping, so they are worked out only for the groups a
-- caller shows (the queue's top rows, or all of them for a full export) rather than for every group.
--
-- A query over `group_alert_members` (31 or 33: the chosen groups' alerts, a relation the caller names, as
-- groups.details_sql does) and group_settings (notebooks/queue/groups.py).
--
-- A fire -> end -> fire cycle (flapping) is an alert that does not start its group (it fires no more
-- than the gap after every earlier alert of its key ended), fires after all of them ended, and fires
-- no more than the flap window after the previous alert of its key fired. The alerts before a group's
-- first all ended more than a gap earlier, so "earlier alerts of its key" are the group's own.
with steps as (
    select
        group_id,
        alert_id,
        fired_at,
        instance,
        lag(fired_at) over (partition by group_id order by fired_at, alert_id) as previous_fired_at,
        -- the window written out, not named: Spark SQL takes no frame after a named window
        max(ended_at) over (
            partition by group_id order by fired_at, alert_id rows between unbounded preceding and 1 preceding
        ) as previous_ended_at
    from group_alert_members
)

select
    st.group_id,
    string_agg(st.alert_id, ';' order by st.fired_at, st.alert_id) as alert_ids,
    string_agg(distinct st.instance, ';' order by st.instance) as instances,
    count(*) filter (
        where st.fired_at >= st.previous_ended_at
        and epoch(st.fired_at) - epoch(st.previous_ended_at) <= s.gap_minutes * 60
        and epoch(st.fired_at) - epoch(st.previous_fired_at) <= s.flap_window_minutes * 60
    ) as flap_count
from steps as st
cross join group_settings as s
group by st.group_id
