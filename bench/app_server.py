"""The app served on a workspace on a free loopback port, and Debian's Chromium to look at it: shared by the
browser tests (tests/app/test_playwright*.py) and the README screenshots (bench/readme_screenshots.py).

Never downloads a browser: /usr/bin/chromium is Debian's (apt-get install chromium)."""

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from journeylens.app.ui import streamlit_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s")


@contextlib.contextmanager
def serve(workspace: Path):
    """The app served on `workspace` (its JOURNEYLENS_WORKSPACE) on a free loopback port: yields its URL; the
    server's output goes to streamlit.log beside the workspace."""
    port = free_port()
    # ranking ahead as shipped (app/launch.py), also under the test suite, which turns it off for its page runs
    env = {**os.environ, "JOURNEYLENS_WORKSPACE": str(workspace), "JOURNEYLENS_OPEN_AHEAD": "on"}
    log = open(Path(workspace).parent / "streamlit.log", "wb")  # closed in the finally below
    proc = subprocess.Popen(streamlit_command(port), env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
