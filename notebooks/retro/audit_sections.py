"""The audit report's sections (report.md and report.html share them): what was uploaded, what was
counted, AI outcomes, mapping coverage, the needs-mapping lane, the ranked queue's top entries, the top
ranked groups with every factor of their score, journey signals and the noise reduction. Every cell is
plain text here; the page renderers (pages.py) escape it."""

import pandas as pd
from journeylens.notebooks.queue.queue_view import URGENT, counts_text
from journeylens.notebooks.queue.scoring import COMPONENTS

TOP_GROUPS = 10
TOP_ENTRIES = 10
LANE_ROWS = 25  # the needs-mapping lane in a report: the first rows (critical/high first), the count says all
# What a score is made of, in the order the report explains it (see scoring.py).
BREAKDOWN = ("impact", "sensitivity", "stage_factor", *COMPONENTS, "signal", "harm", "corroboration")
UNMAPPED = "unmapped"


def percent(share) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def cell_text(value) -> str:
    """A value as report text: empty for missing, numbers rounded to 3 decimals."""
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return str(value)


def report_sections(summary: dict) -> list:
    """The report as [(heading, intro, columns, rows)], shared by the Markdown and HTML renderings.
    Every cell is plain text; each renderer escapes it."""
    cover, noise = summary["coverage"], summary["noise"]
    breakdown = [c for c in BREAKDOWN if c in summary["ranked"].columns]
    sections = [(
        "What was uploaded", f"{len(summary['uploads'])} files into a throw-away workspace; weight profile "
        f"{summary['profile_name']!r}.", ["file", "kind", "layout", "format", "rows"],
        [[u["file_name"], u["kind"], u["layout"], u["format"], f"{int(u['rows']):,}"] for u in summary["uploads"]],
    )]
    if summary.get("counts") is not None:
        sections.append(counted_section(summary["counts"]))
    ai = summary.get("ai_metrics")
    if ai is not None:
        shown = ["task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success",
                 "p95_latency_ms", "retention_90d"]
        sections.append((
            "AI outcome metrics", "Production interactions per feature (all segments; ai_metrics.csv has every "
            "segment and every SPEC §4.2 column). With user signal: interactions whose `accepted` is known, "
            "the denominator of task completion. Empty: the metric's denominator is zero.",
            ["feature", "interactions", "with user signal", *shown],
            [[r["feature"], f"{int(r['interactions']):,}", f"{int(r['with_user_signal']):,}",
              *[cell_text(r[c]) for c in shown]]
             for r in ai[ai["segment"] == "all"].to_dict("records")],
        ))
    sections.append((
        "Mapping coverage", f"{cover['mapped']:,} of {cover['alerts']:,} alerts map to a journey stage "
        f"(mapped share {percent(cover['mapped_share'])}). Services with most unmapped alerts:",
        ["service", "unmapped alerts", "alerts", "suggested stage", "suggested rule", "why"],
        [[u["service"], f"{int(u['unmapped_alerts']):,}", f"{int(u['alerts']):,}", cell_text(u["suggested_stage"]),
          cell_text(u["suggested_rule"]), cell_text(u["reason"])] for u in summary["unmapped"]],
    ))
    if summary.get("needs_mapping") is not None:
        sections.append(lane_section(summary["needs_mapping"], summary["counts"]))
    if summary.get("queue") is not None:
        sections.append(queue_section(summary["queue"]))
    sections.append((
        f"Top {TOP_GROUPS} ranked groups", "Best first. score = 100 x stage_factor x signal x corroboration, where "
        "stage_factor = impact/10 x (0.5 + 0.5 x sensitivity), signal = the weighted mean of the five component "
        "columns and corroboration = 1 - c + c x harm (see scoring.py). A playbook is shown when the "
        "workspace has a catalogue (an audit starts with none).",
        ["rank", "service", "name", "stage", "alerts", "severity", "score", *breakdown, "suppressed", "playbook"],
        [[cell_text(g["rank"]), cell_text(g["service"]), cell_text(g["name"]), cell_text(g["stage"]) or UNMAPPED,
          cell_text(g["alert_count"]), cell_text(g["severity"]), f"{g['score']:.1f}",
          *[cell_text(g[c]) for c in breakdown], cell_text(g["suppressed_reason"]) if g["suppressed"] else "no",
          " — ".join(x for x in (cell_text(g["playbook"]), cell_text(g["playbook_action"])) if x) or "none"]
         for g in summary["top"]],
    ))
    signals = summary.get("signals")
    if signals is not None and len(signals):
        sections.append((
            "Journey signals", f"{len(signals)} deviations of a stage's conversion, time to value or satisfaction "
            "from its own history (thresholds.py; journey_signals.csv has every column). They are queued on their "
            "stage, in the app and in ranked_queue.csv; ranked_alerts.csv keeps them apart, as SPEC §4.1 ranks "
            "alert groups.",
            ["signal", "peak |z|", "entered"],
            [[cell_text(r["title"]), f"{r['peak_z']:.1f}", f"{int(r['entered']):,}"] for r in signals.to_dict("records")],
        ))
    sections.append((
        "Noise reduction", f"{noise['alerts']:,} alerts -> {noise['groups']:,} groups -> "
        f"{noise['unsuppressed']:,} unsuppressed groups ({percent(noise['reduction'])} fewer items to look at "
        f"than alerts); {noise['suppressed']:,} groups suppressed, by reason:", ["reason", "groups"],
        [[r["reason"], f"{r['groups']:,}"] for r in noise["suppressed_by_reason"]],
    ))
    return sections


