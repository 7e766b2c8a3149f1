"""Live receiver benchmark (not a test): `make bench` runs it. Issue 17's targets on 2 cores: `journeylens
serve` sustains >= 5,000 Alertmanager alerts/s with p99 ack latency < 250 ms at that rate, and >= 5,000
OTLP spans/s; both reported against a bare HTTP handler (the same uvicorn, a Starlette route that only
reads the body) given the same bodies in the same run.

Two measures per server and format:
- open loop at the target rate: requests leave on a fixed schedule, and each one's latency runs from its
  scheduled time (so a stalled server is not hidden by a client that waits for it: no coordinated omission);
- closed loop: CONNECTIONS keep-alive connections send as fast as answers come, for the most it can take.
The client is asyncio on raw keep-alive connections, on the same two cores as the server (it is charged
to both servers alike). After the journeylens runs, every event must be stored: the run stops otherwise.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serve_load import alertmanager_bodies, closed_loop, open_loop, otlp_bodies, stored_count

SECONDS = float(os.environ.get("BENCH_SERVE_SECONDS", 20))
ALERTS_PER_BODY = int(os.environ.get("BENCH_SERVE_ALERTS_PER_BODY", 20))
SPANS_PER_BODY = int(os.environ.get("BENCH_SERVE_SPANS_PER_BODY", 50))
TARGET = 5_000  # events per second
CONNECTIONS = 16
ROOT = Path(__file__).resolve().parents[1]
BARE = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def read_only(request):
    await request.body()
    return Response(b'{}', media_type='application/json')

app = Starlette(routes=[Route('/{path:path}', read_only, methods=['POST', 'GET'])])
uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', access_log=False)
"""


def start(kind: str, port: int, workspace: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = ([sys.executable, "-c", BARE, str(port)] if kind == "bare" else
               [sys.executable, "-m", "journeylens.app.cli", "serve", "--workspace", str(workspace),
                "--port", str(port), "--rate", "100000", *os.environ.get("BENCH_SERVE_FLAGS", "").split()])
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            import urllib.request
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError as error:
            if getattr(error, "code", None) == 404:  # the bare handler answers only POST routes it knows
                return process
            time.sleep(0.2)
    raise RuntimeError(f"{kind} did not start")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(kind: str, path: str, bodies: list, per_body: int, content_type: str) -> dict:
    workspace = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "ws"
    port = free_port()
    process = start(kind, port, workspace)
    try:
        rate = TARGET / per_body
        opened = asyncio.run(open_loop(port, path, bodies, rate, SECONDS, content_type))
        closed = asyncio.run(closed_loop(port, path, bodies[len(bodies) // 2:], CONNECTIONS, SECONDS / 2,
                                         content_type))
    finally:
        process.terminate()
        process.wait(timeout=120)
    result = {"server": kind, "path": path, "open": opened, "closed": closed, "per_body": per_body}
    if kind == "journeylens":
        sent = (opened["ok"] + closed["ok"]) * per_body
        result["stored"] = stored_count(workspace, "alert_notices" if "hooks" in path else "ai_interactions")
        if result["stored"] != sent:
            raise SystemExit(f"{path}: {sent:,} events acknowledged, {result['stored']:,} stored")
    shutil.rmtree(workspace.parent, ignore_errors=True)
    return result


def line(result: dict, bare: dict) -> str:
    o, c = result["open"], result["closed"]
    events = result["per_body"]
    return (f"| {result['server']} | {o['ok'] * events / o['seconds']:,.0f}/s | {o['p50'] * 1000:.1f} ms | "
            f"{o['p99'] * 1000:.1f} ms | {o['errors']} | {c['ok'] * events / c['seconds']:,.0f}/s | "
            f"{(c['ok'] / c['seconds']) / (bare['closed']['ok'] / bare['closed']['seconds']):.2f}× |")


def main() -> None:
    print(f"# journeylens serve vs a bare handler: {SECONDS:g} s open loop at {TARGET:,} events/s, then "
          f"{SECONDS / 2:g} s closed loop ({CONNECTIONS} connections); {os.cpu_count()} cores", flush=True)
    only = os.environ.get("BENCH_SERVE_ONLY", "")
    formats = [("/hooks/alertmanager", alertmanager_bodies(int(SECONDS * 2 * TARGET / ALERTS_PER_BODY) + 100,
                                                           ALERTS_PER_BODY), ALERTS_PER_BODY, "application/json"),
               ("/v1/traces", otlp_bodies(int(SECONDS * 2 * TARGET / SPANS_PER_BODY) + 100, SPANS_PER_BODY),
                SPANS_PER_BODY, "application/x-protobuf")]
    report = []
    for path, bodies, per_body, content_type in formats:
        if only and only not in path:
            continue
        bare = measure("bare", path, bodies, per_body, content_type)
        ours = measure("journeylens", path, bodies, per_body, content_type)
        print(f"\n{path} ({per_body} events per body, {content_type})\n"
              "| server | open loop: events | p50 ack | p99 ack | errors | closed loop: events | requests × bare |\n"
              "|---|---|---|---|---|---|---|", flush=True)
        print(line(bare, bare))
        print(line(ours, bare), flush=True)
        report.append({"path": path, "bare": bare, "journeylens": ours})
    out = ROOT / "bench" / "out" / "bench_serve.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
