"""Ranked alerts: which problems hurt customers most right now, under a weight profile you can tune.

The page calls `journeylens.notebooks.queue.ranking`, `journeylens.notebooks.queue.scoring`, `journeylens.notebooks.queue.profiles` and `journeylens.notebooks.ingest.playbook_file`; the
only SQL here are small reads for the drill-down (the hourly stage state the ranking left, changes)."""

import copy
import json
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.charts import stage_window_chart
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.profiles import load_profile, profile_diff, profile_history, save_profile
from journeylens.notebooks.queue.ranking import queue_select, rank_alerts
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, segment_conversion
from journeylens.notebooks.workspace.snapshot import connect
from journeylens.notebooks.workspace.versions import list_names

DEFAULT_NAME = "default"
# (setting, label, min, max, step, help); "weights.x" is a weight. Integers have integer steps; a
# switch (no step) is a checkbox.
KNOBS = [
    *[(f"weights.{w}", f"Weight: {w}", 0.0, 1.0, 0.05, f"How much the {w} of an alert counts in its signal.")
      for w in DEFAULT_PROFILE["weights"]],
    ("corroboration", "Corroboration", 0.0, 1.0, 0.05,
     "How much observed journey harm decides: an alert whose stage was measured fine keeps 1 − this."),
    ("harm_exponent", "Harm exponent", 0.2, 2.0, 0.1,
     "Harm counts as harm^this: below 1, that a stage got worse counts more than by how much."),
    ("harm_observed_min", "Least harm that counts", 0.0, 1.0, 0.05,
     "Harm below this counts as none (and does not keep a group above the threshold)."),
    ("threshold", "Suppression threshold", 0.0, 100.0, 0.5, "Groups scoring below are suppressed (kept, marked)."),
    ("threshold_spares_harm", "Threshold never hides observed harm", None, None, None,
     "A group whose stage measurably got worse in its window stays in the queue, however low it scores."),
    ("group_gap_minutes", "Group gap (minutes)", 1, 1440, 5, "Alerts of one key further apart are separate."),
    ("default_exposure", "Default exposure", 0.0, 1.0, 0.05, "Exposure of a stage without journey metrics."),
    ("default_harm", "Default harm", 0.0, 1.0, 0.05, "Harm where it cannot be measured."),
    ("default_confidence", "Default confidence", 0.0, 1.0, 0.05, "Confidence of a tool that gives none."),
    ("harm_full_drop", "Conversion drop that counts fully", 0.05, 1.0, 0.05,
     "A conversion this far (relative) below its baseline is full harm."),
    ("min_entered", "Minimum entries to call a drop", 0, 1000, 5, "Fewer entries in the window: no harm read."),
]
TABLE_COLUMNS = ("rank", "score", "stage", "service", "name", "severity", "alert_count", "stage_factor", "signal",
                 "corroboration", "harm", "harm_observed", "exposure", "severity_component", "confidence_component",
                 "duration_component", "recurrence_component", "suppressed", "suppressed_reason", "flapping",
                 "playbook", "automation_tier", "change_at", "change_service", "change_description")
CHANGE_LOOKBACK_H = 6
CHART_MARGIN_H = 24


def get_setting(profile: dict, key: str):
    section, _, name = key.partition(".")
    return profile[section][name] if name else profile[section]


def set_setting(profile: dict, key: str, value) -> None:
    section, _, name = key.partition(".")
    if name:
        profile[section][name] = value
    else:
        profile[section] = value


# -- the expensive part, remembered per workspace content, profile and playbooks ----------------------

@st.cache_data(max_entries=32, show_spinner="Ranking the alerts…")
def ranking(ws: str, uploads: tuple, profile_json: str, playbooks_json: str) -> dict:
    """rank_alerts on a fresh snapshot: the ranked groups, the hourly stage state and which services map
    to which stage. `uploads` is only part of the cache key (a new upload is a new answer)."""
    con = connect(ws)
    try:
        rank_alerts(con, json.loads(profile_json), json.loads(playbooks_json), signals=True)
        return {
            "ranked": con.execute(queue_select()).df(),
            "hourly": con.execute("select stage, hour, traffic, entered, completed, conversion, "
                                  "conversion_baseline from stage_hourly order by stage, hour").df(),
            "stage_services": con.execute("select distinct stage, service from alert_groups "
                                          "where stage is not null").df(),
        }
    finally:
        con.close()


# -- sidebar: the profile --------------------------------------------------------------------------

