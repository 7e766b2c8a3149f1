"""`journeylens serve`'s HTTP side (Starlette on uvicorn): authentication, limits, decoding and answers.
What a body must be is `notebooks/live/preflight.py`; storing it is `notebooks/live/receiver.py`.

Answers: 200 once the body is fsynced in the write-ahead log (`?wait=commit`: once it is committed as an
upload, with the upload id, or 422 with the full conversion's refusal); 400/422 naming the field of a bad
body, nothing stored; 401 without the bearer token; 413 over the size limit; over the request rate, 429 (Retry-After), or
503 on the hooks, whose senders retry a 5xx only; 503 (Retry-After) while the backlog is full or the receiver stops.
"""

import asyncio
import hmac
import time
import zlib

from journeylens.notebooks.live.otlp import protobuf_request, protobuf_response
from journeylens.notebooks.live.preflight import (
    HOOKS,
    RECORD_KINDS,
    TRACES,
    BodyRefused,
    check_hook,
    check_records,
    parse_json_body,
)
from journeylens.notebooks.live.receiver import ReceiverBusy
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DEFAULT_MAX_BODY = 16 * 1024 * 1024  # bytes, after decompression too
DEFAULT_RATE = 2_000  # requests per second per client address (a token bucket; bursts of twice that)
COMMIT_WAIT_SECONDS = 60
INLINE_BYTES = 256 * 1024  # larger bodies are decoded off the event loop
LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines")


class RateLimit:
    """A token bucket per client: `rate` requests a second, bursts of 2 x rate."""

    def __init__(self, rate: float):
        self.rate, self.burst, self.buckets = rate, 2 * rate, {}

    def wait_for(self, client: str) -> float:
        """0 when the request may go on, else the seconds until it may."""
        now = time.monotonic()
        tokens, then = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        self.buckets[client] = (tokens - 1, now)
        if len(self.buckets) > 10_000:  # forget the idle clients, whose buckets are full again anyway
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        return 0.0


def refusal(status: int, error: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": error, **extra}, status_code=status, headers=headers)


def live_app(receiver, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
             rate: float = DEFAULT_RATE) -> Starlette:
    limiter = RateLimit(rate)

    def authorised(request: Request) -> bool:
        if not token:
            return True
        given = request.headers.get("authorization", "")
        return given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode())

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_body:
            raise BodyRefused(None, f"a body of at most {max_body:,} bytes", f"{int(declared):,} bytes", 413)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise BodyRefused(None, f"a body of at most {max_body:,} bytes", "more", 413)
            chunks.append(chunk)
        data = b"".join(chunks)
        encoding = request.headers.get("content-encoding", "identity").lower()
        if encoding == "gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                data = inflater.decompress(data, max_body + 1)
            except zlib.error as err:
                raise BodyRefused(None, "a gzip body", f"undecodable gzip ({err})") from None
            if len(data) > max_body or inflater.unconsumed_tail:
                raise BodyRefused(None, f"a body of at most {max_body:,} bytes uncompressed", "more", 413)
        elif encoding != "identity":
            raise BodyRefused(None, "Content-Encoding gzip or none", encoding, 415)
        return data

    async def receive(request: Request, route: str, kind: str, decode) -> Response:
        if not authorised(request):
            return refusal(401, "a bearer token is required (Authorization: Bearer …)",
                           headers={"WWW-Authenticate": "Bearer"})
        client = request.client.host if request.client else "unknown"
        wait = limiter.wait_for(client)
        if wait:
            # Alertmanager and Datadog retry a 5xx and drop a 4xx, 429 included: the hooks say 503
            status = 503 if route in HOOKS else 429
            return refusal(status, "too many requests", headers={"Retry-After": str(max(1, round(wait)))})
        try:
            body = await read_body(request)
            def work():
                return decode(body, request.headers.get("content-type", ""))
            layout, records = work() if len(body) <= INLINE_BYTES else await run_in_threadpool(work)
            digest = receiver.digest(route, body)
            future, duplicate = receiver.accept(route, kind, layout, records, digest)
            await asyncio.wrap_future(future)
        except BodyRefused as refused:
            return JSONResponse(refused.as_dict(), status_code=refused.status)
        except (ReceiverBusy, RuntimeError) as busy:
            return refusal(503, str(busy), headers={"Retry-After": "5"})
        answer = {"accepted": len(records), "duplicate": duplicate, "stored": "write-ahead log"}
        if request.query_params.get("wait") == "commit":
            try:
                outcome = await asyncio.wait_for(asyncio.wrap_future(receiver.wait_for_commit(digest)),
                                                 COMMIT_WAIT_SECONDS)
            except TimeoutError:
                return refusal(504, "acknowledged in the write-ahead log; the commit took longer than "
                                    f"{COMMIT_WAIT_SECONDS} s", **answer)
            if "error" in outcome:
                return refusal(422, outcome["error"], kept="live/refused", **answer)
            answer.update(stored="upload", **outcome)
        if route == TRACES.name and "protobuf" in request.headers.get("content-type", ""):
            return Response(protobuf_response(), media_type="application/x-protobuf")
        if route == TRACES.name and "upload_id" not in answer:
            return JSONResponse({})  # an ExportTraceServiceResponse in JSON, as OTLP/HTTP asks
        return JSONResponse(answer)

    async def hook(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in HOOKS:
            return refusal(404, f"no hook {name!r}; hooks: {', '.join(HOOKS)}")
        route = HOOKS[name]

        def decode(body: bytes, content_type: str):
            records = parse_json_body(body, lines=content_type.split(";")[0].strip() in LINES_TYPES)
            return check_hook(route, records), records
        return await receive(request, route.name, route.kind, decode)

    async def traces(request: Request) -> Response:
        def decode(body: bytes, content_type: str):
            if "protobuf" in content_type:
                records = [protobuf_request(body)]
            elif content_type.split(";")[0].strip() in ("application/json", ""):
                records = parse_json_body(body, lines=False)
            else:
                raise BodyRefused(None, "application/json or application/x-protobuf", content_type, 415)
            return check_hook(TRACES, records), records
        return await receive(request, TRACES.name, TRACES.kind, decode)

    async def ingest_kind(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in RECORD_KINDS:
            return refusal(404, f"no kind {kind!r}; kinds: {', '.join(RECORD_KINDS)}")

        def decode(body: bytes, content_type: str):
            records = parse_json_body(body, lines=content_type.split(";")[0].strip() in LINES_TYPES)
            check_records(kind, records)
            return None, records
        return await receive(request, f"ingest-{kind}", kind, decode)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        ready, status = receiver.ready()
        return JSONResponse({"ready": ready, **status}, status_code=200 if ready else 503)

    return Starlette(routes=[
        Route("/hooks/{name}", hook, methods=["POST"]),
        Route("/v1/traces", traces, methods=["POST"]),
        Route("/ingest/{kind}", ingest_kind, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ])
