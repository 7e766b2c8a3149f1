"""Fixtures shared across test modules (the sample workspace, the app page helpers, notebook runs), and the
rule that sorts the suite into the fast lane and the rest.

`make test` runs everything. `make check` runs ruff and `pytest -m "not slow"`: every test except those this
file marks `slow`, for one of these reasons (each is a marker too: `pytest -m notebook` runs the notebooks):

| marker   | a test that                                                                                |
|----------|--------------------------------------------------------------------------------------------|
| browser  | drives a real Chromium through Playwright (marked in its module)                            |
| notebook | runs marimo notebooks (tests/test_notebooks.py, the `notebook_run` fixture)                 |
| package  | builds and installs the wheel (tests/test_wheel.py)                                         |
| world    | builds or takes the sample world (`build_sample_workspace`, the `sample_dir` fixture and    |
|          | those on it, tests/sample_data/)                                                            |
| app      | drives the Streamlit app in AppTest (`AppTest`, the `open_page` fixture)                    |
| fuzz     | is a property test (hypothesis `given`), or lives in a `*fuzz*` module                     |
| spawns   | starts another process or thread: the `journeylens` command, a killed writer, a racing      |
|          | reader, a local HTTP server (subprocess, multiprocessing, threading, an executor)           |
| slow     | has any reason above, or is marked `@pytest.mark.slow` by hand                              |

A reason is read from the source (ast): from the test, its fixtures, and every function or class they use
from their own module or a helper module of tests/, at any depth. So a new test that runs `journeylens`,
takes the sample workspace or starts a fake server lands in the slow lane by itself, and what is left is
unit tests on small data, which `make check` runs in under a minute on two cores.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# The app keeps full rankings on disk (notebooks/queue/ranking_store.py): off for the suite, and for the
# servers it starts, so that a test that counts full rankings never reads one an earlier test saved in the
# shared sample workspace. tests/queue/test_ranking_store.py turns it on where it tests it.
os.environ["JOURNEYLENS_RANKING_STORE"] = "off"
# ...and a page run that changes the workspace ranks its new snapshot in the background (app/launch.py): off for
# the suite's page runs, so that a test that counts rankings never races one; the servers it starts
# (bench/app_server.serve) rank ahead, as shipped. tests/app/test_launch.py and test_app_data.py turn it on.
os.environ["JOURNEYLENS_OPEN_AHEAD"] = "off"
# reason: the names whose mention gives it
MENTIONS = {
    "notebook": {"notebook_run", "export_notebook"},
    "world": {"build_sample_workspace", "sample_dir"},
    "app": {"AppTest", "open_page"},
    "fuzz": {"given"},
    "spawns": {"subprocess", "multiprocessing", "Popen", "threading", "Thread", "ThreadPoolExecutor",
               "ProcessPoolExecutor", "concurrent"},
}
REASONS = ("browser", "notebook", "package", "world", "app", "fuzz", "spawns")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: left out of `make check` (tests/conftest.py says why)")
    for reason in REASONS[1:]:
        config.addinivalue_line("markers", f"{reason}: a reason to be slow (tests/conftest.py)")


def names_in(node) -> set:
    """Every name and attribute a piece of code mentions (nested functions included)."""
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.alias):
            found.add(child.name.split(".")[0])
    return found


def helper_path(module: str | None, level: int, here: Path) -> Path | None:
    """The file under tests/ that `from <module> import ...` in `here` names, if any."""
    if not module:
        return None
    parts = module.split(".")
    bases = [here.parent] if level else [here.parent, TESTS, ROOT]
    for base in bases:
        candidate = base.joinpath(*parts).with_suffix(".py")
        if candidate.is_file() and candidate.is_relative_to(TESTS):
            return candidate
    return None


@cache
def mentions(path: Path) -> dict:
    """{function or class of a test module: every name it mentions, through the functions and classes it
    uses from its module and from the helper modules of tests/ it imports, at any depth}."""
    tree = ast.parse(path.read_text())
    direct = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            direct.setdefault(node.name, set()).update(names_in(node))
    for node in ast.walk(tree):
        helper = helper_path(node.module, node.level, path) if isinstance(node, ast.ImportFrom) else None
        if helper is not None and helper != path:
            for alias in node.names:
                used = mentions(helper).get(alias.name)
                if used is not None:
                    direct.setdefault(alias.asname or alias.name, set()).update(used | {alias.name})
    closed = {name: set(used) for name, used in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, used in closed.items():
            more = set().union(*(closed[n] for n in used if n in closed and n != name)) - used
            if more:
                used |= more
                changed = True
    return {name: frozenset(used) for name, used in closed.items()}


def reasons_for(item) -> set:
    path = Path(item.path)
    relative = path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else path.name
    fixtures = set(getattr(item, "fixturenames", ()))
    function = getattr(item, "function", None)
    own, shared = (mentions(path) if path.suffix == ".py" else {}), mentions(Path(__file__))
    used = set(fixtures)
    if function is not None:
        used |= own.get(function.__name__, frozenset())
    for fixture in fixtures:
        used |= own.get(fixture) or shared.get(fixture) or frozenset()
    reasons = {marker.name for marker in item.iter_markers() if marker.name in REASONS}
    reasons |= {reason for reason, names in MENTIONS.items() if used & names}
    if relative == "test_notebooks.py":
        reasons.add("notebook")
    if relative == "test_wheel.py":
        reasons.add("package")
    if relative.startswith("sample_data/"):
        reasons.add("world")
    if "fuzz" in path.stem:
        reasons.add("fuzz")
    return reasons


def pytest_collection_modifyitems(config, items):
    for item in items:
        reasons = reasons_for(item)
        for reason in sorted(reasons):
            item.add_marker(reason)
        if reasons:
            item.add_marker("slow")


@pytest.fixture
def clear_streamlit_caches():
    """st.cache_* outlives one AppTest run inside a pytest process (STYLE trap 5): start and end clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """The sample workspace, built once per test run. Read-only: a test that stores copies it first."""
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace

    ws = tmp_path_factory.mktemp("app-sample") / "ws"
    build_sample_workspace(ws)
    return ws


