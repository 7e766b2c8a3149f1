"""Builds the seeded, deterministic storefront sample world.

    python -m sample_data.generate [--out DIR]     # default: sample_data/world

Same code, same bytes: fixed seeds (stdlib `random` only), a fixed epoch (no wall clock), sorted JSON keys,
fixed float formatting and '\\n' line endings. The story is told in sample_data/README.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from journeylens.sample_data.world_ai import generate_ai
from journeylens.sample_data.world_alerts import generate_alerts
from journeylens.sample_data.world_common import write_text
from journeylens.sample_data.world_map import JOURNEY_MAP_YAML
from journeylens.sample_data.world_metrics import generate_metrics
from journeylens.sample_data.world_ops import generate_ops

HERE = Path(__file__).resolve().parent
WORLD = HERE / "world"
FILES_JSON = HERE / "files.json"

# load order: the journey map first so alerts are mapped as they arrive
FILES = [
    {"kind": "journey-map", "file": "world/journey_map.yaml"},
    {"kind": "alerts", "file": "world/alertmanager.jsonl"},
    {"kind": "alerts", "file": "world/pagerduty_events.json"},
    {"kind": "alerts", "file": "world/datadog_events.csv"},
    {"kind": "metrics", "file": "world/journey_metrics.csv"},
    {"kind": "ai", "file": "world/ai_interactions_2026h2a.jsonl"},
    {"kind": "ai", "file": "world/ai_interactions_2026h2b.jsonl"},
    {"kind": "scores", "file": "world/eval_scores.csv"},
    {"kind": "incidents", "file": "world/incidents.csv"},
    {"kind": "changes", "file": "world/changes.csv"},
]


def files_json() -> str:
    return json.dumps(FILES, indent=2) + "\n"


def generate(out_dir: Path) -> list[Path]:
    """Writes every world file into `out_dir`; returns their paths in load order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text(out_dir / "journey_map.yaml", JOURNEY_MAP_YAML)
    alerts = generate_alerts(out_dir)
    generate_metrics(out_dir)
    generate_ai(out_dir)
    generate_ops(out_dir, alerts)
    return [out_dir / Path(f["file"]).name for f in FILES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the journeylens sample world.")
    parser.add_argument("--out", type=Path, default=WORLD, help="output directory (default: sample_data/world)")
    args = parser.parse_args(argv)
    paths = generate(args.out)
    if args.out.resolve() == WORLD:
        write_text(FILES_JSON, files_json())
    total = sum(p.stat().st_size for p in paths)
    for p in paths:
        print(f"{p.stat().st_size:>9}  {p}")
    print(f"{total:>9}  total bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
