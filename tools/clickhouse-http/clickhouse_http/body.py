"""Request bodies: HTTP framing (Content-Length or chunked), then Content-Encoding."""

from __future__ import annotations

import re
import zlib
from typing import IO, Any

from .errors import BadFraming, ClickHouseError, ClientGone
from .limits import READ_SIZE


def _content_length(headers: Any) -> int:
    value = headers.get("Content-Length")
    if value is None:
        return 0
    try:
        length = int(value)
    except ValueError:
        raise BadFraming(f"bad Content-Length {value!r}") from None
    if length < 0:
        raise BadFraming(f"bad Content-Length {value!r}")
    return length


class RawBody:
    """The request body as it travels (Content-Length or chunked), before Content-Encoding.

    It remembers how far it got so that, whatever happens to the request, the rest can be
    drained and the keep-alive connection stays in step with the client.
    """

    def __init__(self, rfile: IO[bytes], headers: Any) -> None:
        self._rfile = rfile
        self._chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        self._left = 0 if self._chunked else _content_length(headers)
        self._chunk_left = 0
        self.done = not self._chunked and self._left == 0
        self.received = 0

    def read(self, size: int = READ_SIZE) -> bytes:
        """Up to size bytes; b"" once the body is complete."""
        if self.done:
            return b""
        if self._chunked and self._chunk_left == 0:
            self._chunk_left = self._next_chunk_size()
            if self._chunk_left == 0:
                self._skip_trailers()
                self.done = True
                return b""
        want = min(size, self._chunk_left if self._chunked else self._left)
        data = self._recv(want)
        if self._chunked:
            self._chunk_left -= len(data)
            if self._chunk_left == 0 and self._readline() not in (b"\r\n", b"\n"):
                raise BadFraming("chunk not followed by CRLF")
        else:
            self._left -= len(data)
            self.done = self._left == 0
        return data

    def drain(self) -> bool:
        """Reads and drops what is left; False if the connection cannot be reused."""
        try:
            while self.read(1024 * 1024):
                pass
        except (ClientGone, BadFraming):
            return False
        return True

    def _recv(self, want: int) -> bytes:
        try:
            data = self._rfile.read(want)
        except OSError as exc:
            raise ClientGone(str(exc)) from None
        if len(data) < want:
            raise ClientGone("request body ended early")
        self.received += len(data)
        return data

    def _readline(self) -> bytes:
        try:
            line = self._rfile.readline(4096)
        except OSError as exc:
            raise ClientGone(str(exc)) from None
        if not line:
            raise ClientGone("request body ended early")
        return line

    def _next_chunk_size(self) -> int:
        line = self._readline()
        try:
            return int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadFraming(f"bad chunk size line {line[:40]!r}") from None

    def _skip_trailers(self) -> None:
        for _ in range(100):
            if self._readline() in (b"\r\n", b"\n"):
                return
        raise BadFraming("too many trailer lines")


class Body:
    """The request body as ClickHouse sees it: after Content-Encoding (gzip or deflate)."""

    def __init__(self, raw: RawBody, content_encoding: str | None) -> None:
        self._raw = raw
        self._inflate: Any = None
        self._fed = False
        self._eof = False
        encoding = (content_encoding or "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
        elif encoding not in ("", "identity"):
            raise ClickHouseError.of(
                "NOT_IMPLEMENTED",
                f"Content-Encoding '{encoding}' is not supported by this local ClickHouse stand-in "
                "(it decodes gzip and deflate only)",
            )

    @classmethod
    def empty(cls) -> Body:
        body = cls.__new__(cls)
        body._eof = True
        return body

    def read(self) -> bytes:
        """The next piece of the decoded body; b"" at its end."""
        while not self._eof:
            data = self._raw.read()
            if not data:
                self._eof = True
                return self._finish()
            out = self._decode(data)
            if out:
                return out
        return b""

    def read_all(self, limit: int) -> bytes:
        parts, size = [], 0
        while piece := self.read():
            parts.append(piece)
            size += len(piece)
            if size > limit:
                raise ClickHouseError.of("BAD_ARGUMENTS", f"form body is larger than {limit} bytes")
        return b"".join(parts)

    def _decode(self, data: bytes) -> bytes:
        if self._inflate is None:
            return data
        self._fed = True
        out = []
        try:
            while data:
                out.append(self._inflate.decompress(data))
                if not self._inflate.eof:
                    break
                data = self._inflate.unused_data  # concatenated gzip members
                if data:
                    self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
        except zlib.error as exc:
            raise ClickHouseError.of("ZLIB_INFLATE_FAILED", f"inflateReset failed: {exc}") from None
        return b"".join(out)

    def _finish(self) -> bytes:
        if self._inflate is None or not self._fed:
            return b""
        if not self._inflate.eof:
            raise ClickHouseError.of("ZLIB_INFLATE_FAILED", "compressed request body is truncated")
        return b""


def parse_multipart(data: bytes, content_type: str) -> list[tuple[str, str]]:
    """Fields of a multipart/form-data body (clickhouse-js sends long query parameters this way)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise ClickHouseError.of("BAD_ARGUMENTS", "multipart/form-data without a boundary")
    fields: list[tuple[str, str]] = []
    for part in data.split(b"--" + match.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, sep, value = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = re.search(rb'name="([^"]*)"', head)
        if not sep or disposition is None:
            raise ClickHouseError.of("BAD_ARGUMENTS", "malformed multipart/form-data part")
        if b"filename=" in head:
            raise ClickHouseError.of(
                "NOT_IMPLEMENTED", "external data (file parts of a form) is not supported by this local stand-in"
            )
        fields.append((disposition.group(1).decode(), value.removesuffix(b"\r\n").decode("utf-8")))
    return fields
