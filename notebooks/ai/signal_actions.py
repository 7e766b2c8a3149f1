"""What to do about the AI outcome signals (issue 18 §2, seed 2), and their place in the one queue.

Actions (shown on the AI page and queued on the feature's stage, never applied by themselves):
- tighten    : the feature's edit rate has stayed below ai_edit_rate_target for ai_edit_rate_days days
               in a row: users keep its outputs as they are, so its threshold can be tightened;
- investigate: a fallback reason spiked (a fallback signal open or begun in the data's last 4 weeks);
- re-evaluate: production model versions drifted (shadow.model_drift): run the judge on a sample of
               the new version, with the exact command.
They are AI-page actions, not retro suggestions: a retro suggestion changes the weight profile when
accepted, these change the AI feature or its evaluations, outside journeylens."""

import hashlib

import numpy as np
import pandas as pd
from journeylens.notebooks.ai.outcome_signals import MIN_TRIALS
from journeylens.notebooks.ai.shadow import model_drift
from journeylens.notebooks.ai.signal_kinds import kind_deviations, kind_signals
from journeylens.notebooks.signals.queue_entries import insert_queue_entries

DEFAULT_EDIT_RATE_TARGET = 0.10  # profile ai_edit_rate_target
DEFAULT_EDIT_RATE_DAYS = 14  # profile ai_edit_rate_days
RECENT_DAYS = 28  # a fallback spike begun this recently still flags its feature
DEFAULT_REJUDGE_SAMPLE = 200  # profile ai_rejudge_sample: interactions of the new model version to judge
ACTION_COLUMNS = ["feature", "action", "title", "evidence", "command", "since"]


def setting(profile: dict | None, key: str, default):
    value = (profile or {}).get(key)
    return default if value is None else value


def edit_rate_actions(deviations: pd.DataFrame, profile: dict | None = None) -> list:
    """Features (slice 'all') whose rolling-week edit rate, with enough known edits behind it, stayed below
    the target every one of the last ai_edit_rate_days days of their data."""
    target = float(setting(profile, "ai_edit_rate_target", DEFAULT_EDIT_RATE_TARGET))
    days = int(setting(profile, "ai_edit_rate_days", DEFAULT_EDIT_RATE_DAYS))
    edits = deviations[(deviations["kind"] == "edit_rate") & (deviations["slice"] == "all")]
    out = []
    for feature, rows in edits.groupby("feature", sort=True):
        last = pd.Timestamp(rows["day"].max())
        recent = rows[pd.to_datetime(rows["day"]) > last - pd.Timedelta(days=days)]
        steady = len(recent) >= days and bool((recent["volume"] >= MIN_TRIALS).all()) \
            and bool((recent["value"] < target).all())
        if steady:
            out.append({"feature": feature, "action": "tighten",
                        "title": f"{feature}: edit rate below {target:.0%} for {days} days, tighten its threshold",
                        "evidence": f"rolling-week edit rate {recent['value'].min():.1%}–{recent['value'].max():.1%}"
                                    f" over the last {days} days (target {target:.0%})",
                        "command": "", "since": recent["day"].min()})
    return out


def fallback_actions(signals: pd.DataFrame, last_day) -> list:
    """A fallback-reason signal still open, or begun in the RECENT_DAYS before `last_day` (the data's last
    day), flags its feature: the detector's baseline follows a lasting rise, so an episode may end while
    the reason stays high."""
    spikes = signals[signals["kind"] == "fallback_reason"]
    if spikes.empty:
        return []
    since = pd.Timestamp(last_day) - pd.Timedelta(days=RECENT_DAYS)
    recent = spikes[spikes["ended_at"].isna() | (pd.to_datetime(spikes["started_at"]) > since)]
    out = []
    for feature, rows in recent.groupby("feature", sort=True):
        reasons = ", ".join(sorted({f"'{r}'" for r in rows["reason"].dropna()}))
        out.append({"feature": feature, "action": "investigate",
                    "title": f"{feature}: fallback spike ({reasons}), investigate the feature",
                    "evidence": "; ".join(rows["title"].head(3)), "command": "", "since": rows["started_at"].min()})
    return out


