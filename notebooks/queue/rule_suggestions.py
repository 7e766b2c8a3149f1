"""Touchpoint rules suggested for the services no rule maps, and why.

For each top unmapped service of the coverage (mapping.coverage): the stage of mapped services with the
same name prefix, else of mapped services sharing a name word, else the stage whose names share a word;
else none ("probably internal"). A partly mapped service gets no suggestion: its rules are narrower on
purpose."""

import json
import re

import pandas as pd

# Name tokens too common to say anything about a journey stage (suggestions ignore them).
GENERIC_TOKENS = frozenset({
    "api", "app", "backend", "cron", "frontend", "gateway", "internal", "job", "jobs", "prod", "proxy",
    "server", "service", "staging", "svc", "web", "worker",
})
INTERNAL_REASON = ("probably internal: no mapped service or stage shares a name token; "
                   "leave unmapped or map explicitly")


def name_tokens(text) -> list:
    """Lower-case words of a name, split on anything not a letter or digit; words under 3 letters,
    numbers and GENERIC_TOKENS dropped, a trailing plural `s` ignored (payments ~ payment)."""
    words = re.split(r"[^a-z0-9]+", str(text or "").lower())
    tokens = [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words]
    return [t for t in tokens if len(t) >= 3 and not t.isdigit() and t not in GENERIC_TOKENS]


def glob_literal(text: str) -> str:
    """A glob that matches exactly `text` (its * ? [ escaped as character classes)."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def suggest_rule(service: str, mapped: dict, stage_words: dict) -> dict:
    """A suggested rule for an unmapped service, and why. Tried in order, first hit wins:
      1. mapped services whose first name token is this one's first token -> their stage (most alerts),
         rule `service: "<first token><separator>*"` (e.g. payments-ledger -> payments-*)
      2. mapped services sharing any other name token -> their stage, rule on the exact service name
      3. the stage whose id, name or touchpoint names share most tokens with the service, exact rule
      4. none: probably internal (stage None)
    `mapped`: {service: {stage: alerts}} of mapped services; `stage_words`: {stage: set of tokens}."""
    tokens = name_tokens(service)
    exact = {"service": glob_literal(service)}

    def best(services):
        votes = {}
        for other in services:
            for stage, count in mapped[other].items():
                votes[stage] = votes.get(stage, 0) + count
        return max(votes, key=lambda s: votes[s]) if votes else None

    others = [s for s in mapped if s != service]
    head = re.match(r"[A-Za-z0-9]+[^A-Za-z0-9]?", service)
    if head and tokens and name_tokens(head.group(0)) == tokens[:1]:
        same_first = [s for s in others if name_tokens(s)[:1] == tokens[:1]]
        if same_first:
            prefix = head.group(0)
            return {"stage": best(same_first), "match": {"service": glob_literal(prefix) + "*"},
                    "reason": f"shares the prefix {tokens[0]!r} with " + ", ".join(sorted(same_first))}
    sharing = [s for s in others if set(name_tokens(s)) & set(tokens)]
    if sharing:
        return {"stage": best(sharing), "match": exact,
                "reason": "shares a name token with " + ", ".join(sorted(sharing))}
    overlap = {stage: len(words & set(tokens)) for stage, words in stage_words.items()}
    if overlap and max(overlap.values()) > 0:
        stage = max(overlap, key=lambda s: overlap[s])
        return {"stage": stage, "match": exact,
                "reason": f"its name shares {sorted(stage_words[stage] & set(tokens))} with stage {stage}"}
    return {"stage": None, "match": None, "reason": INTERNAL_REASON}


def suggestion_inputs(con, per_stage_sql: str) -> tuple[dict, dict]:
    """What suggest_rule reads, from `con`: {service: {stage: count}} of the mapped services
    (`per_stage_sql` gives service, stage, count rows) and {stage: tokens} of the stage and touchpoint names."""
    mapped_counts = {}
    for service, stage, count in con.execute(per_stage_sql).fetchall():
        mapped_counts.setdefault(service, {})[stage] = count
    stage_words = {}
    for stage, name in con.execute("select stage, name from stages").fetchall():
        stage_words.setdefault(stage, set()).update(name_tokens(stage) + name_tokens(name))
    for stage, touchpoint in con.execute("select stage, touchpoint from touchpoints").fetchall():
        stage_words.setdefault(stage, set()).update(name_tokens(touchpoint))
    return mapped_counts, stage_words


def unmapped_services(con, by_service: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The `top` services of `by_service` (sql/queue/03_mapping_coverage.sql) with most unmapped alerts,
    each with suggested_stage, suggested_rule (JSON) and reason (suggest_rule, over the mapped services of
    `mapped_alerts` and the workspace's stage and touchpoint names on `con`)."""
    mapped_counts, stage_words = suggestion_inputs(
        con, "select service, stage, count(*) from mapped_alerts where stage is not null group by all")
    unmapped = (by_service[by_service["unmapped_alerts"] > 0]
                .sort_values(["unmapped_alerts", "service"], ascending=[False, True]).head(top)
                [["service", "unmapped_alerts", "alerts", "sources"]].reset_index(drop=True))
    suggestions = []
    for row in unmapped.itertuples():
        if row.service in mapped_counts:
            reason = (f"partly mapped ({row.alerts - row.unmapped_alerts} of {row.alerts} alerts, to "
                      f"{', '.join(sorted(mapped_counts[row.service]))}): its rules are narrower on purpose")
            suggestions.append({"stage": None, "match": None, "reason": reason})
        else:
            suggestions.append(suggest_rule(row.service, mapped_counts, stage_words))
    stages = [s["stage"] for s in suggestions]
    rules = [json.dumps({"stage": s["stage"], "match": s["match"]}) if s["stage"] else None
             for s in suggestions]
    unmapped["suggested_stage"] = pd.Series(stages, index=unmapped.index, dtype=object)
    unmapped["suggested_rule"] = pd.Series(rules, index=unmapped.index, dtype=object)
    unmapped["reason"] = [s["reason"] for s in suggestions]
    return unmapped


def lane_suggestions(con, queue: pd.DataFrame) -> pd.DataFrame:
    """`queue` (ranking.queue_select rows) with suggested_rule filled for its needs-mapping rows: per
    unmapped service, suggest_rule over the services the alert groups on `con` map (their group counts)
    and the workspace's stage and touchpoint names, as text: `service: "signup-*" -> stage signup
    (shares the prefix 'signup' with signup-api)`, or why none is suggested."""
    if queue.empty or "lane" not in queue or not (queue["lane"] == "needs_mapping").any():
        return queue
    mapped_counts, stage_words = suggestion_inputs(
        con, "select service, stage, count(*) from alert_groups where stage is not null "
             "and kind = 'alert_group' group by all")
    texts = {}
    for service in queue.loc[queue["lane"] == "needs_mapping", "service"].dropna().unique():  # per service
        found = suggest_rule(str(service), mapped_counts, stage_words)
        texts[service] = (f"service: {json.dumps(found['match']['service'])} -> stage {found['stage']} "
                          f"({found['reason']})" if found["stage"] else found["reason"])
    queue = queue.copy()
    lane = queue["lane"] == "needs_mapping"
    queue["suggested_rule"] = queue["suggested_rule"].astype(object)
    queue.loc[lane, "suggested_rule"] = queue.loc[lane, "service"].map(texts)
    return queue
