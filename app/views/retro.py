"""Retro: the weekly calibration review. What it shows is assembled by notebooks/retro/report.py as
`journeylens retro` assembles it (week_retro over the shared retro_base, app/retro_base.py, and
recent_record); decisions go to notebooks/retro/governance (each is
audit-logged, and an accepted threshold becomes a new thresholds version). retro.md, retro_stages.csv and
retro.html are offered as the CLI writes them (retro.html is made on click: report.retro_page)."""

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.calibration_view import calibration_section
from journeylens.app.downloads import CSV, HTML, MARKDOWN, offer
from journeylens.app.retro_base import shared_base
from journeylens.app.table_labels import show_table
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.queue.queue_view import counts_text
from journeylens.notebooks.retro.coverage_gaps import gaps_section
from journeylens.notebooks.retro.governance import decide, decision_key, decisions, open_suggestions
from journeylens.notebooks.retro.report import retro_markdown, retro_page
from journeylens.notebooks.retro.retro_base import recent_record, week_retro
from journeylens.notebooks.retro.scope import retro_scope_note, scoped
from journeylens.notebooks.retro.suggestions import decision_of, suggestion_title
from journeylens.notebooks.retro.weekly import data_weeks
from journeylens.notebooks.workspace.labels import record_text
from journeylens.notebooks.workspace.safe_output import csv_text

OTHER_KINDS = ("suppress", "detect_earlier", "playbook")


@st.cache_data(max_entries=16, show_spinner=False)
def week_of(ws: str, state: tuple, week: str | None, _base: dict) -> dict:
    """retro_base.week_retro of a week over the shared base of the workspace state `state` (app/retro_base.py)."""
    return week_retro(ws, week, _base)


@st.cache_data(max_entries=8)
def weeks_of(ws: str, uploads: tuple) -> list:
    return data_weeks(ws)


def of_kind(suggestions: list, *kinds: str) -> list:
    return [s for s in suggestions if s["kind"] in kinds]


def card_id(suggestion: dict) -> str:
    """A card's widget keys follow its suggestion, not its place: once one leaves the list, the "why" typed
    for it must not slide onto the next card."""
    return decision_key(decision_of(suggestion))


NO_NAME = "_retro_no_name"  # the card whose button was pressed without a name, shown by that card


def record_decision(ws: Path, suggestion: dict, accepted: bool, label: str, what: str, why_key: str | None,
                    card: str) -> None:
    """The button's callback: records the decision (governance.decide, with who and why) before the page's
    run, so one run shows it, out of the list and in "Decisions so far" (a decision taken inside the run and
    followed by st.rerun cost two runs of the whole page)."""
    who = str(st.session_state.get("retro_who", "")).strip()
    if not who:
        st.session_state[NO_NAME] = card
        return
    why = str(st.session_state.get(why_key, "")) if why_key else ""
    with guard("recording the decision"):  # a callback runs outside the page's guard: its error shows on top
        decide(ws, decision_of(suggestion), accepted, who, why)
        flash(f"{label}ed: {what}.")


def decision_buttons(ws: Path, suggestion: dict, key: str, what: str, why_key: str | None = None,
                     suffix: str = "") -> None:
    """Accept / Reject for one suggestion: the decision is recorded (governance.decide) with who and why."""
    card = key.format("")
    if st.session_state.get(NO_NAME) == card:
        del st.session_state[NO_NAME]
        st.error("Give your name first: every decision records who made it.")
    left, right = st.columns(2)
    for column, label, accepted in ((left, "Accept", True), (right, "Reject", False)):
        column.button(f"{label}{suffix}", key=f"{key.format(label.lower())}", on_click=record_decision,
                      args=(ws, suggestion, accepted, label, what, why_key, card))


def threshold_cards(ws: Path, suggestions: list) -> None:
    st.subheader("Suggestions")
    st.text_input("Your name (recorded with each decision)", key="retro_who")
    if not suggestions:
        st.caption("No threshold would have cut noise while keeping every incident that mattered.")
        return
    for item in suggestions:
        index = card_id(item)
        st.markdown(f"**{suggestion_title(item)}**: minimum deviation {item['z_min_now']:g} → "
                    f"{item['z_min_suggested']:g} SD. "
                    f"{item['evidence']}.")
        st.text_input("Why", key=f"why-{index}", label_visibility="collapsed", placeholder="why (optional)")
        decision_buttons(ws, item, "{}-" + index, suggestion_title(item), f"why-{index}")


def map_cards(ws: Path, suggestions: list) -> None:
    for item in suggestions:
        match = ", ".join(f"{key} {value}" for key, value in item["match"].items())
        st.markdown(f"**{suggestion_title(item)}** where {match}. {item['evidence']}.")
        decision_buttons(ws, item, "map-{}-" + card_id(item), suggestion_title(item).lower(), suffix=" mapping")


def other_cards(ws: Path, suggestions: list) -> None:
    for item in suggestions:
        st.markdown(f"**{suggestion_title(item)}**: {item['evidence']}. Expected: {item['effect']}.")
        decision_buttons(ws, item, "more-{}-" + card_id(item), suggestion_title(item).lower())


def retro_downloads(found: dict) -> None:
    """retro.md, retro_stages.csv and retro.html, as `journeylens retro` writes them (report.retro_markdown,
    safe_output.csv_text as write_csv, report.retro_page as write_retro's page). The page is made only
    when clicked: its JavaScript bundle takes seconds to build."""
    left, middle, right = st.columns(3)
    left.download_button("Download retro.md", retro_markdown(found), "retro.md", MARKDOWN, key="dl_md")
    middle.download_button("Download retro_stages.csv", csv_text(found["stages"]), "retro_stages.csv", CSV,
                           key="dl_csv")
    offer("Download retro.html", lambda: retro_page(found), "retro.html", HTML, "dl_html", right)


