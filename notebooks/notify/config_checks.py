"""What a workspace notification config may say, checked field by field.

A config is YAML a person wrote (`journeylens notify set FILE`): destinations (where messages go) and rules
(what is worth a message). A config that cannot be trusted is refused as a whole, before anything is
stored, with a message naming the file and the field (`rules[2].min_score`), what was expected and what
was found. Secrets are never part of it: a destination names the environment variable that holds its URL
or routing key (`url_env`), and a field that would hold the secret itself (`url`, `routing_key`…) is refused,
so a config can be shared, stored in the workspace and shown in the app without leaking anything.
"""

import re

from journeylens.notebooks.workspace.contract import IngestError

DESTINATION_TYPES = ("slack", "webhook", "pagerduty")
RULE_KINDS = ("queue", "burn_rate", "ai_deviation", "shadow")
QUEUE_KINDS = ("alert_group", "incident", "journey_signal", "ai_signal", "burn_rate_page")
BURN_ACTIONS = ("page", "ticket")
SHADOW_VERDICTS = ("promote", "hold")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
# Fields that would put a secret into the config: refused, with the environment variable to use instead.
SECRET_FIELDS = {"url": "url_env", "webhook_url": "url_env", "routing_key": "routing_key_env",
                 "integration_key": "routing_key_env", "token": "url_env", "key": "routing_key_env"}
DEFAULT_RETRY = {"attempts": 3, "backoff_s": 1.0, "max_wait_s": 30.0}
DEFAULT_APP_URL = "http://127.0.0.1:8501"


class ConfigError(IngestError):
    """A refused notification config: `column` is the field's path (`rules[2].min_score`)."""

    def __init__(self, file, field, expected, found, row=None):
        super().__init__(file, row, field, expected, found)
        where = ", ".join(str(part) for part in (file, f"line {row}" if row else None) if part)
        Exception.__init__(self, f"{where}: field {field or '(the whole file)'}: expected {expected}, found {found}")


class Fields:
    """Reads one mapping of the config, refusing what it does not know, naming every field by its path."""

    def __init__(self, file: str, path: str, value, known: tuple):
        self.file, self.path = file, path
        if not isinstance(value, dict):
            self.refuse(None, "a mapping of settings", type(value).__name__)
        self.value = value
        for key in value:
            if key in SECRET_FIELDS and key not in known:
                self.refuse(key, f"no secret in the config: name the environment variable that holds it "
                                 f"({SECRET_FIELDS[key]}: SOME_VARIABLE)", "a value (not stored, not shown)")
            if key not in known:
                self.refuse(key, f"one of {', '.join(known)}", repr(key)[:80])

    def where(self, key) -> str:
        return f"{self.path}.{key}" if self.path and key else (key or self.path)

    def refuse(self, key, expected: str, found: str):
        raise ConfigError(self.file, self.where(key), expected, found)

    def get(self, key, default=None):
        return self.value.get(key, default)

    def text(self, key, pattern=None, default=None, what="text") -> str | None:
        value = self.value.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            self.refuse(key, what, repr(value)[:80])
        return value

    def required(self, key, pattern=None, what="text") -> str:
        if self.value.get(key) is None:
            self.refuse(key, what, "nothing")
        return self.text(key, pattern, what=what)

    def number(self, key, low, high, default=None, integer=False, strict_low=False):
        value = self.value.get(key, default)
        if value is None:
            return None
        kind = "a whole number" if integer else "a number"
        ok = isinstance(value, int | float) and not isinstance(value, bool) and (not integer or value == int(value))
        if not ok or not ((low < value) if strict_low else (low <= value)) or value > high:
            span = f"above {low:g} and at most {high:g}" if strict_low else f"from {low:g} to {high:g}"
            self.refuse(key, f"{kind} {span}", repr(value)[:80])
        return int(value) if integer else float(value)

    def flag(self, key, default: bool) -> bool:
        value = self.value.get(key, default)
        if not isinstance(value, bool):
            self.refuse(key, "true or false", repr(value)[:80])
        return value

    def choices(self, key, allowed: tuple, default: tuple) -> list:
        value = self.value.get(key, list(default))
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            self.refuse(key, f"a list of {', '.join(allowed)}", repr(value)[:80])
        return list(dict.fromkeys(value))

    def ascending(self, key, above=None) -> list:
        value = self.value.get(key, [])
        numbers = isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        if not numbers or any(b <= a for a, b in zip(value, value[1:], strict=False)) or (
                value and above is not None and value[0] <= above):
            floor = f", all above {above:g}" if above is not None else ""
            self.refuse(key, f"a list of numbers in ascending order{floor}", repr(value)[:80])
        return [float(v) for v in value]


def check_destination(file: str, index: int, value) -> dict:
    d = Fields(file, f"destinations[{index}]", value, ("id", "type", "url_env", "routing_key_env",
                                                       "max_per_minute", "timeout_s"))
    kind = d.required("type", re.compile("|".join(DESTINATION_TYPES)), f"one of {', '.join(DESTINATION_TYPES)}")
    env = "the name of an environment variable (letters, digits, _)"
    out = {"id": d.required("id", NAME, "a name of 1-64 letters, digits, '.', '_' or '-'"), "type": kind,
           "max_per_minute": d.number("max_per_minute", 1, 1000, default=20, integer=True),
           "timeout_s": d.number("timeout_s", 0, 120, default=10.0, strict_low=True)}
    if kind == "pagerduty":
        out["routing_key_env"] = d.required("routing_key_env", ENV_NAME, env)
        out["url_env"] = d.text("url_env", ENV_NAME, what=env)  # optional: the Events API v2 endpoint
    else:
        out["url_env"] = d.required("url_env", ENV_NAME, env)
        if d.get("routing_key_env") is not None:
            d.refuse("routing_key_env", "no routing key (only a pagerduty destination has one)", "one")
    return out


