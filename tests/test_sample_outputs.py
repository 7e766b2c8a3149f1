"""The sample world's outputs are held byte for byte (tests/golden/): ranked_alerts.csv (`journeylens rank`),
retro_stages.csv (`journeylens retro`) and ai_metrics.csv (what `journeylens audit --ai` writes). A change
that moves a number shows here; when it is meant, regenerate with JOURNEYLENS_UPDATE_GOLDEN=1 and say why
in the commit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
JOURNEYLENS = Path(sys.executable).with_name("journeylens")
FILES = ("ranked_alerts.csv", "retro_stages.csv", "ai_metrics.csv")


@pytest.fixture(scope="module")
def outputs(sample_dir, tmp_path_factory):
    from journeylens.notebooks.ai.outcomes import workspace_ai_metrics
    from journeylens.notebooks.workspace.safe_output import write_csv

    out = tmp_path_factory.mktemp("sample-outputs")
    for args in (["rank", "--out", out / "ranked_alerts.csv"], ["retro", "--out", out / "retro"]):
        done = subprocess.run([str(JOURNEYLENS), *map(str, args), "--workspace", str(sample_dir)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    (out / "retro" / "retro_stages.csv").rename(out / "retro_stages.csv")
    write_csv(workspace_ai_metrics(sample_dir), out / "ai_metrics.csv")
    if os.environ.get("JOURNEYLENS_UPDATE_GOLDEN"):
        for name in FILES:
            (GOLDEN / name).write_bytes((out / name).read_bytes())
    return out


@pytest.mark.parametrize("name", FILES)
def test_sample_output_is_unchanged(outputs, name):
    produced, golden = (outputs / name).read_bytes(), (GOLDEN / name).read_bytes()
    if produced != golden:
        pairs = zip(produced.splitlines(), golden.splitlines(), strict=False)
        lines = [(i, a, b) for i, (a, b) in enumerate(pairs, 1) if a != b]
        first = lines[0] if lines else ("length", len(produced), len(golden))
        pytest.fail(f"{name} differs from tests/golden/{name}: first difference {first!r:.600}")
