"""One tracing session driven by the official PyPI `opperai` SDK against a Tracehouse server.

Run by opper-python-session.int.test.ts with the venv python. Env:
  OPPER_URL      server URL including /v2
  OPPER_KEY      API key of the session's project ("" = build the SDK without a key)
  OTHER_KEY      API key of another project (session mode)
  READ_KEY       key used to read back what an anonymous client wrote (anonymous mode, optional)
  ROOT_NAME      unique name of the root span
  MODE           "session" (default) or "anonymous"
Prints one JSON object on stdout. Any unexpected exception exits non-zero, with the failing step and
the HTTP request/response on stderr.
"""

import datetime
import json
import os
import sys
import traceback
import uuid

from opperai import Opper, errors

URL = os.environ["OPPER_URL"]
KEY = os.environ.get("OPPER_KEY", "")
ROOT_NAME = os.environ["ROOT_NAME"]
step_name = "start"


def step(name):
    global step_name
    step_name = name


def error_of(call):
    """The SDK error a call raises, as {class, status}; a call that succeeds is reported as such."""
    try:
        call()
    except errors.OpperError as e:
        return {"class": type(e).__name__, "status": e.status_code}
    return {"class": None, "status": None}


def iso(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def span_out(span):
    return {
        "id": span.id,
        "name": span.name,
        "trace_id": span.trace_id,
        "parent_id": span.parent_id,
        "type": span.type,
        "input": span.input,
        "output": span.output,
        "meta": span.meta,
        "start_time": iso(span.start_time),
        "end_time": iso(span.end_time),
        "feedback": (
            {"score": span.feedback.score, "comment": span.feedback.comment}
            if getattr(span, "feedback", None)
            else None
        ),
    }


def metric_out(metric):
    return {
        "id": metric.id,
        "span_id": metric.span_id,
        "dimension": metric.dimension,
        "value": metric.value,
        "comment": metric.comment,
        "created_at_has_zone": metric.created_at.tzinfo is not None,
    }


def entry_out(entry):
    return {
        "id": entry.id,
        "input": entry.input,
        "output": entry.output,
        "expected": entry.expected,
        "comment": entry.comment,
    }


def session():
    opper = Opper(KEY, server_url=URL)
    out = {}

    step("spans.create root")
    root = opper.spans.create(
        name=ROOT_NAME,
        type="agent",
        parent_id=None,  # sent as JSON null
        # A naive datetime: the SDK sends it without a zone.
        start_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 123456),
        input={"question": "What is Tracehouse?"},
        meta={"user": "ann"},
    )
    step("spans.get root right after create")
    got = opper.spans.get(span_id=root.id)
    step("spans.create child (parent_id only)")
    child = opper.spans.create(
        name="retrieve",
        parent_id=root.id,
        input="What is Tracehouse?",
        output="docs",
        start_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 200000, tzinfo=datetime.timezone.utc),
        end_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 700000, tzinfo=datetime.timezone.utc),
    )
    step("spans.create grandchild (parent_id only)")
    grandchild = opper.spans.create(
        name="rerank",
        parent_id=child.id,
        input="docs",
        output="best doc",
        start_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 300000, tzinfo=datetime.timezone.utc),
        end_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 600000, tzinfo=datetime.timezone.utc),
    )
    out["root"] = span_out(root)
    out["got"] = span_out(got)
    out["child"] = span_out(child)
    out["grandchild"] = span_out(grandchild)

    step("spans.update root meta/output")
    updated = opper.spans.update(
        span_id=root.id,
        meta={"user": "ann", "reviewed": True, "round": 2},
        output="A tracing backend",
        end_time=datetime.datetime(2025, 3, 1, 10, 0, 1, 500000),
    )
    out["updated"] = span_out(updated)
    step("spans.get root after update")
    out["got_after_update"] = span_out(opper.spans.get(span_id=root.id))

    step("span_metrics.create_metric relevance")
    m1 = opper.span_metrics.create_metric(span_id=child.id, dimension="relevance", value=0.8, comment="ok")
    step("span_metrics.create_metric latency_ms")
    m2 = opper.span_metrics.create_metric(span_id=child.id, dimension="latency_ms", value=120)
    out["m1"] = metric_out(m1)
    out["m2"] = metric_out(m2)
    step("span_metrics.list (2)")
    listed = opper.span_metrics.list(span_id=child.id)
    out["metrics_listed"] = {
        "total_count": listed.meta.total_count,
        "data": sorted([metric_out(m) for m in listed.data], key=lambda m: m["dimension"]),
    }
    step("span_metrics.get m1")
    out["m1_got"] = metric_out(opper.span_metrics.get(span_id=child.id, metric_id=m1.id))
    step("span_metrics.update_metric m1")
    out["m1_updated"] = metric_out(
        opper.span_metrics.update_metric(span_id=child.id, metric_id=m1.id, value=0.9, comment="rechecked")
    )
    step("span_metrics.delete m2")
    out["m2_deleted"] = opper.span_metrics.delete(span_id=child.id, metric_id=m2.id)
    step("span_metrics.list after delete (1)")
    after = opper.span_metrics.list(span_id=child.id)
    out["metrics_after_delete"] = {
        "total_count": after.meta.total_count,
        "data": [metric_out(m) for m in after.data],
    }
    step("span_metrics.get deleted m2")
    out["m2_get_after_delete"] = error_of(lambda: opper.span_metrics.get(span_id=child.id, metric_id=m2.id))

    trace_id = root.trace_id
    step("traces.list")
    all_traces = opper.traces.list()
    out["traces_all"] = {
        "total_count": all_traces.meta.total_count,
        "ids": [t.id for t in all_traces.data],
    }
    step("traces.list(name)")
    by_name = opper.traces.list(name=ROOT_NAME)
    out["traces_by_name"] = {
        "total_count": by_name.meta.total_count,
        "data": [
            {
                "id": t.id,
                "name": t.name,
                "input": t.input,
                "output": t.output,
                "duration_ms": t.duration_ms,
                "start_time": iso(t.start_time),
            }
            for t in by_name.data
        ],
    }
    step("traces.get")
    trace = opper.traces.get(trace_id=trace_id)
    out["trace"] = {
        "id": trace.id,
        "name": trace.name,
        "spans": sorted(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "parent_id": s.parent_id,
                    "input": s.data.input if s.data else None,
                    "output": s.data.output if s.data else None,
                    "metrics": [
                        {"id": m.id, "dimension": m.dimension, "value": m.value, "comment": m.comment}
                        for m in (s.metrics or [])
                    ],
                }
                for s in trace.spans or []
            ],
            key=lambda s: s["name"],
        ),
    }

    step("spans.save_examples child")
    saved = opper.spans.save_examples(span_id=child.id)
    out["saved"] = {
        "dataset_id": saved.dataset_id,
        "dataset_entry_id": saved.dataset_entry_id,
        "input": saved.input,
        "output": saved.output,
        "expected": saved.expected,
        "comment": saved.comment,
    }
    step("datasets.list_entries")
    entries = opper.datasets.list_entries(dataset_id=saved.dataset_id)
    out["entries"] = {"total_count": entries.meta.total_count, "data": [entry_out(e) for e in entries.data]}
    step("datasets.get_entry")
    out["entry"] = entry_out(
        opper.datasets.get_entry(dataset_id=saved.dataset_id, entry_id=saved.dataset_entry_id)
    )

    step("spans.submit_feedback child")
    fb = opper.spans.submit_feedback(span_id=child.id, score=1.0, comment="great")
    out["feedback"] = {
        "span_id": fb.span_id,
        "score": fb.score,
        "comment": fb.comment,
        "example_saved": fb.example_saved,
    }
    step("spans.get child feedback")
    out["child_with_feedback"] = span_out(
        opper.spans.get(span_id=child.id)
    )

    step("another project's key")
    other = Opper(os.environ["OTHER_KEY"], server_url=URL)
    out["other"] = {
        "spans.get": error_of(lambda: other.spans.get(span_id=root.id)),
        "spans.update": error_of(lambda: other.spans.update(span_id=root.id, meta={"x": 1})),
        "span_metrics.get": error_of(lambda: other.span_metrics.get(span_id=child.id, metric_id=m1.id)),
        "span_metrics.list": error_of(lambda: other.span_metrics.list(span_id=child.id)),
        "traces.get": error_of(lambda: other.traces.get(trace_id=trace_id)),
        "datasets.get_entry": error_of(
            lambda: other.datasets.get_entry(dataset_id=saved.dataset_id, entry_id=saved.dataset_entry_id)
        ),
        "datasets.list_entries": error_of(lambda: other.datasets.list_entries(dataset_id=saved.dataset_id)),
        "spans.delete": error_of(lambda: other.spans.delete(span_id=root.id)),
        "traces_by_name_count": other.traces.list(name=ROOT_NAME).meta.total_count,
    }
    step("spans.get root still there after the other project's delete")
    out["root_after_other_delete"] = span_out(opper.spans.get(span_id=root.id))

    step("spans.delete grandchild")
    out["grandchild_deleted"] = opper.spans.delete(span_id=grandchild.id)
    out["grandchild_get_after_delete"] = error_of(lambda: opper.spans.get(span_id=grandchild.id))

    step("unknown ids and malformed input")
    unknown = str(uuid.uuid4())
    out["unknown"] = {
        "spans.get": error_of(lambda: opper.spans.get(span_id=unknown)),
        "spans.update": error_of(lambda: opper.spans.update(span_id=unknown)),
        "spans.save_examples": error_of(lambda: opper.spans.save_examples(span_id=unknown)),
        "traces.get": error_of(lambda: opper.traces.get(trace_id=unknown)),
        "datasets.get_entry": error_of(lambda: opper.datasets.get_entry(dataset_id=unknown, entry_id=unknown)),
    }
    out["malformed"] = {
        "spans.get": error_of(lambda: opper.spans.get(span_id="not-a-uuid")),
        "traces.list limit=0": error_of(lambda: opper.traces.list(limit=0)),
        "span_metrics.list offset=-1": error_of(lambda: opper.span_metrics.list(span_id=child.id, offset=-1)),
    }

    step("bad key")
    bad = Opper("th_not_a_real_key", server_url=URL)
    out["bad_key"] = {
        "spans.create": error_of(lambda: bad.spans.create(name="nope")),
        "spans.get": error_of(lambda: bad.spans.get(span_id=root.id)),
        "traces.list": error_of(lambda: bad.traces.list()),
    }
    return out


