"""Running an analyst notebook the way its room tests check it (tests/ is on the import path): top to
bottom in this process (marimo's app.run()) on a workspace, and what it shows as text."""

import html
import importlib
import re
from types import SimpleNamespace


def run_notebook(module: str, workspace, monkeypatch, **widgets) -> tuple:
    """(outputs, definitions) of journeylens.notebooks.<module> (e.g. "queue.scoring") run on `workspace`;
    `widgets` replace the cells that define them, each value given a `.value`."""
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(workspace))
    app = importlib.import_module(f"journeylens.notebooks.{module}").app
    return app.run(defs={k: SimpleNamespace(value=v) for k, v in widgets.items()} or None)


def shown(outputs) -> str:
    """Everything the outputs show, as text: HTML with entities undone, chart specs (alone or escaped inside
    a stack's HTML) and JSON unicode escapes undone."""
    found = []
    for output in outputs:
        if hasattr(output, "to_json"):
            found.append(output.to_json())
        found.append(html.unescape(getattr(output, "text", "") or ""))
    return re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), "\n".join(found))
