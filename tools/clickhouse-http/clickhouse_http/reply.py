"""Writing one HTTP response, whole or streamed, with ClickHouse's headers."""

from __future__ import annotations

import re
import tempfile
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from .errors import ClickHouseError, ClientGone
from .limits import APPEND_SIZE, DISPLAY_NAME, EXPOSED_HEADERS, KEEP_ALIVE_TIMEOUT_S, SPOOL_IN_MEMORY, TIMEZONE
from .results import Chunk, Encoder, ResultChunks, Stats, exception_block, new_exception_tag

if TYPE_CHECKING:
    from .handler import Handler

_LINE_BREAKS: Final = re.compile(r"[\r\n]+")


class Reply:
    """One HTTP response. Tracks whether the head is out, so that an error can still be sent
    properly before it, and only in-band (and by closing the connection) after it."""

    def __init__(self, handler: Handler, started: float) -> None:
        self._h = handler
        self.started = started
        self.query_id = ""
        self.kind = "query"  # for the log: query, insert, ping, unknown
        self.sql = ""  # for the log: the statement (an INSERT without its rows)
        self.format = "TabSeparated"
        self.content_type = "text/tab-separated-values; charset=UTF-8"
        self.codec: str | None = None
        self.level = 3
        self.send_progress = False
        self.stats = Stats()
        self.tag = new_exception_tag()
        self.head_sent = False
        self.status = 0
        self.bytes_out = 0
        self._chunked = False
        self._encoder = Encoder(None, 3)

    def elapsed_ns(self) -> int:
        return int((time.monotonic() - self.started) * 1e9)

    def send_whole(
        self, status: int, body: bytes, content_type: str, error: ClickHouseError | None = None, plain: bool = False
    ) -> None:
        """A complete response with Content-Length (compressed when asked and there is a body)."""
        encoded = self.codec is not None and len(body) > 0
        if encoded:
            encoder = Encoder(self.codec, self.level)
            body = bytes(encoder.update(body)) + encoder.end()
        head = self._head(status, content_type, len(body), error, encoded, plain)
        if len(body) < 64 * 1024:
            self._send(head + body)  # one write: no Nagle/delayed-ACK stall between head and body
        else:
            self._send(head)
            self._send(body)

    def send_plain(self, status: int, text: str, content_type: str = "text/plain; charset=UTF-8") -> None:
        """A reply that is not about a query (health checks, unknown paths, broken requests)."""
        self.send_whole(status, text.encode(), content_type, plain=True)

    def send_error(self, err: ClickHouseError) -> None:
        self.send_whole(err.http_status, err.text().encode(), "text/plain; charset=UTF-8", err)

    def send_result(self, chunks: ResultChunks, buffer_limit: int, wait_end: bool) -> None:
        """Sends a query's output: whole when it fits the buffer, else streamed (chunked).

        Until the head is out, engine errors propagate to the caller and become a proper error
        response; after it they are written in-band, as ClickHouse does.
        """
        if wait_end:
            self._send_spooled(chunks)
            return
        held: list[Chunk] = []
        held_size = 0
        while held_size < max(buffer_limit, 1):
            chunk = chunks.next()
            if chunk is None:
                self.send_whole(200, b"".join(c.view for c in held), self.content_type)
                return
            held.append(chunk)
            held_size += len(chunk.view)
        self._start_stream()
        for chunk in held:
            self._write(chunk.view)
        held.clear()
        while True:
            try:
                chunk = chunks.next()
            except ClickHouseError as err:
                self._break_stream(err)
                return
            if chunk is None:
                break
            self._write(chunk.view)
        self._end_stream()

    def _send_spooled(self, chunks: ResultChunks) -> None:
        # wait_end_of_query=1: the whole result first (spilling to disk), then an exact summary.
        encoder = Encoder(self.codec, self.level)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            while (chunk := chunks.next()) is not None:
                spool.write(encoder.update(chunk.view))
            spool.write(encoder.end())
            size = spool.tell()
            spool.seek(0)
            self._send(self._head(200, self.content_type, size, None, self.codec is not None))
            while piece := spool.read(APPEND_SIZE):
                self._send(piece)

    def _start_stream(self) -> None:
        self._chunked = self._h.request_version != "HTTP/1.0"
        if not self._chunked:
            self._h.close_connection = True  # the end of the body is the end of the connection
        self._encoder = Encoder(self.codec, self.level)
        self._send(self._head(200, self.content_type, None, None, self.codec is not None))

    def _write(self, data: bytes | memoryview) -> None:
        self._frame(self._encoder.update(data))

    def _end_stream(self) -> None:
        self._frame(self._encoder.end())
        if self._chunked:
            self._send(b"0\r\n\r\n")

    def _break_stream(self, err: ClickHouseError) -> None:
        # No terminating chunk: the client sees a broken body, and finds the error in its tail.
        encoded = self._encoder.update(exception_block(err, self.tag))
        self._frame(bytes(encoded) + self._encoder.sync())
        self._h.close_connection = True
        self.status = err.http_status
        self._h.server.log.write(
            "warn", "query failed mid-stream", query_id=self.query_id, code=err.code, error=err.name
        )

    def _frame(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        if not self._chunked:
            self._send(data)
        elif len(data) < 64 * 1024:
            self._send(b"%x\r\n" % len(data) + bytes(data) + b"\r\n")  # one write, one segment
        else:
            self._send(b"%x\r\n" % len(data))
            self._send(data)
            self._send(b"\r\n")

    def _head(
        self,
        status: int,
        content_type: str,
        length: int | None,
        error: ClickHouseError | None = None,
        encoded: bool = False,
        plain: bool = False,
    ) -> bytes:
        h = self._h
        if h.server.stopping:
            h.close_connection = True
        headers = [
            ("Date", h.date_time_string()),
            ("Connection", "Close" if h.close_connection else "Keep-Alive"),
            ("Content-Type", content_type),
        ]
        if not h.close_connection:
            headers.append(("Keep-Alive", f"timeout={KEEP_ALIVE_TIMEOUT_S}, max=10000"))
        if not plain:
            headers += self._query_headers(encoded, error)
        headers.append(("Transfer-Encoding", "chunked") if length is None else ("Content-Length", str(length)))
        if length is None and not self._chunked:
            headers.pop()  # HTTP/1.0 streaming: neither, the connection closes at the end
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        # Values can carry client input (query_id, format): a line break must not forge a header.
        lines = [f"{h.protocol_version} {status} {phrase}"]
        lines += [f"{name}: {_LINE_BREAKS.sub(' ', value)}" for name, value in headers]
        self.status = status
        self.head_sent = True
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def _query_headers(self, encoded: bool, error: ClickHouseError | None) -> list[tuple[str, str]]:
        summary = self.stats.summary(self.elapsed_ns())
        headers = [
            ("X-ClickHouse-Server-Display-Name", DISPLAY_NAME),
            ("X-ClickHouse-Query-Id", self.query_id),
            ("X-ClickHouse-Format", self.format),
            ("X-ClickHouse-Timezone", TIMEZONE),
            ("X-ClickHouse-Exception-Tag", self.tag),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ]
        if encoded:
            headers.append(("Content-Encoding", str(self.codec)))
        if error is not None:
            headers.append(("X-ClickHouse-Exception-Code", str(error.code)))
        if self.send_progress:
            headers.append(("X-ClickHouse-Progress", summary))  # one, final: progress is not streamed
        headers.append(("X-ClickHouse-Summary", summary))
        return headers

    def _send(self, data: bytes | memoryview) -> None:
        try:
            self._h.wfile.write(data)
        except OSError as exc:
            raise ClientGone(str(exc)) from None
        self.bytes_out += len(data)