def profile_controls(ws: Path) -> tuple[str, dict]:
    """The profile picker and one control per setting; returns (picked name, the profile as set)."""
    st.sidebar.subheader("Weight profile")
    if "_pick_next" in st.session_state:
        st.session_state["profile_pick"] = st.session_state.pop("_pick_next")
    names = [DEFAULT_NAME] + [n for n in list_names(ws, "profiles") if n != DEFAULT_NAME]
    picked = st.sidebar.selectbox("Profile", names, key="profile_pick")
    record = load_profile(ws, picked)
    st.sidebar.caption(f"Version {record['version']} · {record.get('author') or '—'}"
                       + (f" · {record['comment']}" if record.get("comment") else ""))
    loaded = (picked, record["version"])
    if st.session_state.get("_loaded_profile") != loaded:  # a new pick: controls start from its values
        for key, *_ in KNOBS:
            st.session_state[f"knob-{key}"] = get_setting(record["profile"], key)
        st.session_state["_loaded_profile"] = loaded
    profile = copy.deepcopy(record["profile"])
    for key, label, low, high, step, help_text in KNOBS:
        current = st.session_state[f"knob-{key}"]
        if step is None:
            set_setting(profile, key, st.sidebar.checkbox(label, key=f"knob-{key}", help=help_text))
            continue
        if isinstance(step, int):
            low, high, cast = int(min(low, current)), int(max(high, current)), int
        else:
            low, high, cast = float(min(low, current)), float(max(high, current)), float
        st.session_state[f"knob-{key}"] = cast(current)
        value = st.sidebar.slider(label, low, high, step=cast(step), key=f"knob-{key}", help=help_text)
        set_setting(profile, key, value)
    return picked, profile


def save_form(ws: Path, picked: str, profile: dict) -> None:
    with st.sidebar.form("save_profile"):
        st.markdown("**Save as new version**")
        name = st.text_input("Profile name", value="" if picked == DEFAULT_NAME else picked, key="save_name")
        author = st.text_input("Author", key="save_author")
        comment = st.text_input("Comment", key="save_comment")
        if st.form_submit_button("Save as new version"):
            if not name.strip():
                st.warning("Give the profile a name.")
                return
            with guard("saving the profile"):
                record = save_profile(ws, name.strip(), profile, author=author.strip() or None, comment=comment)
                flash(f"Saved profile {record['name']} as version {record['version']}.")
                st.session_state["_pick_next"] = record["name"]
                st.session_state.pop("_loaded_profile", None)
                st.rerun()


# -- main: the answer and the drill-down -----------------------------------------------------------

def answer(ranked: pd.DataFrame) -> pd.DataFrame:
    suppressed = int(ranked["suppressed"].sum())
    cells = st.columns(3)
    cells[0].metric("Groups", f"{len(ranked):,}")
    cells[1].metric("Unsuppressed", f"{len(ranked) - suppressed:,}")
    cells[2].metric("Suppressed", f"{suppressed:,}")
    show_all = st.toggle("Show suppressed groups", key="show_suppressed")
    shown = ranked if show_all else ranked[~ranked["suppressed"]]
    st.dataframe(shown, hide_index=True, column_order=TABLE_COLUMNS, key="ranked_table",
                 column_config={"score": st.column_config.NumberColumn("score", format="%.1f")})
    return shown


def text_or(value, missing: str = "—") -> str:
    return missing if value is None or pd.isna(value) or value == "" else str(value)


CHANGES_SQL = """
select ts, service, kind, description from changes
where ts >= $since and ts <= $until and list_contains($services, service)
order by ts
"""


