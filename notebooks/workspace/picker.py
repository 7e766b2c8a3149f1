"""How every analyst notebook opens a workspace: a folder picker, and a stop on a path that is no workspace.

The picker defaults to JOURNEYLENS_WORKSPACE, else ./workspace. A path that is no journeylens workspace
(paths.is_workspace: no audit log, no uploads folder) stops the cells that need it with a callout: nothing
is read and nothing is created, so a mistyped path stays a mistyped path. Readers open snapshots only
(snapshot.connect): a notebook never writes to the workspace.
"""

import os

from journeylens.notebooks.workspace.paths import is_workspace


def workspace_picker(mo):
    """The text field holding the workspace folder."""
    return mo.ui.text(value=os.environ.get("JOURNEYLENS_WORKSPACE", "workspace"), label="Workspace folder",
                      full_width=True)


def require_workspace(mo, path: str) -> str:
    """`path` when it is a workspace; otherwise stops the calling cell (and the cells that depend on it)
    showing why."""
    mo.stop(not is_workspace(path), mo.callout(mo.md(
        f"`{path}` is no journeylens workspace (no audit log, no uploads): nothing was read and nothing "
        "created. Type the folder of one, or build the sample world with `journeylens demo`."), kind="warn"))
    return path
