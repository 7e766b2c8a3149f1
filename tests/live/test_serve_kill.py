"""A kill -9 of `journeylens serve` under load loses no acknowledged event, and the senders' retries after
the restart add nothing twice."""

import json
import threading
import time

from serve_process import Serve, records


def payload(sender: int, number: int, alerts: int = 5) -> dict:
    """An Alertmanager webhook (version 4) whose alerts no other payload has."""
    return {"version": "4", "groupKey": f"{{}}:{{sender=\"{sender}\"}}", "status": "firing", "receiver": "journeylens",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
            "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "HighLatency", "service": f"svc{sender}",
                                                        "severity": "critical", "n": f"{sender}-{number}-{i}"},
                        "annotations": {"summary": "p99 over budget"}, "startsAt": "2026-11-30T10:00:00Z",
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph",
                        "fingerprint": f"f{sender:02d}{number:05d}{i}"} for i in range(alerts)]}


def test_a_kill_under_load_loses_no_acknowledged_event(tmp_path):
    workspace = tmp_path / "ws"
    serve = Serve(workspace, "--batch-seconds", "0.5")
    acked, sent, stop = {}, {}, threading.Event()

    def sender(number: int) -> None:
        for count in range(100_000):
            if stop.is_set():
                return
            body = json.dumps(payload(number, count)).encode()
            sent[(number, count)] = body
            try:
                status, _, _ = serve.post("/hooks/alertmanager", body)
            except OSError:
                return  # the receiver is gone: this one was never acknowledged
            if status == 200:
                acked[(number, count)] = body

    senders = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    for thread in senders:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acked) < 150 and time.monotonic() < deadline:  # several commits in, and more in the log
        time.sleep(0.05)
    serve.kill()
    stop.set()
    for thread in senders:
        thread.join(timeout=60)
    assert len(acked) >= 150

    restarted = Serve(workspace, "--batch-seconds", "0.5")  # commits what the killed one left, first
    try:
        retries = [restarted.post("/hooks/alertmanager", body) for body in sent.values()]  # every sender retries
        flushed = restarted.post("/hooks/alertmanager?wait=commit", list(acked.values())[0])
    finally:
        log = restarted.stop()
    assert all(status == 200 for status, _, _ in retries) and flushed[0] == 200, log
    stored = records(workspace, "select fingerprint, count(*) as copies from alert_notices group by fingerprint")
    copies = {row["fingerprint"]: row["copies"] for row in stored}
    acked_fingerprints = {a["fingerprint"] for body in acked.values() for a in json.loads(body)["alerts"]}
    sent_fingerprints = {a["fingerprint"] for body in sent.values() for a in json.loads(body)["alerts"]}
    assert acked_fingerprints <= copies.keys()  # nothing acknowledged is lost
    assert set(copies) == sent_fingerprints  # what was retried after the restart is stored too
    assert set(copies.values()) == {1}  # and nothing twice
    trail = (workspace / "audit.jsonl").read_text()
    assert "Traceback" not in log and trail.count('"upload.stored"') == len(records(workspace, "select * from uploads"))