def lane_section(lane: pd.DataFrame, counts: dict) -> tuple:
    """(heading, intro, columns, rows) of the needs-mapping lane: alert groups on services no touchpoint
    claims, critical/high first (queue_view.needs_mapping), with the suggested rule. Shared with the retro."""
    shown = lane.head(LANE_ROWS)
    more = f" The first {len(shown)} are listed." if len(lane) > len(shown) else ""
    return (
        "Needs mapping", f"{counts['needs_mapping']:,} alert groups on services no touchpoint claims "
        f"({counts['needs_mapping_urgent']:,} {'/'.join(URGENT)}), listed here whatever they score, "
        f"{'/'.join(URGENT)} first: their stage is unknown, so nothing says how much customers feel them. Add the "
        f"suggested rule to the journey map, or map the service.{more}",
        ["rank", "service", "name", "severity", "alerts", "first fired", "instances", "suppressed", "suggested rule"],
        [[cell_text(g["rank"]), cell_text(g["service"]), cell_text(g["name"]), cell_text(g["severity"]),
          cell_text(g["alert_count"]), str(g["first_fired_at"])[:16], cell_text(g["instances"]),
          cell_text(g["suppressed_reason"]) if g["suppressed"] else "no", cell_text(g["suggested_rule"]) or "none"]
         for g in shown.to_dict("records")],
    )


def queue_section(entries: pd.DataFrame, top: int = TOP_ENTRIES) -> tuple:
    """(heading, intro, columns, rows) of the ranked queue's first entries (ranked_queue.csv)."""
    return (
        f"Top {top} queue entries (ranked_queue.csv)", "The ranked queue the app shows: one row per entry, "
        "groups of one outage (same incident key) as one incident candidate with its member groups, sources and "
        "instances; journey signals, AI signals and burn-rate pages beside them.",
        ["rank", "kind", "score", "stage", "service", "name", "severity", "members", "sources", "instances",
         "suppressed"],
        [[cell_text(e["rank"]), cell_text(e["kind"]), f"{e['score']:.1f}", cell_text(e["stage"]) or UNMAPPED,
          cell_text(e["service"]), cell_text(e["name"]), cell_text(e["severity"]), cell_text(e["members"]),
          cell_text(e["sources"]), cell_text(e["instances"]), "yes" if e["suppressed"] else "no"]
         for e in entries.head(top).to_dict("records")],
    )


def counted_section(counts: dict) -> tuple:
    return ("What was counted", counts_text(counts), [], [])
