"""Every marimo notebook (a file of notebooks/ that defines `marimo.App`; plain modules are skipped) passes
`marimo check` and runs headless (`marimo export html`, from a temporary folder) on a copy of the sample
workspace given as JOURNEYLENS_WORKSPACE, with no cell failing and the workspace left as it was; on a
mistyped workspace it runs too and creates nothing. What each notebook shows is checked by the tests of its
room, through the `notebook_run` fixture (tests/conftest.py) or app.run()."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARIMO = str(Path(sys.executable).with_name("marimo"))
# Every notebook of these rooms is one an analyst works in: on the real workspace, widgets over real data.
ANALYST_ROOMS = ("signals", "ai", "queue")


def is_notebook(path: Path) -> bool:
    return re.search(r"^app = marimo\.App\(", path.read_text(), re.MULTILINE) is not None


MODULES = sorted(p for p in (ROOT / "notebooks").glob("*/*.py") if p.name != "__init__.py")
NOTEBOOKS = [p for p in MODULES if is_notebook(p)]
ANALYST_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent.name in ANALYST_ROOMS]


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def tree(folder: Path) -> dict:
    """{relative path: sha256 of its bytes, or "dir"} of everything under `folder` but its cache: a notebook that
    groups alerts keeps their pieces there (notebooks/ingest/piece_store.py), which changes nothing stored."""
    return {p.relative_to(folder).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if ".cache" not in p.relative_to(folder).parts}


def test_analyst_rooms_hold_notebooks():
    rooms = {p.parent.name for p in NOTEBOOKS}
    assert set(ANALYST_ROOMS) <= rooms, f"no notebook in {set(ANALYST_ROOMS) - rooms}"


def test_ruff_gives_notebooks_their_allowances_and_plain_modules_none():
    """pyproject.toml lists the notebooks for B018/E402/I001 (a cell ends on what it shows, imports live in
    app.setup), and only them: a plain module sorts its imports like app/."""
    import tomllib

    ignores = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]["per-file-ignores"]
    listed = set()
    for pattern in ignores:
        head, _, rest = pattern.partition("{")
        names, _, tail = rest.partition("}")
        listed |= {ROOT / f"{head}{name}{tail}" for name in names.split(",")} if rest else {ROOT / pattern}
    assert listed == set(NOTEBOOKS)


def test_plain_modules_are_plain():
    """A module with no analyst view is a plain module: no marimo left in it, and a docstring that says what
    it does (a notebook in name only is converted, see CONTRIBUTING.md)."""
    for path in MODULES:
        if is_notebook(path):
            continue
        text = path.read_text()
        assert not re.search(r"^(import marimo|@app\.|with app\.setup)", text, re.MULTILINE), name(path)
        assert text.lstrip().startswith(('"""', "'''", 'r"""')), f"{name(path)} starts without a docstring"


@pytest.mark.parametrize("notebook", ANALYST_NOTEBOOKS, ids=name)
def test_analyst_notebook_opens_on_the_workspace_and_explains_itself(notebook):
    """Starts with markdown (what it computes, with the formula), opens on JOURNEYLENS_WORKSPACE or a
    picker, and has widgets."""
    text = notebook.read_text()
    assert "__generated_with" in text
    first_cell = text[text.index("@app.cell"):].split("\n@app.", 1)[0]
    assert "mo.md(" in first_cell, "the first cell is markdown saying what the notebook computes"
    assert "JOURNEYLENS_WORKSPACE" in text or "workspace_picker" in text, "opens on the real workspace"
    assert "mo.ui." in text or "workspace_picker" in text, "an analyst has widgets to work with"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=name)
def test_marimo_check(notebook):
    result = subprocess.run([MARIMO, "check", str(notebook)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=name)
def test_runs_headless_on_the_sample_workspace_and_only_reads_it(notebook, notebook_run, sample_dir, sample_copy):
    run = notebook_run(name(notebook))
    assert run.returncode == 0 and not run.errors, f"{name(notebook)}: a cell failed\n{run.log[-4000:]}"
    assert run.cells and run.text, f"{name(notebook)} showed nothing"
    assert tree(sample_copy) == tree(sample_dir), f"{name(notebook)} changed the workspace it was given"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=name)
def test_a_mistyped_workspace_is_not_created(notebook, tmp_path, export_notebook):
    typo = tmp_path / "worksapce"
    run = export_notebook(notebook, typo, tmp_path)
    assert run.returncode == 0 and not run.errors, f"{name(notebook)}: a cell failed\n{run.log[-4000:]}"
    assert not typo.exists(), f"{name(notebook)} created the folder it was given"


def test_a_failing_cell_fails_the_run(tmp_path, export_notebook):
    """The check itself: a notebook whose cell raises is reported, with the error."""
    bad = tmp_path / "bad.py"
    bad.write_text('import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n@app.cell\ndef _():\n'
                   '    import marimo as mo\n\n    mo.md("before")\n    return (mo,)\n\n\n@app.cell\ndef _():\n'
                   '    raise ValueError("boom")\n    return\n')
    run = export_notebook(bad, tmp_path / "ws", tmp_path)
    assert run.returncode != 0 and any("boom" in error for error in run.errors)
    assert run.cell_showing("before")["errors"] == []


def test_marimo_finds_the_callers_frame_without_reading_source():
    """notebooks/__init__.py gives marimo's App module an inspect.stack that skips the source context (most
    of a notebook's import time): the frames must be inspect.stack()'s, from the caller on, and a notebook's
    App must still know its file and run its setup cell."""
    import inspect

    import journeylens.notebooks  # noqa: F401  (what installs it)
    import marimo._ast.app as marimo_app

    def caller():
        return marimo_app.inspect.stack(), inspect.stack()

    quick, full = caller()
    assert [f.frame for f in quick] == [f.frame for f in full]
    assert quick[0].function == "caller" and quick[0].code_context is None
    assert marimo_app.inspect.getfile is inspect.getfile, "everything else is inspect's own"
    from journeylens.notebooks.queue import scoring

    assert Path(scoring.app._filename) == ROOT / "notebooks" / "queue" / "scoring.py"
    assert scoring.DEFAULT_PROFILE["weights"], "its setup cell ran"