@pytest.fixture
def app_sample_copy(sample_dir, tmp_path, monkeypatch, clear_streamlit_caches):
    """A private copy of the sample workspace that the app opens: for page tests that store something."""
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


@pytest.fixture
def open_page():
    """open_page("views/x.py"): the app in AppTest, switched to a page, run, and checked for exceptions."""
    from journeylens.app.ui import ENTRY
    from streamlit.testing.v1 import AppTest

    def open_(page: str, timeout: float = 90):
        at = AppTest.from_file(str(ENTRY), default_timeout=timeout)
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return at

    return open_


# -- notebooks, run headless ------------------------------------------------------------------------------

MARIMO = Path(sys.executable).with_name("marimo")
# Not failures: cells below a `mo.stop` (a notebook stops with a callout on a folder that is no workspace).
STOPPED = {"ancestor-stopped"}


class NotebookRun:
    """One headless run of a notebook (`marimo export html`): its exit status and what every cell showed.

    cells  : [{"id", "code", "outputs": [output text, ...], "console": [text, ...], "errors": [text, ...]}]
             in notebook order; an output's text is its HTML, markdown or plain text as marimo rendered it
    text   : every cell's outputs joined, for `assert "209 of 249 alerts mapped" in run.text`
    errors : every cell's errors (an exception raised in a cell, a traceback printed); cells left
             unrun below a `mo.stop` are not errors"""

    def __init__(self, notebook: Path, returncode: int, log: str, html: str):
        self.notebook, self.returncode, self.log, self.html = notebook, returncode, log, html
        self.cells = session_cells(html) if html else []
        self.text = "\n".join(text for cell in self.cells for text in cell["outputs"])
        self.errors = [error for cell in self.cells for error in cell["errors"]]

    def cell_showing(self, fragment: str) -> dict:
        """The first cell whose output contains `fragment` (AssertionError naming the notebook if none)."""
        for cell in self.cells:
            if any(fragment in text for text in cell["outputs"]):
                return cell
        raise AssertionError(f"no cell of {self.notebook.name} shows {fragment!r}")


def session_cells(html: str) -> list:
    """The cells of an exported notebook, from the session marimo embeds in its HTML mount config."""
    start = html.index("value: Object.freeze(", html.index("__MARIMO_MOUNT_CONFIG__")) + len("value: Object.freeze(")
    config, _ = json.JSONDecoder().raw_decode(html[start:])
    codes = [cell.get("code", "") for cell in config.get("notebook", {}).get("cells", [])]
    cells = []
    for index, cell in enumerate(config["session"]["cells"]):
        outputs, errors = [], []
        for output in cell.get("outputs", []):
            if output.get("type") == "error":
                if output.get("ename") not in STOPPED:
                    errors.append(f"{output.get('ename')}: {output.get('evalue')}")
                continue
            for mimetype, data in (output.get("data") or {}).items():
                text = data if isinstance(data, str) else json.dumps(data)
                (errors if "error" in mimetype else outputs).append(text)
        console = [c.get("text", "") for c in cell.get("console", [])]
        errors += [c.get("text", "") for c in cell.get("console", []) if "traceback" in c.get("mimetype", "")]
        cells.append({"id": cell.get("id"), "code": codes[index] if index < len(codes) else "",
                      "outputs": [o for o in outputs if o], "console": console, "errors": errors})
    return cells


def export_html(notebook: Path, workspace: Path | str, cwd: Path) -> NotebookRun:
    """Runs `notebook` headless on `workspace` (JOURNEYLENS_WORKSPACE) from `cwd`. marimo's own cache
    (__marimo__/) goes under `cwd` too (PYTHONPYCACHEPREFIX), never beside the notebook in the repository."""
    out = cwd / f"{notebook.stem}.html"
    env = {**os.environ, "JOURNEYLENS_WORKSPACE": str(workspace), "PYTHONPYCACHEPREFIX": str(cwd / "pycache")}
    done = subprocess.run([str(MARIMO), "export", "html", str(notebook), "-o", str(out), "-f"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    html = out.read_text() if out.exists() else ""
    return NotebookRun(notebook, done.returncode, done.stdout + done.stderr, html)


@pytest.fixture(scope="session")
def export_notebook():
    """export_notebook(path, workspace, cwd) -> NotebookRun: one headless run, not shared."""
    return export_html


@pytest.fixture(scope="session")
def sample_copy(sample_dir, tmp_path_factory):
    """A copy of the sample workspace for runs that must only read it (notebooks): shared by the session,
    so a test that writes to it is caught by tests/test_notebooks.py, which compares it with sample_dir."""
    ws = tmp_path_factory.mktemp("sample-copy") / "ws"
    shutil.copytree(sample_dir, ws)
    return ws


@pytest.fixture(scope="session")
def notebook_run(sample_copy, tmp_path_factory):
    """notebook_run("queue/mapping.py") -> NotebookRun on the sample workspace, run once per session and
    shared (tests/test_notebooks.py checks every notebook runs clean; room tests check what it shows)."""
    runs = {}

    def run(name: str) -> NotebookRun:
        if name not in runs:
            cwd = tmp_path_factory.mktemp("notebook-" + name.replace("/", "-").removesuffix(".py"))
            runs[name] = export_html(ROOT / "notebooks" / name, sample_copy, cwd)
        return runs[name]

    return run
