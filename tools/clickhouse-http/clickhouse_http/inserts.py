"""INSERTs with inline rows: the SQL head is read, then the rows stream into the engine."""

from __future__ import annotations

import contextlib
from typing import Any

from .body import Body
from .engine import apply_context
from .errors import engine_error
from .limits import APPEND_SIZE, MAX_SQL_HEAD
from .request import Request
from .results import Stats
from .sql_scan import InlineInsert, NeedMore, plan_inline_insert


def read_statement(url_query: str, body: Body) -> tuple[InlineInsert | None, bytes]:
    """Reads the statement: (insert plan, first data bytes) or (None, the whole SQL).

    As in ClickHouse, the `query` parameter and the body are one text joined by a newline. For an
    INSERT with inline rows only the SQL head is buffered; the rows then stream to the engine.
    """
    buf = bytearray(url_query.encode() + b"\n" if url_query else b"")
    final = False
    while True:
        try:
            plan = plan_inline_insert(bytes(buf), final)
            break
        except NeedMore:
            if final or len(buf) > MAX_SQL_HEAD:
                plan = None
                break
            piece = body.read()
            buf += piece
            final = not piece
    if plan is not None:
        return plan, bytes(buf[plan.data_start :])
    while piece := body.read():
        buf += piece
    return None, bytes(buf)


def feed_insert(conn: Any, handle: Any, first: bytes, body: Body) -> None:
    """Streams the rows into the engine in pieces of about APPEND_SIZE: linear time, bounded memory."""
    parts, size = ([first], len(first)) if first else ([], 0)
    while True:
        piece = body.read()
        if piece:
            parts.append(piece)
            size += len(piece)
        if size >= APPEND_SIZE or (not piece and size):
            conn.insert_append(handle, parts[0] if len(parts) == 1 else b"".join(parts))
            parts, size = [], 0
        if not piece:
            return


def run_insert(conn: Any, request: Request, plan: InlineInsert, first: bytes, body: Body, stats: Stats) -> None:
    """An INSERT with inline rows: all or nothing; rows are only committed once the body is complete."""
    apply_context(conn, request, params_as_settings=True)
    try:
        handle = conn.send_insert(plan.head, plan.fmt)
    except RuntimeError as exc:
        raise engine_error(exc) from None
    committed = False
    try:
        feed_insert(conn, handle, first, body)
        result = conn.insert_done(handle)
        committed = True
    except RuntimeError as exc:
        raise engine_error(exc) from None
    finally:
        if not committed:
            with contextlib.suppress(Exception):
                conn.insert_cancel(handle)
    # For an INSERT the server counts the rows read from the input and the rows written.
    stats.read_rows = stats.written_rows = stats.result_rows = result.rows_written()
    stats.read_bytes = stats.written_bytes = stats.result_bytes = result.bytes_written()
