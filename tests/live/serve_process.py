"""`journeylens serve` as a child process on a free loopback port, for the live tests, and plain HTTP to it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Serve:
    """A running receiver: `post` answers (status, json or bytes, headers); `stop`/`kill` end it."""

    def __init__(self, workspace, *flags, env=None, log=None):
        self.workspace, self.port = Path(workspace), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log or Path(workspace).parent / f"serve-{self.port}.log")
        with self.log.open("w") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "journeylens.app.cli", "serve", "--workspace", str(workspace),
                 "--port", str(self.port), *map(str, flags)],
                stdout=handle, stderr=subprocess.STDOUT, env={**ENV, **(env or {})})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve ended: {self.log.read_text()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"serve did not answer: {self.log.read_text()}")

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 60):
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return answer.status, decoded(answer.read(), answer.headers), dict(answer.headers)
        except urllib.error.HTTPError as refused:
            return refused.code, decoded(refused.read(), refused.headers), dict(refused.headers)

    def post(self, path: str, body, content_type: str = "application/json", headers: dict | None = None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request("POST", path, data, {"Content-Type": content_type, **(headers or {})})

    def get(self, path: str):
        return self.request("GET", path)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        return self.log.read_text()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def decoded(data: bytes, headers):
    if "json" in (headers.get("Content-Type") or ""):
        return json.loads(data)
    return data


def records(workspace, sql: str) -> list[dict]:
    """The rows of one query on a fresh snapshot of the workspace, as dicts."""
    from journeylens.notebooks.workspace.snapshot import connect

    con = connect(workspace)
    try:
        cursor = con.execute(sql)
        found, names = cursor.fetchall(), [d[0] for d in cursor.description]
    finally:
        con.close()
    return [dict(zip(names, row, strict=True)) for row in found]


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()
