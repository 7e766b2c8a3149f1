"""Version history and diffs of any versioned configuration (profiles, thresholds, playbooks...), as
tables a page shows and a spreadsheet opens: the Governance page's version table and "what changed
between two versions", and their downloads.

Values are shown as text: a scalar as itself, a list or mapping as sorted JSON, and a setting one side
does not have as "" (version 0 of a name is "nothing saved yet", an empty payload)."""

import json

import pandas as pd
from journeylens.notebooks.workspace.versions import diff_payloads, list_versions, load_version

HISTORY_COLUMNS = ["version", "saved_at", "author", "comment"]
DIFF_COLUMNS = ["setting", "old", "new"]


def value_text(value) -> str:
    """One configuration value as text: None -> "", a string as it is, anything else as (sorted) JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def version_table(workspace, kind: str, name: str) -> pd.DataFrame:
    """Every saved version of `name` (oldest first): version, saved_at, author, comment."""
    rows = [{column: record.get(column) for column in HISTORY_COLUMNS}
            for record in list_versions(workspace, kind, name)]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def diff_frame(changes: list) -> pd.DataFrame:
    """[(setting, old, new)] (versions.diff_payloads, profiles.profile_diff) as a table of text."""
    return pd.DataFrame([(setting, value_text(old), value_text(new)) for setting, old, new in changes],
                        columns=DIFF_COLUMNS)


def version_diff(workspace, kind: str, name: str, old_version: int, new_version: int) -> pd.DataFrame:
    """What changed between two versions of `name` (version 0 = nothing saved: every setting is new):
    one row per setting that differs, by its dotted path."""
    def payload(version):
        return {} if int(version) == 0 else load_version(workspace, kind, name, version)["payload"]

    return diff_frame(diff_payloads(payload(old_version), payload(new_version)))
