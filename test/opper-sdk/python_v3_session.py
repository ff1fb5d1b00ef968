"""One v3 tracing session driven by the official PyPI `opperai` 2.x SDK against a Tracehouse server.

Run by opper-python-v3-session.int.test.ts with the venv python (opperai 2.1.1, unmodified). Env:
  OPPER_BASE_URL server URL without any version: the SDK adds /v3 to every path itself
  OPPER_KEY      API key of the session's project
  OTHER_KEY      API key of another project
  ROOT_NAME      unique name of the root span
  V2_SPAN_ID     a span the test created through /v2 (read here through /v3)
  V2_TRACE_ID    its trace
Prints one JSON object on stdout. Any unexpected exception exits non-zero, with the failing step on
stderr.
"""

import dataclasses
import datetime
import json
import os
import sys
import traceback

from opperai import ApiError, Opper

BASE_URL = os.environ["OPPER_BASE_URL"]
ROOT_NAME = os.environ["ROOT_NAME"]
step_name = "start"


def step(name):
    global step_name
    step_name = name


def error_of(call):
    """The SDK error a call raises, as {class, status, code}; a call that succeeds is reported as such."""
    try:
        call()
    except ApiError as e:
        detail = e.error
        return {
            "class": type(e).__name__,
            "status": e.status,
            # Parsed by the SDK only from a v3 error body: {"error": {"code", "message"}}.
            "code": detail["code"] if detail else None,
            "has_message": bool(detail and detail["message"]),
        }
    return {"class": None, "status": None, "code": None, "has_message": False}


def out(value):
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def main():
    opper = Opper(api_key=os.environ["OPPER_KEY"], base_url=BASE_URL)
    other = Opper(api_key=os.environ["OTHER_KEY"], base_url=BASE_URL)
    wrong = Opper(api_key="th_not-a-key", base_url=BASE_URL)
    r = {}

    step("spans.create root")
    # A naive datetime: the SDK sends it zone-less, the server takes it as UTC.
    root = opper.spans.create(
        name=ROOT_NAME,
        type="agent",
        input="What is Tracehouse?",
        start_time=datetime.datetime(2025, 3, 1, 10, 0, 0, 123456),
        meta={"user": "ann"},
        tags={"env": "test", "attempt": 2},
    )
    r["root"] = out(root)

    step("spans.get root")
    r["got"] = out(opper.spans.get(root.id))

    step("spans.create child")
    child = opper.spans.create(
        name="retrieve",
        trace_id=root.trace_id,
        parent_id=root.id,
        type="tool",
        input="What is Tracehouse?",
        output="docs",
        start_time="2025-03-01T10:00:00.200Z",
        end_time="2025-03-01T10:00:00.700Z",
    )
    r["child"] = out(child)

    step("spans.create grandchild (parent only)")
    # No trace_id: the server puts it in its parent's trace, created a moment ago.
    grandchild = opper.spans.create(
        name="rerank",
        parent_id=child.id,
        input="docs",
        output="best doc",
        start_time="2025-03-01T10:00:00.300Z",
        end_time="2025-03-01T10:00:00.400Z",
        error="reranker timed out once",
    )
    r["grandchild"] = out(grandchild)

    step("spans.update root")
    r["update_returned"] = opper.spans.update(
        root.id,
        output="A tracing backend",
        end_time=datetime.datetime(2025, 3, 1, 10, 0, 1, 500000, tzinfo=datetime.timezone.utc),
        meta={"reviewed": True},
        metadata={"round": 2},
        tags={"env": "prod"},
    )
    step("spans.get root after update")
    r["got_after_update"] = out(opper.spans.get(root.id))

    step("traces.list")
    listed = opper.traces.list(limit=10, offset=0, name=ROOT_NAME)
    r["traces_by_name"] = {"meta": listed.meta, "data": [out(t) for t in listed.data]}
    # v3 matches the name as a case-insensitive substring.
    by_part = opper.traces.list(name=ROOT_NAME[3:].upper())
    r["traces_by_name_part"] = {"meta": by_part.meta, "ids": [t.id for t in by_part.data]}
    first_page = opper.traces.list(limit=1)
    r["traces_first_page"] = {"count": len(first_page.data), "total_count": first_page.meta.get("total_count")}
    all_ids = []
    offset = 0
    while True:
        page = opper.traces.list(limit=100, offset=offset)
        all_ids += [t.id for t in page.data]
        offset += len(page.data)
        if not page.data or offset >= page.meta["total_count"]:
            break
    r["traces_all_contains_root"] = root.trace_id in all_ids

    step("traces.get")
    r["trace"] = out(opper.traces.get(root.trace_id))

    step("opper.trace context managers")
    # The SDK's own tracing: spans.create on enter, spans.update(end_time[, error]) on exit.
    with opper.trace(ROOT_NAME + " traced", input="hello", meta={"k": "v"}, tags={"team": "core"}) as outer:
        try:
            with opper.trace("inner step") as inner:
                raise ValueError("inner failed")
        except ValueError:
            pass
    r["traced_handles"] = {"outer": out(outer), "inner": out(inner)}
    r["traced"] = out(opper.traces.get(outer.trace_id))

    step("v2-created span through v3")
    r["v2_span"] = out(opper.spans.get(os.environ["V2_SPAN_ID"]))
    r["v2_trace"] = out(opper.traces.get(os.environ["V2_TRACE_ID"]))

    step("other project")
    r["other"] = {
        "spans.get": error_of(lambda: other.spans.get(root.id)),
        "spans.update": error_of(lambda: other.spans.update(root.id, output="x")),
        "spans.delete": error_of(lambda: other.spans.delete(root.id)),
        "traces.get": error_of(lambda: other.traces.get(root.trace_id)),
        "traces.delete": error_of(lambda: other.traces.delete(root.trace_id)),
        "traces_by_name_count": other.traces.list(name=ROOT_NAME).meta["total_count"],
    }

    step("errors")
    r["malformed"] = {
        "spans.get": error_of(lambda: opper.spans.get("not-a-uuid")),
        "spans.create parent_id": error_of(lambda: opper.spans.create(name="x", parent_id="nope")),
        "traces.list limit=0": error_of(lambda: opper.traces.list(limit=0)),
    }
    r["bad_key"] = {
        "spans.create": error_of(lambda: wrong.spans.create(name="x")),
        "traces.list": error_of(lambda: wrong.traces.list()),
    }

    step("spans.delete grandchild")
    r["grandchild_deleted"] = opper.spans.delete(grandchild.id)
    r["grandchild_get_after_delete"] = error_of(lambda: opper.spans.get(grandchild.id))
    r["trace_after_span_delete"] = [s.name for s in opper.traces.get(root.trace_id).spans]

    step("traces.delete")
    r["trace_deleted"] = opper.traces.delete(root.trace_id)
    r["after_trace_delete"] = {
        "traces.get": error_of(lambda: opper.traces.get(root.trace_id)),
        "spans.get root": error_of(lambda: opper.spans.get(root.id)),
        "spans.get child": error_of(lambda: opper.spans.get(child.id)),
        "traces.delete again": error_of(lambda: opper.traces.delete(root.trace_id)),
        # By substring: the deleted trace is gone, the traced one (named ROOT_NAME + " traced") stays.
        "traces_by_name_ids": [t.id for t in opper.traces.list(name=ROOT_NAME).data],
    }
    print(json.dumps(r))


try:
    main()
except Exception as e:
    print(f"step: {step_name}", file=sys.stderr)
    if isinstance(e, ApiError):
        print(f"status: {e.status}; body: {e.body!r}", file=sys.stderr)
    traceback.print_exc()
    sys.exit(1)
