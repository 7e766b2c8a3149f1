"""What each notification rule finds in a workspace now: its entries, the things worth telling someone about.

Nothing here decides anew what is an outage, a page, a drop or a verdict: each rule reads the answer the
app's own pages read, from the functions that compute it.

- queue: the ranked queue (kept_queue.stored_ranked_frame -> queue_view.queue_entries, as `journeylens rank`
  and the Ranked page see it): its first `top` entries whose score is at least `min_score` (the page score;
  default the profile's threshold, i.e. every entry not suppressed). level = 1 + the `bands` its score
  has reached, so a score rising past a higher band escalates.
- burn_rate: every stage's journey SLO burn (slo.stage_burn_rates -> slo.burn_alerts, as the Journey health
  page): an episode still burning at the latest bucket whose action is one of `actions` (page by default).
  level = the action's order (ticket 1, page 2): a ticket that turns into a page escalates.
- ai_deviation: task-completion drops (outcome_signals.ai_deviations -> ai_signal_list, as the AI page): an
  episode still open at the latest day, peak |z| at least `min_peak_z`; level = 1 + the `bands` of peak |z|.
- shadow: the shadow against production (shadow.paired_scores -> shadow_verdict under the default profile's
  ai_weights and shadow_min_days, as the AI page): one entry
  saying "ready to promote" or "must not be promoted", keyed by the verdict, so a verdict that flips resolves
  the old entry and fires the new one. Fewer scored pairs than the verdict needs: no entry.

An entry is {rule, key, title, stage, service, why, level, value, severity, link}; `key` is what stays the
same while it is the same problem (the queue entry's id, a stage and the episode's start...). A rule whose
answer cannot be read (a profile not saved, a failed read) is an error for that rule only: its entries are
unknown, which is not the same as gone, so nothing it fired is resolved on that account (deliver.py)."""

import pandas as pd

PD_SEVERITIES = ("info", "warning", "error", "critical")  # PagerDuty Events v2, mildest first
FROM_QUEUE_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info", "info": "info"}


def level_of(value: float, bands: list) -> int:
    """1 + how many of the ascending `bands` `value` has reached."""
    return 1 + sum(value >= band for band in bands)


def raised(severity: str, steps: int) -> str:
    """`severity` raised by `steps` on PagerDuty's scale (an entry escalated past a band is more urgent)."""
    return PD_SEVERITIES[min(len(PD_SEVERITIES) - 1, PD_SEVERITIES.index(severity) + max(0, steps))]


def queue_rule_entries(entries: pd.DataFrame, rule: dict, threshold: float, app_url: str) -> list:
    """The entries of a `queue` rule, from queue_view.queue_entries (best first); `threshold` is the profile's,
    the page score when the rule gives none."""
    page_score = threshold if rule.get("min_score") is None else rule["min_score"]
    rows = entries[entries["kind"].isin(rule["kinds"]) & (entries["score"] >= page_score)]
    if not rule.get("include_suppressed"):
        rows = rows[~rows["suppressed"].astype(bool)]
    out = []
    for row in rows.head(rule["top"]).itertuples(index=False):
        level = level_of(float(row.score), rule["bands"])
        severity = raised(FROM_QUEUE_SEVERITY.get(str(row.severity), "warning"), level - 1)
        stage = None if pd.isna(row.stage) else str(row.stage)
        what = f"{row.kind.replace('_', ' ')} of {int(row.members)} group(s), {int(row.alert_count)} alert(s)" if (
            row.kind in ("incident", "alert_group")) else row.kind.replace("_", " ")
        out.append({
            "rule": rule["id"], "key": str(row.entry_id), "title": f"{row.service} · {row.name}", "stage": stage,
            "service": str(row.service), "level": level, "value": round(float(row.score), 2), "severity": severity,
            "why": f"rank {int(row.rank)}, score {float(row.score):.1f} ≥ page score {page_score:g}; {what}, "
                   f"severity {row.severity}",
            "link": f"{app_url}/ranked?entry={row.entry_id}"})
    return out


def burn_rule_entries(rates: pd.DataFrame, rule: dict, app_url: str) -> list:
    """The entries of a `burn_rate` rule, from slo.stage_burn_rates: episodes (slo.burn_alerts) still burning."""
    from journeylens.notebooks.signals.slo import ACTION_ORDER, burn_alerts, burn_status

    if rates.empty:
        return []
    alerts = burn_alerts(rates)
    alerts = alerts[alerts["ended_at"].isna() & alerts["action"].isin(rule["actions"])]
    latest = burn_status(rates).set_index("stage")
    out = []
    for row in alerts.itertuples(index=False):
        burns = latest.loc[row.stage].filter(like="burn_").dropna()
        burning = ", ".join(f"{column.removeprefix('burn_')} {value:.1f}×" for column, value in burns.items())
        started = pd.Timestamp(row.started_at)
        out.append({
            "rule": rule["id"], "key": f"{row.stage}|{started.isoformat()}", "stage": str(row.stage),
            "title": f"{row.stage} journey SLO burning fast enough to {row.action}", "service": f"slo:{row.stage}",
            "level": ACTION_ORDER[row.action], "value": float(burns.max()) if len(burns) else None,
            "severity": "critical" if row.action == "page" else "warning",
            "why": f"since {started:%Y-%m-%d %H:%M} UTC ({int(row.buckets)} bucket(s)); budget burn now: {burning}",
            "link": f"{app_url}/health"})
    return out