def anonymous():
    """An SDK built without a key sends no Authorization header."""
    opper = Opper(server_url=URL)
    out = {}
    try:
        step("anonymous spans.create")
        span = opper.spans.create(name=ROOT_NAME, input="hi", meta={"via": "no key"})
        step("anonymous spans.get")
        got = opper.spans.get(span_id=span.id)
        out["span"] = span_out(span)
        out["got"] = span_out(got)
    except errors.OpperError as e:
        out["error"] = {"class": type(e).__name__, "status": e.status_code, "step": step_name}
        return out
    read_key = os.environ.get("READ_KEY")
    if read_key:
        step("keyed read-back of the anonymous span")
        out["read_back"] = span_out(Opper(read_key, server_url=URL).spans.get(span_id=span.id))
    return out


def main():
    try:
        result = anonymous() if os.environ.get("MODE") == "anonymous" else session()
    except Exception as e:  # noqa: BLE001 - report anything, then fail
        report = {"step": step_name, "error": type(e).__name__, "message": str(e)}
        raw = getattr(e, "raw_response", None)
        if raw is not None:
            report["request"] = f"{raw.request.method} {raw.request.url} {raw.request.content.decode(errors='replace')}"
            report["response"] = f"{raw.status_code} {raw.headers.get('content-type')} {raw.text[:2000]}"
        print(json.dumps(report), file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
