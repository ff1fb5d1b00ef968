"""Exports the GenAI-shaped trace described in SPEC (JSON, from genai-trace.ts) with the official
OpenTelemetry Python SDK and its OTLP/HTTP protobuf exporter, then prints the ids it used as JSON.
Exits non-zero when an export fails."""
import json
import os
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode, SpanKind

spec = json.loads(os.environ["SPEC"])
service = os.environ["SERVICE"]
memory = InMemorySpanExporter()
provider = TracerProvider(
    resource=Resource.create(
        {"service.name": service, "deployment.environment": "test", "service.instance.id": f"{service}-1"}
    )
)
provider.add_span_processor(SimpleSpanProcessor(memory))
tracer = provider.get_tracer("tracehouse-otel-test-py", "1.0.0")

kinds = {1: SpanKind.INTERNAL, 3: SpanKind.CLIENT}
open_spans = {}
ids = {}
# Spans are started in spec order (parents first) and ended in reverse, like nested calls.
for s in spec:
    parent = open_spans.get(s["parent"]) if s["parent"] else None
    ctx = trace.set_span_in_context(parent) if parent else None
    span = tracer.start_span(s["name"], context=ctx, kind=kinds[s["kind"]], attributes=s["attributes"])
    open_spans[s["key"]] = span
    ids[s["key"]] = format(span.get_span_context().span_id, "016x")
for s in reversed(spec):
    span = open_spans[s["key"]]
    if s.get("error"):
        span.record_exception(ValueError(s["error"]["exception"]))
        span.set_status(Status(StatusCode.ERROR, s["error"]["status"]))
    span.end()

exporter = OTLPSpanExporter(
    endpoint=os.environ["ENDPOINT"],
    headers={"x-tracehouse-key": os.environ["KEY"]},
    compression=Compression.Gzip,
    timeout=30,
)
result = exporter.export(memory.get_finished_spans())
if result != SpanExportResult.SUCCESS:
    print(f"export failed: {result}", file=sys.stderr)
    sys.exit(1)
trace_id = format(open_spans["root"].get_span_context().trace_id, "032x")
print(json.dumps({"traceId": trace_id, "spans": ids}))