def drill_down(ws: Path, shown: pd.DataFrame, result: dict) -> None:
    groups = {f"#{r.rank} · {r.service} · {r.name} · {text_or(r.stage, 'unmapped')}": r.group_id
              for r in shown.itertuples(index=False)}
    label = st.selectbox("Group", list(groups), index=None, key="drill_group",
                         placeholder="choose a group to see why it ranks where it does")
    if label is None:
        return
    group = shown[shown["group_id"] == groups[label]].iloc[0]
    start, end = pd.Timestamp(group["window_start"]), pd.Timestamp(group["window_end"])
    stage = group["stage"]
    left, right = st.columns(2)
    left.markdown(f"**Stage** {text_or(stage, 'unmapped')} · **touchpoint** {text_or(group['touchpoint'])}  \n"
                  f"**Window** {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC · "
                  f"**score** {group['score']:.1f} · **{group['alert_count']}** alert(s)")
    if group["playbook"] and not pd.isna(group["playbook"]):
        right.markdown(f"**Suggested playbook: {group['playbook']}** ({group['automation_tier']}, owner "
                       f"{group['playbook_owner']})  \n{group['playbook_action']}")
    else:
        right.markdown("No playbook matches this group.")
    with st.expander("Alert ids"):
        st.code(str(group["alert_ids"]).replace(",", "\n"), language=None)

    services = [group["service"]]
    con = connect(ws)
    try:
        if stage and not pd.isna(stage):
            mapped = result["stage_services"]
            services += [s for s in mapped.loc[mapped["stage"] == stage, "service"] if s != group["service"]]
            segments = segment_conversion(con, stage, start, end)
        else:
            segments = pd.DataFrame()
        since = pd.Timestamp(group["first_fired_at"]) - pd.Timedelta(hours=CHANGE_LOOKBACK_H)
        changes = con.execute(CHANGES_SQL, {"since": since, "until": pd.Timestamp(group["first_fired_at"]),
                                            "services": services}).df()
    finally:
        con.close()

    if stage and not pd.isna(stage):
        hourly = result["hourly"]
        margin = pd.Timedelta(hours=CHART_MARGIN_H)
        around = hourly[(hourly["stage"] == stage) & (hourly["hour"] >= start - margin)
                        & (hourly["hour"] <= end + margin)]
        if around.empty:
            st.info(f"No journey metrics for stage {stage} around this window.")
        else:
            st.altair_chart(stage_window_chart(around, start, end, stage))
            st.caption(f"Shaded: the alert window. Dashed: the stage's median conversion at that hour of day. "
                       f"{CHART_MARGIN_H} h either side of the window.")
        if segments.empty:
            st.caption("No segment measured at this stage in the window.")
        else:
            below = segments[segments["conversion"] < segments["conversion_baseline"]]
            names = ", ".join(below["segment"]) or "none"
            st.markdown(f"**Segments below their baseline in the window:** {names}")
            st.dataframe(segments, hide_index=True, key="segments_table")
    else:
        st.caption("This group maps to no journey stage: no journey metrics to show.")

    st.markdown(f"**Changes in the {CHANGE_LOOKBACK_H} h before the first alert** "
                f"(on {', '.join(services)})")
    if changes.empty:
        st.caption("None recorded.")
    else:
        st.dataframe(changes, hide_index=True, key="changes_table")


def profile_versions(ws: Path, picked: str) -> None:
    """Who changed the profile, when and why, and what changed between two versions."""
    history = profile_history(ws, picked) if picked != DEFAULT_NAME or list_names(ws, "profiles") else []
    if not history:
        return
    with st.expander(f"Versions of profile {picked}"):
        st.dataframe(pd.DataFrame(history), hide_index=True, key="profile_history")
        numbers = [0] + [h["version"] for h in history]
        left, right = st.columns(2)
        old = left.selectbox("Compare version", numbers, index=max(len(numbers) - 2, 0), key="diff_old",
                             format_func=lambda v: "built-in defaults" if v == 0 else f"v{v}")
        new = right.selectbox("with version", numbers, index=len(numbers) - 1, key="diff_new",
                              format_func=lambda v: "built-in defaults" if v == 0 else f"v{v}")
        changes = profile_diff(ws, picked, old, new)
        if changes:
            st.dataframe(pd.DataFrame(changes, columns=["setting", "old", "new"]).astype(str), hide_index=True,
                         key="profile_diff")
        else:
            st.caption("No setting differs.")


# -- the page: title, what it answers, controls, answer, detail ------------------------------------

st.title("Ranked alerts")
st.write("Which alert groups hurt customers most? Groups are scored by journey stage, signal and observed "
         "harm under the weight profile in the sidebar; change a weight and the queue re-ranks.")
workspace = workspace_path()
show_flash()

with guard("ranking the alerts"):
    picked, profile = profile_controls(workspace)
    save_form(workspace, picked, profile)
    uploads = upload_key(workspace)
    result = ranking(str(workspace), uploads, json.dumps(profile, sort_keys=True, default=str),
                     json.dumps(load_playbooks(workspace), sort_keys=True, default=str))
    if result["ranked"].empty:
        st.info("No alerts to rank yet. Add alerts and a journey map on the Data page, or run "
                "`journeylens demo` for a sample workspace.")
    else:
        shown = answer(result["ranked"])
        st.subheader("Why this group?")
        drill_down(workspace, shown, result)
    profile_versions(workspace, picked)
