"""A local OpenAI-compatible HTTP server for the judge tests: the real openai client talks to it over
real HTTP on a loopback port. `behaviour(request, n)` decides each answer: (status, body, headers), where
the body is a dict (sent as JSON) or a `Raw` body, or one of the bad-server answers below: `HANG` (never
answers), `RESET` (the connection is reset), a `truncated(...)` body. `refused_url()` is a base URL on
which nothing listens."""

import contextlib
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = ("hang", None, {})  # reads the request, then never answers (until the server stops)
RESET = ("reset", None, {})  # reads the request, then resets the connection (TCP RST, no answer)


class Raw:
    """A body sent as is: an HTML error page, a JSON body cut short (`cut_at` bytes of it, then the
    connection closes although Content-Length promised the whole), text that is not JSON."""

    def __init__(self, text: str, content_type: str = "text/html; charset=utf-8", cut_at: int | None = None):
        self.data, self.content_type, self.cut_at = text.encode(), content_type, cut_at


def completion(content, finish_reason="stop", model="judge-model"):
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62}}


def error(status, message):
    return status, {"error": {"message": message, "type": "invalid_request_error", "code": None}}, {}


def truncated(content="checked", status=200):
    """A chat completion whose body stops half way (the server closes the connection)."""
    text = json.dumps(completion(content))
    return status, Raw(text, "application/json", cut_at=len(text) // 2), {}


@contextlib.contextmanager
def refused_url():
    """A base URL on a loopback port that is bound but not listening: every connection is refused, and no
    other program can take the port while the test runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()


class FakeOpenAI:
    def __init__(self, behaviour):
        self.behaviour, self.requests, self.headers = behaviour, [], []
        self.lock, self.release = threading.Lock(), threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers: a reset or cut then hits a pooled connection

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                    n = len(fake.requests)
                status, payload, headers = fake.behaviour(body, n)
                if status == "hang":
                    fake.release.wait(60)
                    self.close_connection = True
                    return
                if status == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()  # with linger 0: RST, not FIN
                    self.close_connection = True
                    return
                raw = payload if isinstance(payload, Raw) else Raw(json.dumps(payload), "application/json")
                self.send_response(status)
                self.send_header("Content-Type", raw.content_type)
                self.send_header("Content-Length", str(len(raw.data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw.data[:raw.cut_at])
                if raw.cut_at is not None:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up (timeout) or a reset: expected here, not worth a traceback

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