def drift_actions(con, workspace: str = "workspace", profile: dict | None = None) -> list:
    """Drift between the two latest production model versions proposes judging a sample of the new one:
    `journeylens judge --limit N` judges the oldest N interactions (those judged before are skipped), so N
    is where the first ai_rejudge_sample interactions of the new version end."""
    drift = model_drift(con)
    if drift is None or not drift["table"]["drift"].astype(bool).any():
        return []
    sample = int(setting(profile, "ai_rejudge_sample", DEFAULT_REJUDGE_SAMPLE))
    limit, since = _judge_limit(con, drift["after"], sample)
    columns = ", ".join(drift["table"].loc[drift["table"]["drift"].astype(bool), "column"])
    return [{"feature": "all", "action": "re-evaluate",
             "title": f"model {drift['before']} → {drift['after']} drifted ({columns}): re-run the judge on a sample",
             "evidence": f"drift in {columns} between production model versions {drift['before']} and "
                         f"{drift['after']}", "since": since,
             "command": f"journeylens judge --workspace {workspace} --limit {limit}"}]


def _judge_limit(con, version: str, sample: int) -> tuple:
    """(N, first ts): the judge's oldest-first position of the `sample`-th interaction of `version`."""
    rows = con.execute("""
        with ordered as (
            select row_number() over (order by ts, interaction_id) as position, ts, model_version, shadow
            from ai_interactions
        ),
        version_rows as (
            select position, ts, row_number() over (order by position) as nth
            from ordered where not shadow and model_version = $version
        )
        select max(position), min(ts) from version_rows where nth <= $sample""",
                       {"version": version, "sample": sample}).fetchall()
    return int(rows[0][0] or 0), rows[0][1]


def ai_actions(con, profile: dict | None = None, workspace: str = "workspace", deviations=None,
               signals=None) -> pd.DataFrame:
    """Every action the AI signals suggest now (ACTION_COLUMNS), tighten / investigate / re-evaluate."""
    deviations = kind_deviations(con, profile) if deviations is None else deviations
    signals = kind_signals(deviations) if signals is None else signals
    last_day = deviations["day"].max() if len(deviations) else None
    rows = edit_rate_actions(deviations, profile) + fallback_actions(signals, last_day) + \
        drift_actions(con, workspace, profile)
    return pd.DataFrame(rows, columns=ACTION_COLUMNS)


def append_ai_kind_groups(con, profile: dict | None = None) -> int:
    """Queues every fired AI outcome signal beyond task completion, and every action, on the stage its
    feature serves (the stage most of its interactions name), service 'ai:<feature>', like the task
    completion drops (outcome_signals.append_ai_signal_groups). Actions are low severity."""
    if not con.execute("select count(*) from ai_interactions where not shadow").fetchall()[0][0]:
        return 0
    deviations = kind_deviations(con, profile)
    signals = kind_signals(deviations)
    actions = ai_actions(con, profile, deviations=deviations, signals=signals)
    stages = dict(con.execute("select feature, mode(stage) from ai_interactions group by feature").fetchall())
    stages["all"] = con.execute("select mode(stage) from ai_interactions").fetchall()[0][0]  # model drift: all
    last_day = con.execute("select max(ts) from ai_interactions").fetchall()[0][0]
    key = signals["feature"] + "|" + signals["slice"] + "|" + signals["kind"] + "|" + \
        signals["reason"].fillna("") + "|" + signals["started_at"].astype(str)
    severity = np.select([signals["peak_z"] >= 6, (signals["peak_z"] >= 4) | signals["over_budget"].astype(bool)],
                         [2, 3], 4)
    entries = pd.DataFrame({
        "group_id": "ai-" + key.map(lambda k: hashlib.md5(k.encode()).hexdigest()[:16]),
        "group_key": "ai:" + signals["feature"] + "|" + signals["slice"] + "|" + signals["kind"],
        "service": "ai:" + signals["feature"], "title": signals["title"], "stage": signals["feature"].map(stages),
        "first_fired_at": pd.to_datetime(signals["started_at"]), "ended_at": pd.to_datetime(signals["ended_at"]),
        "severity_rank": severity})
    if not actions.empty:
        action_key = actions["feature"] + "|" + actions["action"]
        entries = pd.concat([entries, pd.DataFrame({
            "group_id": "ai-action-" + action_key.map(lambda k: hashlib.md5(k.encode()).hexdigest()[:16]),
            "group_key": "ai-action:" + action_key, "service": "ai:" + actions["feature"],
            "title": actions["title"], "stage": actions["feature"].map(stages),
            "first_fired_at": pd.to_datetime(actions["since"]), "ended_at": pd.NaT, "severity_rank": 4})],
            ignore_index=True)
    return insert_queue_entries(con, entries, last_day, kind="ai_signal")
