"""Journey SLO burn-rate pages as entries of the one ranked queue (issue 14: the same queue on every surface).

A stage whose journey SLO burns fast enough to page (slo.stage_burn_rates under the default multiwindow
table, slo.BURN_WINDOWS) is a problem a team must see beside its alerts, so each paging episode
(slo.burn_alerts) enters the queue on its stage: service 'slo:<stage>', severity high, scored, routed and
ranked like any group. Tickets (the slow burn) stay on the Journey health page: they are not pages."""

import hashlib

import pandas as pd
from journeylens.notebooks.signals.queue_entries import insert_queue_entries
from journeylens.notebooks.signals.slo import burn_alerts, stage_burn_rates


def append_burn_rate_groups(con, deviations: pd.DataFrame) -> int:
    """Adds each paging burn-rate episode of `deviations` (journey_signals.journey_deviations) to the
    temp table alert_groups; returns how many."""
    if deviations is None or deviations.empty:
        return 0
    pages = burn_alerts(stage_burn_rates(deviations))
    pages = pages[pages["action"] == "page"]
    if pages.empty:
        return 0
    last_ts = pd.to_datetime(deviations["ts"]).max()
    key = pages["stage"] + "|" + pages["started_at"].astype(str)
    started = pd.to_datetime(pages["started_at"])
    ended = pd.to_datetime(pages["ended_at"])
    return insert_queue_entries(con, pd.DataFrame({
        "group_id": "slo-" + key.map(lambda k: hashlib.md5(k.encode()).hexdigest()[:16]),
        "group_key": "slo:" + pages["stage"], "service": "slo:" + pages["stage"],
        "title": pages["stage"] + " journey SLO burning fast enough to page, since "
                 + started.dt.strftime("%Y-%m-%d %H:%M"),
        "stage": pages["stage"], "first_fired_at": started, "ended_at": ended, "severity_rank": 2,
    }), last_ts, kind="burn_rate_page")
