"""The sample workspace.

Builds a workspace from the seeded sample world in `sample_data/` (see its README for the story
and the named incidents). `journeylens demo` calls `build_sample_workspace`.
"""

import json
from pathlib import Path

from journeylens.notebooks.ingest.playbook_file import load_playbooks, parse_playbooks, save_playbooks
from journeylens.notebooks.ingest.upload import ingest_file

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


def sample_files() -> list:
    """[(kind, path)] of the sample world, in load order (sample_data/files.json)."""
    listing = json.loads((SAMPLE_DIR / "files.json").read_text())
    return [(entry["kind"], SAMPLE_DIR / entry["file"]) for entry in listing]


def build_sample_workspace(workspace, progress=None) -> list:
    """Ingests every sample file into `workspace`, and the sample playbook catalogue when the workspace
    has none. Idempotent: a second run adds nothing."""
    files = sample_files()
    results = []
    for index, (kind, path) in enumerate(files):
        def step(fraction, text, index=index, name=path.name):
            if progress:
                progress((index + fraction) / len(files), f"{name}: {text}")

        results.append(ingest_file(workspace, kind, path, progress=step, why="sample workspace"))
    if not load_playbooks(workspace):
        catalogue = SAMPLE_DIR / "playbooks.yaml"
        save_playbooks(workspace, parse_playbooks(catalogue.read_text(), catalogue.name), comment="sample catalogue")
        results.append({"message": f"stored the sample playbook catalogue ({catalogue.name})"})
    return results
