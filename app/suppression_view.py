"""The Governance page's suppression editor: the weight profile's maintenance windows and known-noise rules
as a table, a form to add one, a form to remove one; each change saves a new profile version
(notebooks/queue/suppression_rules.py). How many groups each rule suppresses is counted on request."""

import datetime as dt

import pandas as pd
import streamlit as st
from journeylens.app.table_labels import show_table
from journeylens.app.ui import flash, show_error
from journeylens.notebooks.queue.profiles import DEFAULT_NAME
from journeylens.notebooks.queue.suppression_rules import (
    add_rule,
    current_rules,
    parse_match_args,
    remove_rule,
    rules_table,
    suppressed_by_rule,
)
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.versions import list_names

RULE_COLUMNS = ["rule", "kind", "stage", "match", "from", "until", "reason"]


def window_bound(day, time) -> str | None:
    """A date and a time of day (UTC) as ISO text; None when no date was chosen."""
    return dt.datetime.combine(day, time or dt.time(0, 0)).isoformat() if day else None


def suppression_section(workspace) -> None:
    st.subheader("Maintenance windows and suppression rules")
    st.caption("Groups a rule matches are suppressed with its reason: kept, marked, ranked last, never deleted. "
               "A rule with a start or end is a maintenance window (groups whose first alert fired in it, UTC). "
               "Every change saves a new version of the weight profile, in the audit log; "
               "`journeylens suppress` does the same from the command line.")
    names = list(dict.fromkeys([DEFAULT_NAME, *list_names(workspace, "profiles")]))
    name = st.selectbox("Weight profile", names, key="suppress_profile") if len(names) > 1 else DEFAULT_NAME
    found = current_rules(workspace, name)
    table = pd.DataFrame(rules_table(found["rules"]), columns=RULE_COLUMNS)
    st.caption(f"Profile {found['name']}, version {found['version']}: {len(table)} {'rule' if len(table) == 1 else 'rules'}.")
    if len(table) and st.button("Count the alert groups each rule suppresses now", key="suppress_count"):
        from journeylens.notebooks.queue.ranking import ranked_alerts

        counts = suppressed_by_rule(ranked_alerts(workspace, found["name"]))
        table["groups suppressed"] = table["reason"].map(lambda r: counts.get(r, 0))
    show_table(table, "suppress_rules", rule="#")
    with st.form("suppress_add"):
        st.markdown("**Add a maintenance window or known-noise rule**")
        a, b = st.columns(2)
        stage = a.text_input("Stage (glob, empty for any)", key="suppress_stage")
        match = b.text_input("Match (key=glob, comma-separated: service=ci-*, labels.env=staging)",
                             key="suppress_match")
        c, d, e, f = st.columns(4)
        start_day, start_time = c.date_input("From (UTC)", value=None, key="suppress_from_day"), \
            d.time_input("at", value=None, key="suppress_from_time")
        end_day, end_time = e.date_input("Until (UTC)", value=None, key="suppress_until_day"), \
            f.time_input("at ", value=None, key="suppress_until_time")
        reason = st.text_input("Reason (shown on every group it suppresses)", key="suppress_reason")
        if st.form_submit_button("Add the rule"):
            rule = {"match": parse_match_args([p for p in match.split(",") if p.strip()], "match"),
                    "reason": reason}
            for field, value in (("stage", stage.strip()), ("from", window_bound(start_day, start_time)),
                                 ("until", window_bound(end_day, end_time))):
                if value:
                    rule[field] = value
            try:
                done = add_rule(workspace, rule, found["name"])
            except IngestError as error:
                show_error(error, "adding the suppression rule")
            else:
                flash(f"Added rule {done['position']} ({done['rule']['reason']}): profile {done['name']} "
                      f"version {done['version']}.")
                st.rerun()
    if len(table):
        with st.form("suppress_remove"):
            labels = {f"{r['rule']}. {r['reason'] or r['match'] or r['stage']}": r["rule"] for r in table.to_dict("records")}
            chosen = st.selectbox("Rule to remove", list(labels), key="suppress_remove_rule")
            why = st.text_input("Why (kept in the audit log)", key="suppress_remove_why")
            if st.form_submit_button("Remove the rule"):
                try:
                    done = remove_rule(workspace, labels[chosen], found["name"], why=why)
                except IngestError as error:
                    show_error(error, "removing the suppression rule")
                else:
                    flash(f"Removed rule {labels[chosen]}: profile {done['name']} version {done['version']}.")
                    st.rerun()
