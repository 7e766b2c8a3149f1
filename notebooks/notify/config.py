"""A workspace's notification config: stored, versioned, read back, listed.

`journeylens notify set FILE` stores a YAML file (config_checks.py says what it may hold) as the next version
`<workspace>/notify/config/v0001.yaml`, `v0002.yaml`...: the file's own bytes, comments and all, so what a
person reads back is what they wrote. A save never overwrites: it is staged and committed through the audit
trail (`notify.config`, with the file's sha256), which renames it into place. The newest version is the one
in force. A config is checked in full before anything is stored, and again when read.

An example:

    app_url: https://journeylens.example.com   # links in messages open the app here
    destinations:
      - {id: oncall, type: slack, url_env: SLACK_WEBHOOK_URL, max_per_minute: 10}
      - {id: paging, type: pagerduty, routing_key_env: PAGERDUTY_ROUTING_KEY}
      - {id: hooks, type: webhook, url_env: ALERT_HOOK_URL, timeout_s: 5}
    retry: {attempts: 3, backoff_s: 1, max_wait_s: 30}
    rules:
      - {id: top-outages, kind: queue, min_score: 50, bands: [65, 80], top: 10, destinations: [oncall, paging]}
      - {id: slo-pages, kind: burn_rate, actions: [page], destinations: [oncall, paging]}
      - {id: ai-drops, kind: ai_deviation, bands: [6], destinations: [oncall]}
      - {id: shadow, kind: shadow, when: [promote, hold], destinations: [hooks]}
"""

import hashlib
import re
from pathlib import Path

import pandas as pd
from journeylens.notebooks.ingest.yaml_input import load_yaml, read_yaml_text
from journeylens.notebooks.notify.config_checks import check_config
from journeylens.notebooks.notify.state import load_state, notify_dir
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import fsync_path, is_workspace
from journeylens.notebooks.workspace.store import new_staging, writer_lock
from journeylens.notebooks.workspace.trail import commit

CONFIG_FILE = re.compile(r"v([0-9]{4})\.yaml")
RULE_COLUMNS = ("rule", "kind", "destinations", "settings", "firing", "config_version")


def config_files(workspace) -> list:
    """[(version, path)] of the stored configs, oldest first."""
    folder = notify_dir(workspace) / "config"
    found = [(int(m.group(1)), p) for p in folder.glob("v*.yaml") if (m := CONFIG_FILE.fullmatch(p.name))]
    return sorted(found)


def parse_config(text: str, file_name: str = "notify.yaml") -> dict:
    """The checked config of YAML `text` (config_checks.check_config), or IngestError naming the field."""
    return check_config(load_yaml(text, file_name), file_name)


def save_config(workspace, text: str, file_name: str = "notify.yaml", why: str = "") -> dict:
    """Checks `text` and stores it as the next version (module docstring): {version, path, sha256, config}.
    Refused (IngestError) when it is not a valid config, or `workspace` is no journeylens workspace (a
    mistyped --workspace must not become a new one)."""
    config = parse_config(text, file_name)
    if not is_workspace(workspace):
        raise IngestError(str(workspace), None, None, "a journeylens workspace (a folder with an audit trail or "
                          "uploads; `journeylens ingest` or `demo` makes one)", "a folder that is none")
    data = text.encode("utf-8")
    with writer_lock(workspace) as dirs:
        folder = notify_dir(workspace) / "config"
        folder.mkdir(parents=True, exist_ok=True)
        files = config_files(workspace)
        version = files[-1][0] + 1 if files else 1
        staged = new_staging(workspace)[1] / f"v{version:04d}.yaml"
        staged.write_bytes(data)
        fsync_path(staged)
        sha = hashlib.sha256(data).hexdigest()
        what = {"version": version, "file_name": Path(file_name).name, "sha256": sha,
                "rules": [r["id"] for r in config["rules"]], "destinations": [d["id"] for d in config["destinations"]]}
        commit(dirs, "notify.config", what, why, renames=[(staged, folder / staged.name)])
        staged.parent.rmdir()  # the staging folder, emptied by the commit's rename
    return {"version": version, "path": folder / staged.name, "sha256": sha, "config": config}


def load_config(workspace) -> dict | None:
    """{version, path, text, config} of the config in force, or None when none was ever stored."""
    files = config_files(workspace) if Path(workspace).is_dir() else []
    if not files:
        return None
    version, path = files[-1]
    text = path.read_text(encoding="utf-8")
    return {"version": version, "path": path, "text": text, "config": parse_config(text, f"notify/config/{path.name}")}


def read_config_file(path) -> str:
    """A config file a person gives (`journeylens notify set FILE`) as text, bounded like every YAML input."""
    return read_yaml_text(path, Path(path).name)


def settings_text(rule: dict) -> str:
    """What a rule watches, in one line."""
    if rule["kind"] == "queue":
        score = "the profile's threshold" if rule["min_score"] is None else f"{rule['min_score']:g}"
        bands = f" (escalates at {', '.join(f'{b:g}' for b in rule['bands'])})" if rule["bands"] else ""
        return (f"top {rule['top']} queue entries scoring at least {score}{bands}; profile "
                f"{rule['profile'] or 'default'}; kinds {', '.join(rule['kinds'])}")
    if rule["kind"] == "burn_rate":
        objective = "the default objective" if rule["objective"] is None else f"objective {rule['objective']:g}"
        return f"journey SLO burn: {' and '.join(rule['actions'])} episodes still burning; {objective}"
    if rule["kind"] == "ai_deviation":
        bands = f" (escalates at {', '.join(f'{b:g}' for b in rule['bands'])})" if rule["bands"] else ""
        return f"open task-completion drops with peak |z| at least {rule['min_peak_z']:g}{bands}"
    margin = "the default margin" if rule["margin"] is None else f"margin {rule['margin']:g}"
    return f"shadow verdicts: {', '.join(rule['when'])}; {margin}"


def notification_rules(workspace) -> pd.DataFrame:
    """One row per rule of the config in force: rule, kind, destinations, settings (one line), firing (entries
    some destination was told of and not yet told resolved), config_version. Empty when there is no config."""
    stored = load_config(workspace)
    if stored is None:
        return pd.DataFrame(columns=list(RULE_COLUMNS))
    firing = {}
    for rule_id, key, _ in load_state(workspace)["entries"]:
        firing.setdefault(rule_id, set()).add(key)
    return pd.DataFrame([{"rule": r["id"], "kind": r["kind"], "destinations": ", ".join(r["destinations"]),
                          "settings": settings_text(r), "firing": len(firing.get(r["id"], ())),
                          "config_version": stored["version"]} for r in stored["config"]["rules"]],
                        columns=list(RULE_COLUMNS))
