"""Results: the engine's output chunk by chunk, its statistics, and response compression."""

from __future__ import annotations

import contextlib
import json
import secrets
import string
import zlib
from dataclasses import dataclass
from typing import Any, Final

from .errors import ClickHouseError, engine_error
from .limits import EXCEPTION_MARKER, MAX_EXCEPTION_MESSAGE, STREAMING_UNSUPPORTED


class Stats:
    """Progress of one query, summed over the engine's result chunks (X-ClickHouse-Summary)."""

    read_rows: int = 0
    read_bytes: int = 0
    written_rows: int = 0
    written_bytes: int = 0
    result_rows: int = 0
    result_bytes: int = 0

    def add(self, result: Any) -> None:
        self.read_rows += result.storage_rows_read()
        self.read_bytes += result.storage_bytes_read()
        self.written_rows += result.rows_written()
        self.written_bytes += result.bytes_written()
        self.result_rows += result.rows_read()
        self.result_bytes += result.bytes_read()

    def summary(self, elapsed_ns: int) -> str:
        # All values are strings, like the server's: 64-bit numbers survive JavaScript that way.
        values = {
            "read_rows": self.read_rows,
            "read_bytes": self.read_bytes,
            "written_rows": self.written_rows,
            "written_bytes": self.written_bytes,
            "total_rows_to_read": self.read_rows,  # the engine does not report its estimate
            "result_rows": self.result_rows,
            "result_bytes": self.result_bytes,
            "elapsed_ns": elapsed_ns,
        }
        return json.dumps({key: str(value) for key, value in values.items()}, separators=(",", ":"))


class Chunk:
    """One piece of output, viewed in the engine's memory without a copy; holds it alive."""

    __slots__ = ("_result", "_wrapper", "view")

    def __init__(self, result: Any) -> None:
        self._result = result
        self._wrapper = result.get_memview()
        self.view: memoryview = self._wrapper.view()


class ResultChunks:
    """The output of one statement, pulled from the engine chunk by chunk.

    SELECT-like statements stream; the engine refuses streaming for the others (DDL, SHOW, SET,
    INSERT ... SELECT, ...) before running anything, and those then run in one call.
    """

    def __init__(
        self, conn: Any, sql: str, fmt: str, params: dict[str, str], stats: Stats, whole: bool = False
    ) -> None:
        self._conn = conn
        self._stats = stats
        self._stream: Any = None
        self._single: Any = None
        if whole:
            self._single = _run_whole(conn, sql, fmt, params)
            return
        try:
            self._stream = conn.send_query(sql, fmt, params=params)
        except RuntimeError as exc:
            if STREAMING_UNSUPPORTED not in str(exc):
                raise engine_error(exc) from None
            self._single = _run_whole(conn, sql, fmt, params)

    def next(self) -> Chunk | None:
        """The next non-empty chunk, or None at the end. Raises ClickHouseError."""
        if self._single is not None:
            result, self._single = self._single, None
            self._stats.add(result)
            return Chunk(result) if result.size() else None
        while self._stream is not None:
            try:
                result = self._conn.streaming_fetch_result(self._stream)
            except RuntimeError as exc:
                self._stream = None
                raise engine_error(exc) from None
            if result is None or (result.size() == 0 and result.rows_read() == 0):
                self._stream = None  # the engine's end-of-stream marker
                return None
            if result.has_error():
                self._stream = None
                raise engine_error(result.error_message())
            self._stats.add(result)
            if result.size():
                return Chunk(result)
        return None

    def cancel(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            with contextlib.suppress(RuntimeError):
                self._conn.streaming_cancel_query(stream)


def _run_whole(conn: Any, sql: str, fmt: str, params: dict[str, str]) -> Any:
    try:
        return conn.query(sql, fmt, params=params)
    except RuntimeError as exc:
        raise engine_error(exc) from None


# Formats whose end depends on the whole query: the JSON document's rows_before_limit_at_least and
# statistics, the final progress row of the *WithProgress formats. The engine fills those in only
# when it runs the query in one call; streamed, it writes zeros and leaves them out.
_WHOLE_RESULT_FORMATS: Final = frozenset(
    {"json", "jsoncompact", "jsonstrings", "jsoncompactstrings", "jsoncolumnswithmetadata", "xml"}
)


def needs_whole_result(fmt: str) -> bool:
    name = fmt.lower()
    return name in _WHOLE_RESULT_FORMATS or name.endswith("withprogress")


class Encoder:
    """HTTP response compression (gzip/deflate) or a pass-through."""

    def __init__(self, codec: str | None, level: int) -> None:
        self.codec = codec
        wbits = 31 if codec == "gzip" else zlib.MAX_WBITS
        self._z = zlib.compressobj(level, zlib.DEFLATED, wbits) if codec else None

    def update(self, data: bytes | memoryview) -> bytes | memoryview:
        return self._z.compress(data) if self._z else data

    def sync(self) -> bytes:
        return self._z.flush(zlib.Z_SYNC_FLUSH) if self._z else b""

    def end(self) -> bytes:
        return self._z.flush() if self._z else b""


def exception_block(err: ClickHouseError, tag: str) -> bytes:
    """ClickHouse's in-band error after a 200 head (25.11+), which @clickhouse/client looks for."""
    message = err.text().encode()[:MAX_EXCEPTION_MESSAGE]
    if not message.endswith(b"\n"):
        message += b"\n"
    marker, tag_bytes = EXCEPTION_MARKER, tag.encode()
    return (
        b"\r\n" + marker + b"\r\n" + tag_bytes + b"\r\n" + message
        + str(len(message)).encode() + b" " + tag_bytes + b"\r\n" + marker + b"\r\n"
    )  # fmt: skip


def new_exception_tag() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(16))
