"""`journeylens audit` takes several files per kind: `--ai a b`, `--ai a --ai b`, and one file as before
(SPEC §4's `--ai F`). The AI interactions of every file are counted, as one file holding them all is."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JOURNEYLENS = str(Path(sys.executable).parent / "journeylens")


def audit(out: Path, *extra) -> subprocess.CompletedProcess:
    args = ["audit", "--alerts", FIXTURES / "alertmanager_payloads.jsonl", "--journey-map",
            FIXTURES / "journey_map.yaml", *extra, "--out", out]
    return subprocess.run([JOURNEYLENS, *map(str, args)], capture_output=True, text=True, timeout=300)


def overall_interactions(out: Path) -> int:
    with open(out / "ai_metrics.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["feature"] == "all" and r["segment"] == "all"]
    assert len(rows) == 1
    return int(rows[0]["interactions"])


@pytest.fixture(scope="module")
def halves(tmp_path_factory) -> tuple[Path, Path]:
    """ai_otel.jsonl split in two files: its first line, and the rest."""
    lines = (FIXTURES / "ai_otel.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) >= 2
    folder = tmp_path_factory.mktemp("ai-halves")
    first, rest = folder / "ai_first.jsonl", folder / "ai_rest.jsonl"
    first.write_text("".join(lines[:1]), encoding="utf-8")
    rest.write_text("".join(lines[1:]), encoding="utf-8")
    return first, rest


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> int:
    """Interactions counted from the single file (the SPEC's `--ai F`)."""
    out = tmp_path_factory.mktemp("ai-whole") / "out"
    result = audit(out, "--ai", FIXTURES / "ai_otel.jsonl")
    assert result.returncode == 0, result.stderr
    return overall_interactions(out)


@pytest.mark.parametrize("style", ["one flag, two files", "the flag twice"])
def test_several_ai_files_count_every_interaction(halves, whole, tmp_path, style):
    first, rest = halves
    extra = ["--ai", first, rest] if style == "one flag, two files" else ["--ai", first, "--ai", rest]
    result = audit(tmp_path / "out", *extra)
    assert result.returncode == 0, result.stderr
    assert "ai_first.jsonl" in result.stderr and "ai_rest.jsonl" in result.stderr, "both files were stored"
    assert whole > 1 and overall_interactions(tmp_path / "out") == whole
    assert (tmp_path / "out" / "report.html").stat().st_size > 0


def test_one_ai_file_still_works_and_a_single_half_counts_less(halves, whole, tmp_path):
    result = audit(tmp_path / "out", "--ai", halves[0])
    assert result.returncode == 0, result.stderr
    assert 0 < overall_interactions(tmp_path / "out") < whole
