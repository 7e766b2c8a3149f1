"""What ranked_alerts.csv and ranked_queue.csv say was counted, read back from the files: the numbers
queue_view.queue_counts gives the surfaces, so a test can check that a report's counts line agrees with
the CSVs written beside it."""

import pandas as pd


def counts_of_csvs(groups: pd.DataFrame, queue: pd.DataFrame) -> dict:
    """queue_counts' dict from the two CSVs (read with pandas): alert groups from ranked_alerts.csv,
    entries and signals from ranked_queue.csv (a signal alone is its own entry)."""
    unmapped = groups[groups["lane"].eq("needs_mapping")]
    suppressed = int(queue["suppressed"].astype(bool).sum())
    counts = {"alerts": int(groups["alert_count"].sum()), "alert_groups": len(groups), "entries": len(queue),
              "in_queue": len(queue) - suppressed, "suppressed": suppressed,
              "incident_candidates": int(queue["kind"].eq("incident").sum()), "needs_mapping": len(unmapped),
              "needs_mapping_urgent": int(unmapped["severity"].isin(["critical", "high"]).sum())}
    # a signal that joined an outage is a member of its incident entry: count members by their id's prefix
    members = queue["member_group_ids"].fillna("").astype(str).str.split(";").explode()
    counts.update({kind: int(members.str.startswith(prefix).sum())
                   for kind, prefix in (("journey_signal", "sig-"), ("ai_signal", "ai-"), ("burn_rate_page", "slo-"))})
    return counts
