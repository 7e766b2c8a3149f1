"""The retro's shared part and its week part, for the report notebook (report.assemble_retro) and the app.

retro_base is what every week shares, worked out once per state of the data and the configuration
(retro_state): the ranked context, the trends, the standing suggestions and every week's weekly.retro.
week_retro reads one week from it; recent_record reads what people did (the audit log, the assumptions)
afresh. The app keeps one base per workspace state for all its sessions (app/retro_base.py), so that
switching the week or deciding on a suggestion answers at once.
"""

from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.retro.governance import due_assumptions
from journeylens.notebooks.retro.retro_engine import spark_retro_context
from journeylens.notebooks.retro.suggestions import (
    late_stages,
    map_suggestions,
    playbook_hints,
    quiet_touchpoints,
    threshold_suggestions,
)
from journeylens.notebooks.retro.weekly import (
    read_audit,
    retro,
    retro_context,
    retro_trends,
    week_changes,
    week_window,
)
from journeylens.notebooks.signals.feed_health import feed_health_retro
from journeylens.notebooks.workspace.snapshot import list_uploads
from journeylens.notebooks.workspace.versions import config_state

# the configuration kinds retro_base depends on (weights, thresholds, playbooks, severity maps)
RETRO_CONFIG = ("profiles", "thresholds", "playbooks", "severity_maps")


def retro_base(workspace, profile_name: str | None = None, spark: dict | None = None,
               week: str | None = None) -> dict:
    """What every week's retro shares, worked out once per state of the data and the configuration: the
    ranked context (weekly.retro_context), the week-over-week `trends` (weekly.retro_trends) and the
    suggestions made from all the data (thresholds, maps), with every week's weekly.retro (`weeks`, None
    for all the data). Read-only for its users: the app keeps one per
    workspace state, so that switching the week re-reads only the week. `spark` ranks and counts the
    stages on Apache Spark (retro_engine), `week` among them."""
    context = (spark_retro_context(workspace, profile_name, spark, week) if spark is not None
               else retro_context(workspace, profile_name))
    weeks = {None: retro(workspace, None, context=context)}  # every week's weekly.retro, kept: a switch reads it
    return {"context": context, "trends": retro_trends(workspace, context=context, weeks_found=weeks),
            "weeks": weeks, "profile_name": profile_name,
            "standing": [*threshold_suggestions(workspace, context["incidents"]), *map_suggestions(workspace)]}


def retro_state(workspace) -> tuple:
    """What retro_base depends on: the upload ids and the latest versions of the configuration that
    changes the ranking (RETRO_CONFIG). Decisions, assumptions and the audit log are not in it: the
    retro reads those afresh."""
    return (tuple(list_uploads(workspace).get("upload_id", ())), config_state(workspace, RETRO_CONFIG))


def week_retro(workspace, week: str | None, base: dict) -> dict:
    """weekly.retro of the week (stages, volume, precision, stability, AI week over week), the `trends`
    (weekly.retro_trends) and `suggestions`, every kind with its evidence and expected effect: thresholds
    and maps (from all the data), then the week's suppress, detect_earlier and playbook suggestions."""
    context = base["context"]
    kept = base.get("weeks", {})
    found = dict(kept[week]) if week in kept else retro(workspace, week, context=context)
    found["trends"] = base["trends"]
    found["suggestions"] = [*base["standing"], *quiet_touchpoints(context, week), *late_stages(context, week),
                            *playbook_hints(context, week)]
    profile = load_profile(workspace, base.get("profile_name"))["profile"]
    found["feed_health"] = feed_health_retro(workspace, *week_window(week), profile)  # gaps, stale feeds, drift
    return found


def recent_record(workspace, week: str | None = None) -> dict:
    """{changes, uploads, assumptions_due}: what changed in the week (weekly.week_changes) and the
    assumptions due for review, read afresh from the audit log and the register, so a decision shows at
    once."""
    return {**week_changes(read_audit(workspace), week), "assumptions_due": due_assumptions(workspace)}
