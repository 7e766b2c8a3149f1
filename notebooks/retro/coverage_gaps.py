"""Coverage gaps, counted in the retro: alert groups that fired on services no touchpoint claims.

Such a group has no stage, so nothing tells the queue how much customers feel it: it sits in the
needs-mapping lane (queue_view.needs_mapping) until a touchpoint rule claims its service. Per week (or
all data): how many groups, how many of them critical/high, and per service the groups, alerts and the
suggested rule, critical/high services first."""

import pandas as pd
from journeylens.notebooks.queue.queue_view import URGENT, needs_mapping

SERVICE_COLUMNS = ("service", "groups", "urgent_groups", "alerts", "suggested_rule")


def coverage_gaps(frame: pd.DataFrame, suggestions: pd.DataFrame | None = None) -> dict:
    """{unmapped_groups, unmapped_urgent, services} of a ranked frame (the week's rows): `services` has
    SERVICE_COLUMNS, one row per service needing a touchpoint, most critical/high groups first, then most
    groups. `suggestions` (mapping.coverage()["unmapped"]) fills a rule the ranking did not give."""
    lane = needs_mapping(frame, suggestions) if len(frame) else pd.DataFrame()
    if lane.empty:
        return {"unmapped_groups": 0, "unmapped_urgent": 0, "services": pd.DataFrame(columns=list(SERVICE_COLUMNS))}
    urgent = lane["severity"].astype("string").str.lower().isin(URGENT).fillna(False)
    per = lane.assign(urgent=urgent, rule=lane["suggested_rule"].where(lane["suggested_rule"].ne("")))
    by_service = per.groupby("service", sort=False)
    services = pd.DataFrame({
        "groups": by_service.size(), "urgent_groups": by_service["urgent"].sum().astype(int),
        "alerts": by_service["alert_count"].sum().astype(int),
        "suggested_rule": by_service["rule"].first().fillna(""),  # the first group's that has one
    }).reset_index()
    services = services.sort_values(["urgent_groups", "groups", "service"], ascending=[False, False, True],
                                    kind="stable").reset_index(drop=True)
    return {"unmapped_groups": len(lane), "unmapped_urgent": int(urgent.sum()),
            "services": services[list(SERVICE_COLUMNS)]}


def gaps_section(gaps: dict) -> tuple:
    """(heading, intro, columns, rows) of the retro's coverage gaps."""
    services = gaps["services"]
    return (
        "Coverage gaps", f"{gaps['unmapped_groups']:,} alert groups fired on services no touchpoint claims "
        f"({gaps['unmapped_urgent']:,} {'/'.join(URGENT)}); {len(services):,} services need a touchpoint. Their "
        "groups wait in the needs-mapping lane, whatever they score, until a rule maps them:",
        ["service", "groups", "critical/high", "alerts", "suggested rule"],
        [[str(r["service"]), str(r["groups"]), str(r["urgent_groups"]), str(r["alerts"]),
          str(r["suggested_rule"] or "none")] for r in services.to_dict("records")],
    )
