"""Every notebook passes `marimo check` and runs headless (`marimo export html` exits 1 if a cell fails)."""

import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*/[a-z]*.py"))
MARIMO = str(Path(sys.executable).parent / "marimo")


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_marimo_check(notebook):
    result = subprocess.run([MARIMO, "check", str(notebook)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_runs_headless(notebook, tmp_path):
    # cwd is a temp folder: notebooks that open "workspace" must not touch the repository
    out = tmp_path / f"{notebook.stem}.html"
    result = subprocess.run([MARIMO, "export", "html", str(notebook), "-o", str(out)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.stat().st_size > 1000
