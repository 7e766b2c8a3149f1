"""A real HTTP server on a free loopback port that plays the three destinations a notification goes to:

- Slack incoming webhooks (`/slack/...`): 200 "ok" unless told otherwise;
- a generic JSON webhook (`/hook/...`): 200 "{}";
- PagerDuty Events API v2 (`/pd/...`): 202 {"status": "success", "message": "Event processed", "dedup_key": ...}.

`answer(prefix, *responses)` scripts the next answers of a path prefix, in order: (status, body) or (status, body,
headers), or ("hang", seconds) to answer only after the client's timeout. Every request is kept in `requests`
(path, headers, parsed JSON body, the monotonic time it arrived)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hooks:
    def __init__(self):
        self.requests, self.script, self.lock = [], {}, threading.Lock()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
                with hooks.lock:
                    hooks.requests.append({"path": self.path, "headers": dict(self.headers), "json": body,
                                           "at": time.monotonic()})
                    planned = next((hooks.script[p] for p in hooks.script if self.path.startswith(p)), [])
                    answer = planned.pop(0) if planned else None
                if answer and answer[0] == "hang":
                    time.sleep(answer[1])
                    return
                status, text, headers = answer if answer and len(answer) == 3 else (*(answer or self.default(body)), {})
                data = text.encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def default(self, body):
                if self.path.startswith("/pd"):
                    key = (body or {}).get("dedup_key")
                    return 202, json.dumps({"status": "success", "message": "Event processed", "dedup_key": key})
                return (200, "ok") if self.path.startswith("/slack") else (200, "{}")

            def log_message(self, *args):  # quiet
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that gave up on a hanging answer
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def answer(self, prefix: str, *responses) -> None:
        with self.lock:
            self.script[prefix] = list(responses)

    def sent(self, prefix: str) -> list:
        """The requests to paths under `prefix`, oldest first."""
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.script.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
