"""`journeylens serve`: argument parsing, the safety checks of an address, and uvicorn's start and stop.
The receiving is `app/serve_http.py` over `notebooks/live/`."""

import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time

from journeylens.app.cli_text import say

EXIT_REFUSED = 2
DEFAULT_PORT = 8787
DEFAULT_TOKEN_ENV = "JOURNEYLENS_SERVE_TOKEN"
NOTIFY_SECONDS = 600  # one notification run at most (retries and backoff included)


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def cmd_serve(args) -> int:
    import uvicorn
    from journeylens.app.serve_http import live_app
    from journeylens.notebooks.live.receiver import Receiver, ReceiverBusy

    token = os.environ.get(args.token_env) or None
    if not is_loopback(args.address) and not token:
        say(f"journeylens serve: refused: {args.address} is not a loopback address, so a bearer token is "
            f"required: set it in the environment variable {args.token_env} (or name another with --token-env)",
            err=True)
        return EXIT_REFUSED

    def log(text: str) -> None:
        say(f"serve: {text}", err=True)

    try:
        receiver = Receiver(args.workspace, batch_seconds=args.batch_seconds, batch_events=args.batch_events,
                            on_commit=NotifyAfterCommits(args.workspace, args.notify_seconds, log), log=log,
                            compact_seconds=args.compact_seconds if args.compact_seconds > 0 else float("inf"))
    except ReceiverBusy as busy:
        say(f"journeylens serve: refused: {busy}", err=True)
        return EXIT_REFUSED
    app = live_app(receiver, token=token, max_body=args.max_body_mb * 1024 * 1024, rate=args.rate)
    config = uvicorn.Config(app, host=args.address, port=args.port, log_level="warning", access_log=False,
                            lifespan="off", server_header=False, timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    say(f"journeylens serve: receiving into {args.workspace} on http://{args.address}:{args.port} "
        f"(token {'required' if token else 'not required: loopback'}; commits every {args.batch_seconds:g} s "
        f"or {args.batch_events:,} events; Ctrl+C to stop)", err=True)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again to the handler it found:
    # this one, so that the receiver still commits what it acknowledged before the process ends.
    previous = {signum: signal.signal(signum, stopped) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    except StopAsked:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        receiver.close()  # what was acknowledged is committed before the workspace is let go
        say(f"journeylens serve: stopped; {receiver.state['events']:,} events received, "
            f"{receiver.state['uploads']:,} uploads stored", err=True)
    return 0


class NotifyAfterCommits:
    """After a committed batch, the workspace's notification rules run (`journeylens notify run`), in a child
    process at a lower priority (ranking the queue is seconds of CPU the answering side must not wait for),
    one run at a time and at most every `seconds`: a burst of batches is one evaluation, and a slow Slack
    never holds a commit. Nothing runs when the workspace has no notification config."""

    def __init__(self, workspace, seconds: float, log):
        self.workspace, self.seconds, self.log = workspace, seconds, log
        self.running, self.last = threading.Lock(), 0.0

    def __call__(self, summary: dict) -> None:
        if self.seconds <= 0 or not summary["uploads"] or time.monotonic() - self.last < self.seconds:
            return
        if self.running.acquire(blocking=False):
            self.last = time.monotonic()
            threading.Thread(target=self.run, name="journeylens-notify", daemon=True).start()

    def run(self) -> None:
        from journeylens.notebooks.notify.config import config_files

        try:
            if not config_files(self.workspace):
                return
            done = subprocess.run([sys.executable, "-m", "journeylens.app.cli", "notify", "run", "--workspace",
                                   str(self.workspace)], capture_output=True, text=True, timeout=NOTIFY_SECONDS,
                                  preexec_fn=lambda: os.nice(10))
            said = (done.stdout.strip().splitlines() or ["no answer"])[-1]
            if done.returncode or " 0 messages sent" not in f" {said}":
                self.log(f"notifications: {said}")
        except (OSError, subprocess.SubprocessError) as error:  # a notification problem never stops receiving
            self.log(f"notifications not run: {type(error).__name__}: {error}")
        finally:
            self.running.release()


class StopAsked(Exception):
    """SIGINT or SIGTERM, after uvicorn's graceful shutdown."""


def stopped(_signum, _frame):
    raise StopAsked


def add_serve_parser(verbs, with_workspace) -> None:
    serve = with_workspace(verbs.add_parser(
        "serve", help="receive alerts and AI telemetry over HTTP (webhooks, OTLP) into the workspace",
        epilog="POST /hooks/alertmanager, /hooks/grafana, /hooks/pagerduty, /hooks/datadog, /v1/traces (OTLP/HTTP, "
               "JSON or protobuf), /ingest/<kind> (JSON or JSON Lines); GET /healthz, /readyz. A 2xx means the "
               "body is stored in the write-ahead log; it is committed as an upload within --batch-seconds."))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--address", default="127.0.0.1",
                       help="bind address (default loopback; any other needs a token)")
    serve.add_argument("--token-env", default=DEFAULT_TOKEN_ENV, metavar="NAME",
                       help=f"environment variable holding the bearer token (default {DEFAULT_TOKEN_ENV})")
    serve.add_argument("--batch-seconds", type=float, default=2.0, help="commit every N seconds (default 2)")
    serve.add_argument("--batch-events", type=int, default=20_000,
                       help="or as soon as N events wait (default 20,000)")
    serve.add_argument("--max-body-mb", type=int, default=16, help="largest body, uncompressed (default 16)")
    serve.add_argument("--rate", type=float, default=2_000,
                       help="requests per second per client address (default 2,000)")
    serve.add_argument("--compact-seconds", type=float, default=60,
                       help="look for small uploads to compact every N seconds (default 60; 0: never)")
    serve.add_argument("--notify-seconds", type=float, default=30,
                       help="run the notification rules after new batches, at most every N seconds (0: never)")
    serve.set_defaults(run=cmd_serve)
