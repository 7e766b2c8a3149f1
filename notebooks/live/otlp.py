"""OTLP/HTTP trace bodies: protobuf (the collector's default) turned into OTLP JSON, which the file ingest
reads (`native/otel.py`, sql/ingest/11_otel_genai_spans.sql).

Decoding is opentelemetry-proto's generated classes, not a hand-written parser. protobuf's JSON mapping
differs from OTLP JSON in one way that matters: `bytes` fields (trace, span and parent ids) come out as
base64, where the OTLP JSON encoding asks for hex (opentelemetry-proto docs/specification.md, "JSON
Protobuf Encoding"). They are rewritten to hex, so a span posted as protobuf and the same span posted as
JSON are stored alike.
"""

import base64
import binascii

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError
from journeylens.notebooks.live.preflight import BodyRefused
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def protobuf_request(data: bytes) -> dict:
    """An ExportTraceServiceRequest in protobuf as its OTLP JSON object."""
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(data)
    except (DecodeError, ValueError) as err:
        raise BodyRefused(None, "an OTLP ExportTraceServiceRequest (protobuf)", f"undecodable bytes ({err})") from None
    body = MessageToDict(request)
    for resource in body.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                hex_ids(span)
                for link in span.get("links", []):
                    hex_ids(link)
    return body


def hex_ids(span: dict) -> None:
    for name in ID_FIELDS:
        if span.get(name):
            try:
                span[name] = base64.b64decode(span[name]).hex()
            except (binascii.Error, ValueError):
                pass  # left as sent: an id is an id, whatever its spelling


def protobuf_response() -> bytes:
    """The success answer OTLP/HTTP asks for, in the request's encoding (an empty message)."""
    return ExportTraceServiceResponse().SerializeToString()
