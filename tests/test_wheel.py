"""The built wheel is a real package (STYLE trap 1).

Built offline with the dev venv's own setuptools from a copy of what ships (pyproject.toml, README.md, the
package folders), installed with --no-deps into a fresh venv that borrows the dev venv's third-party
packages through a .pth file (a plain path line: the dev venv's own .pth files, among them the editable
journeylens finder, are not read). From a temporary folder the installed `journeylens` then builds the
sample workspace and audits the installed sample files, reproducing tests/golden/ranked_alerts.csv.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "__init__.py", "app", "notebooks", "sql", "sample_data")
JUNK = shutil.ignore_patterns("__pycache__", "__marimo__", "*.pyc")
WORLD = "journeylens/sample_data/world"


def run(args, **kwargs):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args[:3]} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def shipped_files() -> set:
    """Every file of the package as it lies in the repository, named as in the wheel."""
    files = {"journeylens/__init__.py"}
    for folder in SHIPPED[3:]:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and not {"__pycache__", "__marimo__"} & set(path.parts) and path.suffix != ".pyc":
                files.add("journeylens/" + path.relative_to(ROOT).as_posix())
    return files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    import setuptools

    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    assert (major, minor) >= (70, 1), "setuptools>=70.1 builds wheels itself: run `pip install -e '.[dev]'`"
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=JUNK)
        else:
            shutil.copy2(ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", dist, source])
    (built,) = dist.glob("journeylens-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """(venv, its site-packages, what installing the wheel added to site-packages)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "dev-venv-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    before = {p.name for p in site.iterdir()}
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel])
    return venv, site, {p.name for p in site.iterdir()} - before


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JOURNEYLENS_WORKSPACE")}


def test_wheel_holds_the_package_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names}
    assert tops == {"journeylens", wheel.name.split("-py3")[0] + ".dist-info"}
    packaged = {name for name in names if name.startswith("journeylens/")}
    missing = shipped_files() - packaged
    assert not missing, f"files the wheel lacks (add their folder to [tool.setuptools] packages): {sorted(missing)}"
    assert {n for n in packaged if n.endswith(".sql")} and any(n.startswith(WORLD + "/") for n in packaged)
    assert not [n for n in packaged if n.startswith(("journeylens/tests/", "journeylens/bench/"))]


def test_site_packages_gains_only_journeylens(installed):
    venv, site, added = installed
    assert added == {"journeylens", "journeylens-0.1.0.dist-info"}, added
    assert (venv / "bin" / "journeylens").is_file()


def test_installed_package_runs_from_any_folder(installed, tmp_path):
    venv, site, _ = installed
    journeylens = venv / "bin" / "journeylens"
    here = run([venv / "bin" / "python", "-c", "import journeylens; print(journeylens.__file__)"],
               cwd=tmp_path, env=clean_env()).stdout.strip()
    assert Path(here) == site / "journeylens" / "__init__.py", "the journeylens imported is not the wheel's"

    run([journeylens, "demo", "--no-app", "--workspace", "ws"], cwd=tmp_path, env=clean_env())
    assert (tmp_path / "ws" / "uploads").is_dir() and (tmp_path / "ws" / "playbooks").is_dir()

    sample = site / "journeylens" / "sample_data"
    world = sample / "world"
    run([journeylens, "audit", "--alerts", world / "alertmanager.jsonl", world / "pagerduty_events.json",
         world / "datadog_events.csv", "--journey-map", world / "journey_map.yaml",
         "--metrics", world / "journey_metrics.csv", "--ai", world / "ai_interactions_2026h2a.jsonl",
         "--scores", world / "eval_scores.csv", "--incidents", world / "incidents.csv",
         "--changes", world / "changes.csv", "--playbooks", sample / "playbooks.yaml", "--out", "out"],
        cwd=tmp_path, env=clean_env())
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} >= {"ranked_alerts.csv", "ai_metrics.csv", "report.html", "report.md"}
    golden = ROOT / "tests" / "golden" / "ranked_alerts.csv"
    assert (out / "ranked_alerts.csv").read_bytes() == golden.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "ws"], "nothing else written in the cwd"