def ai_rule_entries(signals: pd.DataFrame, stages: dict, rule: dict, app_url: str) -> list:
    """The entries of an `ai_deviation` rule, from outcome_signals.ai_signal_list: drops still open.
    `stages`: {feature: the journey stage it serves}."""
    rows = signals[signals["ended_at"].isna() & (signals["peak_z"].abs() >= rule["min_peak_z"])]
    out = []
    for row in rows.itertuples(index=False):
        level = level_of(abs(float(row.peak_z)), rule["bands"])
        started = pd.Timestamp(row.started_at)
        out.append({
            "rule": rule["id"], "key": f"{row.feature}|{row.segment}|{started.date().isoformat()}",
            "title": str(row.title), "stage": stages.get(row.feature), "service": f"ai:{row.feature}",
            "level": level, "value": round(abs(float(row.peak_z)), 2), "severity": raised("warning", level - 1),
            "why": f"task completion {float(row.change):+.0%} against its baseline for {row.segment}, since "
                   f"{started:%Y-%m-%d}; peak |z| {abs(float(row.peak_z)):.1f}",
            "link": f"{app_url}/ai"})
    return out


def shadow_rule_entries(pairs: pd.DataFrame, verdict: dict, rule: dict, app_url: str) -> list:
    """The entry of a `shadow` rule, from shadow.paired_scores and shadow_verdict (none without a verdict)."""
    if pairs.empty or pd.isna(verdict.get("ci_low")):
        return []
    said = "promote" if verdict["promote"] else "hold"
    if said not in rule["when"]:
        return []
    shadow = ", ".join(sorted(pairs["shadow_model"].dropna().astype(str).unique())) or "the shadow"
    production = ", ".join(sorted(pairs["production_model"].dropna().astype(str).unique())) or "production"
    title = (f"Shadow {shadow} is ready to promote over {production}" if said == "promote"
             else f"Shadow {shadow} must not be promoted over {production}")
    return [{"rule": rule["id"], "key": f"{said}|{production}->{shadow}", "title": title, "stage": None,
             "service": f"ai:{shadow}", "level": 1, "value": round(float(verdict["relative"]), 4),
             "severity": "info" if said == "promote" else "warning",
             "why": f"{verdict['reason']}; {verdict['pairs']} scored pairs, mean weighted score "
                    f"{float(verdict['relative']):+.1%} against production",
             "link": f"{app_url}/ai"}]


class Reads:
    """What the rules of one evaluation read, each once: the ranked queue per profile, the journey deviations
    and one snapshot for the AI rules."""

    def __init__(self, workspace):
        self.workspace, self.queues, self.found, self.con = workspace, {}, {}, None

    def queue(self, profile: str | None) -> tuple:
        """(queue_entries, the profile's threshold)."""
        if profile not in self.queues:
            from journeylens.notebooks.queue.kept_queue import stored_ranked_frame
            from journeylens.notebooks.queue.profiles import load_profile
            from journeylens.notebooks.queue.queue_view import queue_entries

            threshold = float(load_profile(self.workspace, profile)["profile"]["threshold"])
            self.queues[profile] = (queue_entries(stored_ranked_frame(self.workspace, profile)), threshold)
        return self.queues[profile]

    def once(self, name: str, make):
        if name not in self.found:
            self.found[name] = make()
        return self.found[name]

    def snapshot(self):
        if self.con is None:
            from journeylens.notebooks.workspace.snapshot import connect

            self.con = connect(self.workspace)
        return self.con

    def close(self) -> None:
        if self.con is not None:
            from journeylens.notebooks.workspace.snapshot import close_snapshot

            close_snapshot(self.con)
            self.con = None


def rule_entries(reads: Reads, rule: dict, app_url: str) -> list:
    """The entries of one rule now (module docstring)."""
    if rule["kind"] == "queue":
        entries, threshold = reads.queue(rule.get("profile"))
        return queue_rule_entries(entries, rule, threshold, app_url)
    if rule["kind"] == "burn_rate":
        from journeylens.notebooks.signals.journey_signals import workspace_signals
        from journeylens.notebooks.signals.slo import DEFAULT_OBJECTIVE, stage_burn_rates

        deviations = reads.once("deviations", lambda: workspace_signals(reads.workspace)["deviations"])
        if deviations.empty:
            return []
        rates = stage_burn_rates(deviations, rule.get("objective") or DEFAULT_OBJECTIVE, rule.get("windows"))
        return burn_rule_entries(rates, rule, app_url)
    con = reads.snapshot()
    if rule["kind"] == "ai_deviation":
        from journeylens.notebooks.ai.outcome_signals import ai_deviations, ai_signal_list

        signals = reads.once("ai_signals", lambda: ai_signal_list(ai_deviations(con)))
        stages = reads.once("ai_stages", lambda: dict(con.execute(
            "select feature, mode(stage) from ai_interactions group by feature").fetchall()))
        return ai_rule_entries(signals, stages, rule, app_url)
    from journeylens.notebooks.ai.shadow import NON_INFERIORITY, paired_scores, shadow_verdict
    from journeylens.notebooks.queue.profiles import load_profile

    # as the AI page: the default profile's AI weights and shortest shadow run
    profile = reads.once("ai_profile", lambda: load_profile(reads.workspace)["profile"])
    pairs = reads.once("pairs", lambda: paired_scores(con, profile["ai_weights"]))
    verdict = shadow_verdict(pairs, rule.get("margin") or NON_INFERIORITY, min_days=profile["shadow_min_days"])
    return shadow_rule_entries(pairs, verdict, rule, app_url)


def evaluate_rules(workspace, config: dict) -> dict:
    """{rule id: [entries] or the Exception that kept it from being read}, every rule of the config."""
    reads = Reads(workspace)
    found = {}
    try:
        for rule in config["rules"]:
            try:
                found[rule["id"]] = rule_entries(reads, rule, config["app_url"])
            except Exception as err:  # noqa: BLE001 - one rule that cannot be read must not silence the others
                found[rule["id"]] = err
    finally:
        reads.close()
    return found