def check_rule(file: str, index: int, value, destinations: set) -> dict:
    path = f"rules[{index}]"
    if not isinstance(value, dict):
        raise ConfigError(file, path, "a mapping of settings", type(value).__name__)
    kind = value.get("kind")
    if kind not in RULE_KINDS:
        raise ConfigError(file, f"{path}.kind", f"one of {', '.join(RULE_KINDS)}", repr(kind)[:80])
    extra = {"queue": ("min_score", "bands", "top", "profile", "kinds", "include_suppressed"),
             "burn_rate": ("objective", "actions", "windows"), "ai_deviation": ("min_peak_z", "bands"),
             "shadow": ("when", "margin")}[kind]
    r = Fields(file, path, value, ("id", "kind", "destinations", "max_listed", *extra))
    out = {"id": r.required("id", NAME, "a name of 1-64 letters, digits, '.', '_' or '-'"), "kind": kind,
           "max_listed": r.number("max_listed", 1, 40, default=10, integer=True)}
    sends_to = r.get("destinations")
    sends_to = [sends_to] if isinstance(sends_to, str) else sends_to
    if not isinstance(sends_to, list) or not sends_to or any(d not in destinations for d in sends_to):
        r.refuse("destinations", f"a list of destination ids ({', '.join(sorted(destinations))})", repr(sends_to)[:80])
    out["destinations"] = list(dict.fromkeys(sends_to))
    if kind == "queue":
        out["min_score"] = r.number("min_score", 0, 1000)  # None: the profile's threshold (not suppressed)
        out["bands"] = r.ascending("bands", out["min_score"])
        out["top"] = r.number("top", 1, 200, default=10, integer=True)
        out["profile"] = r.text("profile", NAME, what="a weight profile's name")
        out["kinds"] = r.choices("kinds", QUEUE_KINDS, QUEUE_KINDS)
        out["include_suppressed"] = r.flag("include_suppressed", False)
    elif kind == "burn_rate":
        out["objective"] = r.number("objective", 0, 1, strict_low=True)
        if out["objective"] is not None and out["objective"] >= 1:
            r.refuse("objective", "a number between 0 and 1 (e.g. 0.98)", repr(out["objective"]))
        out["actions"] = r.choices("actions", BURN_ACTIONS, ("page",))
        out["windows"] = check_windows(r)
    elif kind == "ai_deviation":
        out["min_peak_z"] = r.number("min_peak_z", 0, 1000, default=0.0)
        out["bands"] = r.ascending("bands")
    else:
        out["when"] = r.choices("when", SHADOW_VERDICTS, SHADOW_VERDICTS)
        out["margin"] = r.number("margin", 0, 1, strict_low=True)
    return out


def check_windows(r: Fields):
    """A burn-rate table (slo.check_burn_windows says what it needs), or None for slo's default table."""
    windows = r.get("windows")
    if windows is None:
        return None
    from journeylens.notebooks.signals.slo import check_burn_windows

    if not isinstance(windows, list) or not windows or not all(isinstance(w, dict) for w in windows):
        r.refuse("windows", "a list of {long, short, burn_rate, action}", repr(windows)[:80])
    try:
        return check_burn_windows(windows)
    except ValueError as err:
        r.refuse("windows", "rows of long, short (durations), burn_rate > 0, action page|ticket", str(err)[:120])


def check_config(data, file: str = "notify.yaml") -> dict:
    """The config, completed with defaults, or ConfigError naming the first field that is wrong."""
    top = Fields(file, "", data if data is not None else {}, ("app_url", "destinations", "rules", "retry"))
    app_url = top.text("app_url", re.compile(r"https?://[^\s]+"), DEFAULT_APP_URL, "an http(s) URL of the app")
    raw = top.get("destinations")
    if not isinstance(raw, list) or not raw:
        top.refuse("destinations", "a list of at least one destination", repr(raw)[:80])
    destinations = [check_destination(file, i, d) for i, d in enumerate(raw, start=1)]
    unique(file, "destinations", [d["id"] for d in destinations])
    rules = top.get("rules")
    if not isinstance(rules, list) or not rules:
        top.refuse("rules", "a list of at least one rule", repr(rules)[:80])
    checked = [check_rule(file, i, r, {d["id"] for d in destinations}) for i, r in enumerate(rules, start=1)]
    unique(file, "rules", [r["id"] for r in checked])
    retry = Fields(file, "retry", top.get("retry") or {}, tuple(DEFAULT_RETRY))
    return {"app_url": app_url.rstrip("/"), "destinations": destinations, "rules": checked, "retry": {
        "attempts": retry.number("attempts", 1, 10, default=DEFAULT_RETRY["attempts"], integer=True),
        "backoff_s": retry.number("backoff_s", 0, 60, default=DEFAULT_RETRY["backoff_s"]),
        "max_wait_s": retry.number("max_wait_s", 0, 300, default=DEFAULT_RETRY["max_wait_s"])}}


def unique(file: str, field: str, ids: list) -> None:
    seen = set()
    for index, name in enumerate(ids, start=1):
        if name in seen:
            raise ConfigError(file, f"{field}[{index}].id", "an id no other entry of the list has", repr(name))
        seen.add(name)