def decisions_section(ws: Path) -> None:
    st.subheader("Decisions so far")
    decided = decisions(ws)
    if decided.empty:
        st.caption("No suggestion accepted or rejected yet.")
        return
    listed = st.container()  # one slot for the list, which grows at its top: the table below keeps its place
    for row in decided.itertuples(index=False):  # newest first, in words: what, who, when and why
        when = pd.Timestamp(row.when).strftime("%Y-%m-%d %H:%M UTC")
        listed.markdown(f"**{row.decision.capitalize()}** by {row.who} · {when}: {row.suggestion}"
                    + (f" · _{row.why}_" if row.why and row.why != row.decision else ""))
    with st.expander("As a table"):
        st.dataframe(decided.assign(when=pd.to_datetime(decided["when"], utc=True)), hide_index=True,
                     key="decisions", column_order=["suggestion", "decision", "who", "why", "when"],
                     column_config={"suggestion": "Suggestion", "decision": "Decision", "who": "Who", "why": "Why",
                                    "when": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm")})


st.title("Retro")
st.write("Did the alerts that reached people matter? How fast did we restore the journey? What should we tune, "
         "and who changed what? Decisions made here are recorded in the audit log.")
workspace = workspace_path()
show_flash()
with guard("preparing the retro"):
    uploads = upload_key(workspace)
    week = st.selectbox("Week", [None, *weeks_of(str(workspace), uploads)], format_func=lambda w: w or "All data",
                        key="retro_week")
    state, base = shared_base(str(workspace), "Preparing the retro…",
                              "A decision changed the configuration: the retro is being worked "
                              "out again under it. The figures below are from before the change; the accepted or "
                              "rejected suggestion has left the list.")
    found = {**week_of(str(workspace), state, week, base), **recent_record(workspace, week)}
    volume, precision = found["volume"], found["precision"]
    cols = st.columns(5)
    for col, (label, value) in zip(cols, [("Alerts", volume["alerts"]), ("Groups", volume["groups"]),
                                          ("Unsuppressed", volume["unsuppressed"]),
                                          ("Linked to incidents", volume["reached_people"]),
                                          (f"Top {precision['k']} actioned", precision["top_linked_to_actioned"])],
                                   strict=True):
        col.metric(label, f"{value:,}")
    if volume["actioned_hidden_by_suppression"]:
        st.error("Suppression would have hidden actioned incidents: " + ", ".join(volume["actioned_hidden_by_suppression"]))
    st.caption(scoped(found["scope"], counts_text(found["counts"])) + " " + retro_scope_note(week))
    st.subheader("Per stage")
    show_table(found["stages"], "retro_stages")
    gaps = found["coverage_gaps"]
    st.subheader(f"Coverage gaps ({gaps['unmapped_groups']:,} unmapped groups, {gaps['unmapped_urgent']:,} "
                 "critical/high)")
    st.caption(gaps_section(gaps)[1])
    show_table(gaps["services"], "coverage_gaps", urgent_groups="Critical/high groups")
    st.subheader("Actioned incidents that ranked low")
    show_table(pd.DataFrame(precision["ranked_low"], columns=["incident_id", "best_rank"]), "ranked_low",
               incident_id="Incident")
    st.subheader("Conversion stability")
    stability = found["stability"]
    # a variance of a rate reads as 0.0051: its square root in points of conversion says the same in words
    show_table(stability.assign(conversion_variance=stability["conversion_variance"] ** 0.5 * 100), "stability",
               percent=("deepest_drop",), conversion_variance="Conversion spread (SD, points)",
               deepest_drop="Deepest drop below baseline")
    if found.get("ai_week_over_week") is not None:
        st.subheader("AI outcomes, week over week")
        wow = found["ai_week_over_week"]
        show_table(wow, "ai_wow", percent=[c for c in wow if c.endswith(("_rate", "_rate_before", "_rate_change"))])
    st.subheader("Week over week")
    trends = found["trends"]
    show_table(trends, "trends", percent=("noise_reduction",), top_actioned=f"Top {precision['k']} actioned",
               unmapped_urgent="Unmapped critical/high",
               **{c: f"MTTR {c.removeprefix('mttr_')} (min)" for c in trends if c.startswith("mttr_")})
    st.subheader("What changed")
    changes = found["changes"]
    show_table(changes.assign(what=changes["what"].map(record_text)) if len(changes) else changes, "changes")
    due = found["assumptions_due"]
    if due:
        st.warning("Assumptions due for review: " + "; ".join(f"{a['id']} {a['statement']} ({a['owner']})" for a in due))
    # only what nobody decided yet: a decision read back from the decision store leaves the list for good
    pending = open_suggestions(workspace, found["suggestions"])
    # each section in a slot every run has, so that a card that leaves (or a section that empties) does not
    # shift what follows: the browser builds a shifted table anew instead of updating it (see ui.show_flash)
    with st.container():
        threshold_cards(workspace, of_kind(pending, "threshold"))
    with st.container():
        if of_kind(pending, "map"):
            st.subheader("Unmapped services to map")
            map_cards(workspace, of_kind(pending, "map"))
    with st.container():
        if of_kind(pending, *OTHER_KINDS):
            st.subheader("Noise, late detection and playbooks")
            other_cards(workspace, of_kind(pending, *OTHER_KINDS))
    calibration_section(workspace)
    decisions_section(workspace)
    retro_downloads(found)
