"""The load of bench_serve: unique bodies (Alertmanager webhooks, OTLP protobuf GenAI spans) and an asyncio
client on raw keep-alive HTTP/1.1 connections, open loop (a fixed schedule) and closed loop."""

import asyncio
import json
import time

MAX_CONNECTIONS = 256


def alertmanager_bodies(count: int, alerts: int) -> list:
    bodies = []
    for number in range(count):
        bodies.append(json.dumps({
            "version": "4", "groupKey": f'{{}}:{{alertname="HighLatency",n="{number}"}}', "status": "firing",
            "receiver": "journeylens", "groupLabels": {"alertname": "HighLatency"}, "commonLabels": {},
            "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "HighLatency", "service": f"svc-{i % 40}",
                                                        "severity": ("critical", "warning")[i % 2],
                                                        "instance": f"10.0.{number % 250}.{i}:9100"},
                        "annotations": {"summary": "p99 latency over budget for 5m"},
                        "startsAt": "2026-11-30T10:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "http://prometheus:9090/graph", "fingerprint": f"{number:08x}{i:04x}"}
                       for i in range(alerts)]}).encode())
    return bodies


def otlp_bodies(count: int, spans: int) -> list:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

    def attribute(key, value):
        return KeyValue(key=key, value=AnyValue(**({"int_value": value} if isinstance(value, int)
                                                   else {"string_value": value})))

    bodies = []
    for number in range(count):
        request = ExportTraceServiceRequest()
        resource = request.resource_spans.add()
        resource.resource.attributes.append(attribute("service.name", "assistant"))
        scope = resource.scope_spans.add()
        scope.scope.name = "opentelemetry.instrumentation.openai"
        for i in range(spans):
            span = scope.spans.add()
            span.trace_id = (number * spans + i).to_bytes(16, "big")
            span.span_id = (number * spans + i + 1).to_bytes(8, "big")
            span.name = "chat gpt-4o-mini"
            span.start_time_unix_nano = 1_764_500_000_000_000_000 + (number * spans + i) * 1_000_000
            span.end_time_unix_nano = span.start_time_unix_nano + 800_000_000
            for key, value in (("gen_ai.system", "openai"), ("gen_ai.request.model", "gpt-4o-mini"),
                               ("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 420 + i),
                               ("gen_ai.usage.output_tokens", 80 + i), ("feature", ("search", "support")[i % 2])):
                span.attributes.append(attribute(key, value))
        bodies.append(request.SerializeToString())
    return bodies


class Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    async def post(self, path: str, body: bytes, content_type: str) -> int:
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next((int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")), 0)
        await self.reader.readexactly(length)
        return status


async def connect(port: int) -> Connection:
    return Connection(*await asyncio.open_connection("127.0.0.1", port))


def summary(latencies: list, ok: int, errors: int, seconds: float) -> dict:
    latencies = sorted(latencies) or [0.0]

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return {"ok": ok, "errors": errors, "seconds": seconds, "p50": pick(0.50), "p99": pick(0.99),
            "max": latencies[-1]}


async def open_loop(port: int, path: str, bodies: list, rate: float, seconds: float, content_type: str) -> dict:
    """Requests leave at `rate` per second for `seconds`; latency from each one's scheduled time."""
    idle: asyncio.Queue = asyncio.Queue()
    opened, latencies, counts = [0], [], {"ok": 0, "errors": 0}

    async def send(body: bytes, due: float) -> None:
        if idle.empty() and opened[0] < MAX_CONNECTIONS:
            opened[0] += 1
            idle.put_nowait(await connect(port))
        connection = await idle.get()
        try:
            status = await connection.post(path, body, content_type)
        except (OSError, asyncio.IncompleteReadError):
            counts["errors"] += 1
            opened[0] -= 1
            return
        latencies.append(time.perf_counter() - due)
        counts["ok" if status == 200 else "errors"] += 1
        idle.put_nowait(connection)

    start = time.perf_counter()
    tasks, total = [], min(len(bodies), int(rate * seconds))
    for number in range(total):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(bodies[number], due)))
    await asyncio.gather(*tasks)
    return summary(latencies, counts["ok"], counts["errors"], total / rate)


async def closed_loop(port: int, path: str, bodies: list, connections: int, seconds: float,
                      content_type: str) -> dict:
    """`connections` senders, each sending its next body when the last is answered, for `seconds` (or until
    the bodies run out: every body is sent once, so nothing is a duplicate)."""
    queue = list(reversed(bodies))
    latencies, counts = [], {"ok": 0, "errors": 0}
    start = time.perf_counter()

    async def sender() -> None:
        connection = await connect(port)
        while queue and time.perf_counter() - start < seconds:
            body = queue.pop()
            sent = time.perf_counter()
            status = await connection.post(path, body, content_type)
            latencies.append(time.perf_counter() - sent)
            counts["ok" if status == 200 else "errors"] += 1
        connection.writer.close()

    await asyncio.gather(*(sender() for _ in range(connections)))
    return summary(latencies, counts["ok"], counts["errors"], time.perf_counter() - start)


def stored_count(workspace, table: str) -> int:
    from journeylens.notebooks.workspace.snapshot import connect as snapshot

    con = snapshot(workspace)
    try:
        return con.execute(f"select count(*) from {table}").fetchall()[0][0]
    finally:
        con.close()
