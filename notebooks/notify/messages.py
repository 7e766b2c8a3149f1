"""The messages an evaluation's changes become, one format per kind of destination.

Grouping: the changes one rule owes one destination in one evaluation are one message (Slack, a JSON
webhook), listing at most the rule's `max_listed` of them and counting the rest, so an outage of forty
groups is one post, not forty. PagerDuty is the exception: its `dedup_key` is the incident, so each entry is
its own event (trigger on fired and escalated, resolve on resolved), and PagerDuty groups them itself.

Every message says what happened (fired, escalated, resolved), on which stage, why (the rule's reading:
score and page score, burn rate, drop, verdict) and links into the app. A payload never holds a secret:
the webhook URL and the routing key are added by the sender (destinations.py), so a dry run can show it.
"""

import hashlib

CHANGE_WORDS = {"fired": "FIRED", "escalated": "ESCALATED", "resolved": "RESOLVED"}
CHANGE_ICONS = {"fired": ":rotating_light:", "escalated": ":arrow_double_up:", "resolved": ":white_check_mark:"}
SLACK_TEXT_LIMIT = 2900  # a section's text is at most 3000 characters
SUMMARY_LIMIT = 1024  # PagerDuty's payload.summary


def counted(changes: list) -> str:
    """'2 fired, 1 resolved' in the order fired, escalated, resolved."""
    counts = {word: sum(c["change"] == word for c in changes) for word in CHANGE_WORDS}
    return ", ".join(f"{n} {word}" for word, n in counts.items() if n)


def summary(rule: dict, changes: list) -> str:
    """One line: the change of a lone entry, else the rule and its counts."""
    if len(changes) == 1:
        change = changes[0]
        stage = f" [{change['stage']}]" if change.get("stage") else ""
        return f"{CHANGE_WORDS[change['change']]}{stage}: {change.get('title') or change['key']}"[:SUMMARY_LIMIT]
    return f"journeylens {rule['id']}: {counted(changes)}"


def slack_escape(text) -> str:
    """Slack mrkdwn's three control characters, escaped as Slack asks (&, <, >)."""
    return str(text if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_line(change: dict) -> str:
    title = slack_escape(change.get("title") or change["key"]).replace("|", "¦")
    link = f"<{change['link']}|{title}>" if change.get("link") else f"*{title}*"
    stage = f"stage *{slack_escape(change['stage'])}*" if change.get("stage") else "no journey stage"
    was = f" (level {change['previous_level']} → {change['level']})" if change["change"] == "escalated" else ""
    why = slack_escape(change.get("why") or "")
    why = f"no longer found by the rule; when told: {why}" if change["change"] == "resolved" else why
    return (f"{CHANGE_ICONS[change['change']]} *{CHANGE_WORDS[change['change']]}*{was} {link}\n"
            f"{stage} · {why}")[:SLACK_TEXT_LIMIT]


def slack_payload(rule: dict, changes: list, workspace_name: str) -> dict:
    """Block Kit: a header, one section per listed change (what, stage, why, link), a context line."""
    listed, more = changes[:rule["max_listed"]], len(changes) - rule["max_listed"]
    header = f"journeylens · {rule['id']}: {counted(changes)}"[:150]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": header}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": slack_line(c)}} for c in listed]
    tail = f" · and {more} more in the app" if more > 0 else ""
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(
        f"rule {rule['id']} ({rule['kind']}) · workspace {workspace_name}") + tail}]})
    return {"text": summary(rule, changes), "blocks": blocks}


def change_record(change: dict) -> dict:
    return {k: change.get(k) for k in ("change", "key", "title", "stage", "service", "level", "previous_level",
                                       "value", "severity", "why", "link")}


def webhook_payload(rule: dict, changes: list, workspace_name: str) -> dict:
    """A plain JSON document any receiver can read: the rule, the counts, the listed changes."""
    listed = changes[:rule["max_listed"]]
    return {"source": "journeylens", "workspace": workspace_name, "rule": rule["id"], "rule_kind": rule["kind"],
            "summary": summary(rule, changes), "counts": {w: sum(c["change"] == w for c in changes) for w in CHANGE_WORDS},
            "changes": [change_record(c) for c in listed], "more": max(0, len(changes) - len(listed))}


def dedup_key(rule: dict, key: str, workspace_name: str) -> str:
    """PagerDuty's incident key for one entry of one rule (at most 255 characters: long keys are hashed)."""
    text = f"journeylens/{workspace_name}/{rule['id']}/{key}"
    return text if len(text) <= 255 else f"journeylens/{hashlib.sha256(text.encode()).hexdigest()}"


def pagerduty_event(rule: dict, change: dict, workspace_name: str, app_url: str) -> dict:
    """An Events API v2 event without its routing key (the sender adds it): trigger or resolve."""
    event = {"event_action": "resolve" if change["change"] == "resolved" else "trigger",
             "dedup_key": dedup_key(rule, change["key"], workspace_name)}
    if event["event_action"] == "trigger":
        payload = {
            "summary": summary(rule, [change]), "source": f"journeylens:{workspace_name}",
            "severity": change.get("severity") or "warning", "component": change.get("service"),
            "group": change.get("stage"), "class": rule["kind"],
            "custom_details": {"rule": rule["id"], **change_record(change)}}
        event["payload"] = {k: v for k, v in payload.items() if v is not None}  # optional fields: absent, not null
        event["client"], event["client_url"] = "journeylens", app_url
        if change.get("link"):
            event["links"] = [{"href": change["link"], "text": "Open in journeylens"}]
    return event


def plan_messages(rule: dict, destination: dict, changes: list, workspace_name: str, app_url: str) -> list:
    """The messages owed to one destination for one rule: [{rule, destination, type, changes, summary,
    payload, id}]; `changes` are those the message carries (the state moves by them once it is acknowledged)."""
    if not changes:
        return []
    kind = destination["type"]
    if kind == "pagerduty":
        groups = [[change] for change in changes]
        payloads = [pagerduty_event(rule, change, workspace_name, app_url) for change in changes]
    else:
        groups = [changes]
        make = slack_payload if kind == "slack" else webhook_payload
        payloads = [make(rule, changes, workspace_name)]
    out = []
    for carried, payload in zip(groups, payloads, strict=True):
        ident = "|".join([rule["id"], destination["id"], *(f"{c['change']}:{c['key']}:{c['level']}" for c in carried)])
        out.append({"id": hashlib.sha256(ident.encode()).hexdigest()[:16], "rule": rule["id"],
                    "rule_kind": rule["kind"], "destination": destination["id"], "type": kind,
                    "changes": carried, "summary": summary(rule, carried), "payload": payload})
    return out
