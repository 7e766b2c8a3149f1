"""Every AI outcome signal the AI page shows, as one table: task-completion drops (outcome_signals), the
kinds beyond task completion (signal_kinds: edit rate, fallback reason, silent failure, thumbs-down, p95
latency against its budget, cost per success) and the early churn signals (churn_signals), one row per
fired signal with the columns they share (REPORT_COLUMNS), and the actions they suggest (signal_actions).
For `journeylens ai-signals`; the detection is the modules named, this only puts their rows side by side.
The weight profile is passed in (a dict), as the app passes it to the AI page's sections."""

import pandas as pd
from journeylens.notebooks.ai.churn_signals import CHURN_KINDS, churn_deviations, churn_signal_list
from journeylens.notebooks.ai.outcome_signals import ai_deviations, ai_signal_list
from journeylens.notebooks.ai.signal_actions import ACTION_COLUMNS, ai_actions
from journeylens.notebooks.ai.signal_kinds import KIND_LABELS, kind_deviations, kind_signals

# kind -> (source, label): the order the summary and the table follow
KINDS = {"task_completion": ("task_completion", "task completion drop"),
         **{kind: ("outcome", label) for kind, label in KIND_LABELS.items()},
         **{kind: ("churn", spec["label"]) for kind, spec in CHURN_KINDS.items()}}
REPORT_COLUMNS = ["source", "kind", "feature", "slice", "started_at", "ended_at", "change", "peak_z", "title"]
# the kind of signal an action answers (re-evaluate answers a model drift, no signal kind)
ACTION_KINDS = {"tighten": "edit_rate", "investigate": "fallback_reason"}


def ai_interaction_count(con) -> int:
    """Production (not shadow) AI interactions in the snapshot."""
    return int(con.execute("select count(*) from ai_interactions where not shadow").fetchall()[0][0])


def churn_slice(row) -> str:
    """A churn series' slice in the outcome kinds' words: 'all', 'pro', 'task_type draft', 'stage checkout'."""
    parts = []
    if pd.notna(row["segment"]) and row["segment"] != "all":
        parts.append(str(row["segment"]))
    if pd.notna(row["task_type"]) and row["task_type"] != "all":
        parts.append(f"task_type {row['task_type']}")
    if pd.notna(row["stage"]):
        parts.append(f"stage {row['stage']}")
    return ", ".join(parts) or "all"


def completion_rows(con) -> pd.DataFrame:
    drops = ai_signal_list(ai_deviations(con))
    return drops.rename(columns={"segment": "slice"}).assign(source="task_completion", kind="task_completion")


def churn_rows(con) -> pd.DataFrame:
    churn = churn_signal_list(churn_deviations(con))
    sliced = churn.apply(churn_slice, axis=1) if len(churn) else pd.Series(dtype=object)
    return churn.assign(source="churn", kind=churn["signal"], slice=sliced)


def report_table(parts: list) -> pd.DataFrame:
    """The parts' rows under REPORT_COLUMNS, in KINDS order, then feature, slice and start."""
    parts = [p[REPORT_COLUMNS] for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for column in ("started_at", "ended_at"):
        table[column] = pd.to_datetime(table[column])
    for column in ("change", "peak_z"):
        table[column] = table[column].astype(float)
    order = table["kind"].map({kind: i for i, kind in enumerate(KINDS)})
    return table.assign(order=order).sort_values(["order", "feature", "slice", "started_at"], kind="stable") \
        .drop(columns="order").reset_index(drop=True)


def signal_report(con, profile: dict | None = None, workspace: str = "workspace") -> dict:
    """{"interactions": production AI interactions, "signals": every fired signal (REPORT_COLUMNS),
    "actions": what they suggest (signal_actions.ACTION_COLUMNS)}; nothing is run without interactions."""
    interactions = ai_interaction_count(con)
    if not interactions:
        return {"interactions": 0, "signals": pd.DataFrame(columns=REPORT_COLUMNS),
                "actions": pd.DataFrame(columns=ACTION_COLUMNS)}
    deviations = kind_deviations(con, profile)
    kinds = kind_signals(deviations)
    actions = ai_actions(con, profile, str(workspace), deviations=deviations, signals=kinds)
    signals = report_table([completion_rows(con), kinds.assign(source="outcome"), churn_rows(con)])
    return {"interactions": interactions, "signals": signals, "actions": actions}


def only_kinds(report: dict, kinds) -> dict:
    """The report kept to `kinds` (None: all): its signals of those kinds, and the actions that answer one
    of them (ACTION_KINDS; the re-evaluate of a model drift answers none, so it goes)."""
    if not kinds:
        return report
    kinds = set(kinds)
    signals, actions = report["signals"], report["actions"]
    return {**report, "signals": signals[signals["kind"].isin(kinds)].reset_index(drop=True),
            "actions": actions[actions["action"].map(ACTION_KINDS).isin(kinds)].reset_index(drop=True)}


def kind_counts(signals: pd.DataFrame) -> list:
    """[(kind, label, fired)] of the kinds that fired, in KINDS order."""
    counts = signals["kind"].value_counts()
    return [(kind, label, int(counts[kind])) for kind, (_, label) in KINDS.items() if kind in counts]
