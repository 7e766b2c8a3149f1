"""`journeylens rank --engine spark --remote sc://…`: the ranking over Spark Connect, against a real Spark Connect
server the test starts on loopback (pyspark's own SparkConnectServer, through its spark-submit, in local mode).
The client holds no JVM: every statement travels over gRPC, as it would to a cluster. It writes DuckDB's
ranked_alerts.csv byte for byte."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A Spark Connect server on a free loopback port: its sc:// address, for the module's tests."""
    pytest.importorskip("grpc", reason="Spark Connect's client comes with journeylens[spark]")
    import pyspark

    home = Path(pyspark.__file__).parent
    port = free_port()
    log = tmp_path_factory.mktemp("spark-connect") / "server.log"
    command = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS, "--master", "local[2]",
               *[arg for key, value in {
                   "spark.connect.grpc.binding.address": "127.0.0.1", "spark.connect.grpc.binding.port": str(port),
                   "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                   "spark.ui.enabled": "false", "spark.driver.memory": "2g"}.items()
                 for arg in ("--conf", f"{key}={value}")]]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**os.environ, "SPARK_HOME": str(home)})
    try:
        deadline = time.monotonic() + START_SECONDS
        while not listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "journeylens.app.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=900, env=ENV)


def test_rank_over_spark_connect_writes_duckdbs_file(connect_server, sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    duck = run("rank", "--workspace", ws, "--out", tmp_path / "duck.csv")
    remote = run("rank", "--workspace", ws, "--engine", "spark", "--remote", connect_server,
                 "--out", tmp_path / "remote.csv")
    assert duck.returncode == 0 and remote.returncode == 0, remote.stderr[-3000:]
    assert (tmp_path / "remote.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()
    assert "Traceback" not in remote.stderr


def test_an_unreachable_connect_server_is_refused_at_once(tmp_path, sample_dir):
    """Refused before the client's retries, which take minutes against an address nothing answers at."""
    nobody = f"sc://127.0.0.1:{free_port()}"
    done = run("rank", "--workspace", sample_dir, "--engine", "spark", "--remote", nobody)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"no Spark Connect server answers at {nobody[5:]}" in done.stderr
    wrong = run("rank", "--workspace", sample_dir, "--engine", "spark", "--remote", "http://127.0.0.1:15002")
    assert wrong.returncode == 2 and "is not a Spark Connect address" in wrong.stderr
