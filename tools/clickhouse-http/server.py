#!/usr/bin/env python3
"""A local stand-in for a ClickHouse server (>= 24.8).

It speaks the part of ClickHouse's HTTP interface that @clickhouse/client uses and answers with
the real ClickHouse engine, run in-process through chdb. It exists only for machines that have
neither a ClickHouse server binary nor Docker. It listens on loopback and has no users: any
credentials sent are accepted and ignored. See README.md next to this file.

    python server.py --host 127.0.0.1 --port 18123 --data-dir PATH [--log-level debug]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import queue
import re
import secrets
import signal
import socket
import string
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any, Final
from urllib.parse import parse_qsl, urlsplit

# The engine reads TZ once, when it starts. Pinning it makes results and the
# X-ClickHouse-Timezone header agree whatever zone the machine is in (server images run in UTC).
os.environ["TZ"] = "UTC"
time.tzset()

import chdb  # noqa: E402  (imported after TZ is pinned, on purpose)

# The binding itself rather than chdb's Python wrappers: the wrappers drop result chunks that
# carry no rows (which loses the whole document of an empty JSON result) and hide the per-chunk
# statistics that X-ClickHouse-Summary is built from.
from chdb import _chdb  # noqa: E402

ENGINE_VERSION: Final = str(chdb.engine_version)
TIMEZONE: Final = "UTC"
DISPLAY_NAME: Final = socket.gethostname()

KEEP_ALIVE_TIMEOUT_S: Final = 10  # idle keep-alive connections are closed after this
IO_TIMEOUT_S: Final = 60  # a stalled read or write inside one request
SHUTDOWN_GRACE_S: Final = 30  # how long SIGTERM waits for in-flight requests
READ_SIZE: Final = 256 * 1024  # bytes read from the socket at a time
APPEND_SIZE: Final = 1024 * 1024  # bytes handed to the engine per insert_append call
RESPONSE_BUFFER: Final = 1024 * 1024  # result bytes held before the head is sent, like ClickHouse
SPOOL_IN_MEMORY: Final = 16 * 1024 * 1024  # wait_end_of_query results beyond this go to a temp file
MAX_SQL_HEAD: Final = 256 * 1024  # ClickHouse's default max_query_size: the SQL before inline data
MAX_FORM_BODY: Final = 64 * 1024 * 1024
MAX_EXCEPTION_MESSAGE: Final = 16 * 1024 - 100  # ClickHouse caps the in-stream exception block at 16 KiB
EXCEPTION_MARKER: Final = b"__exception__"
HEALTH_PATHS: Final = frozenset({"/ping", "/replicas_status"})
STREAMING_UNSUPPORTED: Final = "Streaming query is not supported for query"

# URL parameters that the HTTP layer consumes; every other parameter is a setting for the query.
RESERVED_PARAMS: Final = frozenset(
    {
        "query", "database", "query_id", "default_format", "session_id", "session_timeout",
        "session_check", "close_session", "user", "password", "quota_key", "role", "stacktrace",
        "compress", "decompress", "buffer_size", "wait_end_of_query", "client_protocol_version",
    }
)  # fmt: skip
SETTING_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE_BREAKS: Final = re.compile(r"[\r\n]+")

# Codes of the errors this server raises itself (the engine names its own).
ERROR_CODES: Final = {
    "BAD_ARGUMENTS": 36,
    "NOT_IMPLEMENTED": 48,
    "SYNTAX_ERROR": 62,
    "UNKNOWN_SETTING": 115,
    "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING": 216,
    "ZLIB_INFLATE_FAILED": 354,
    "SESSION_NOT_FOUND": 372,
    "SESSION_IS_LOCKED": 373,
    "INVALID_SESSION_TIMEOUT": 374,
    "STD_EXCEPTION": 1001,
    "UNKNOWN_EXCEPTION": 1002,
}

# ClickHouse's exceptionCodeToHTTPStatus, keyed by error name; everything else is 500.
_STATUS_GROUPS: Final = {
    400: "BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE "
    "CANNOT_PARSE_QUOTED_STRING CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER "
    "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING CANNOT_PARSE_IPV4 CANNOT_PARSE_IPV6 "
    "CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ILLEGAL_COLUMN "
    "UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE THERE_IS_NO_COLUMN TOO_DEEP_AST TOO_BIG_AST "
    "UNEXPECTED_AST_STRUCTURE SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    401: "REQUIRED_PASSWORD",
    403: "UNKNOWN_USER WRONG_PASSWORD AUTHENTICATION_FAILED SET_NON_GRANTED_ROLE ACCESS_DENIED",
    404: "UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE UNKNOWN_DATABASE "
    "UNKNOWN_SETTING UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION UNKNOWN_FORMAT "
    "UNKNOWN_DATABASE_ENGINE UNKNOWN_TYPE_OF_QUERY UNKNOWN_ROLE",
    408: "TIMEOUT_EXCEEDED",
    411: "HTTP_LENGTH_REQUIRED",
    413: "QUERY_IS_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    501: "NOT_IMPLEMENTED",
    503: "SOCKET_TIMEOUT CANNOT_OPEN_FILE CANNOT_SCHEDULE_TASK",
}
STATUS_BY_ERROR: Final = {name: status for status, names in _STATUS_GROUPS.items() for name in names.split()}

EXPOSED_HEADERS: Final = (
    "X-ClickHouse-Query-Id,X-ClickHouse-Summary,X-ClickHouse-Server-Display-Name,X-ClickHouse-Format,"
    "X-ClickHouse-Timezone,X-ClickHouse-Exception-Code,X-ClickHouse-Exception-Tag"
)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class ClickHouseError(Exception):
    """An error as ClickHouse reports it: a numeric code, an UPPER_CASE name and a message."""

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.name = name
        self.message = message

    @classmethod
    def of(cls, name: str, message: str) -> ClickHouseError:
        return cls(ERROR_CODES[name], name, message)

    @property
    def http_status(self) -> int:
        return STATUS_BY_ERROR.get(self.name, 500)

    def text(self) -> str:
        # Exactly the server's form: @clickhouse/client takes .code and .type out of it with a regex.
        return f"Code: {self.code}. DB::Exception: {self.message}. ({self.name}) (version {ENGINE_VERSION})\n"


class ClientGone(Exception):
    """The client went away (or stalled past the timeout) mid-request: nothing more can be said."""


class BadFraming(Exception):
    """The request's HTTP framing is broken, so the connection cannot carry another request."""


_CODE_PREFIX: Final = re.compile(r"Code: (\d+)\. DB::Exception: ")
_NAME_SUFFIX: Final = re.compile(r"\. \(([A-Z][A-Z0-9_]*)\)(?: \(version [^)]*\))?\s*$")


def engine_error(exc: BaseException | str) -> ClickHouseError:
    """Turns the engine's error text into a ClickHouseError.

    The engine's text is already "Code: N. DB::Exception: <message>. (NAME)", sometimes with the
    version and sometimes wrapped twice in itself (settings errors); both are unwrapped so the body
    sent is one clean ClickHouse line.
    """
    text = str(exc).strip()
    prefix = _CODE_PREFIX.search(text)
    if prefix is None:
        return ClickHouseError.of("STD_EXCEPTION", text or type(exc).__name__)
    code, message, name = int(prefix.group(1)), text[prefix.end() :], "UNKNOWN_EXCEPTION"
    while True:
        suffix = _NAME_SUFFIX.search(message)
        if suffix is not None:
            name, message = suffix.group(1), message[: suffix.start()]
        inner = _CODE_PREFIX.match(message)
        if inner is None or int(inner.group(1)) != code:
            return ClickHouseError(code, name, message)
        message = message[inner.end() :]


# ---------------------------------------------------------------------------------------------
# Logging: one JSON object per line on stdout
# ---------------------------------------------------------------------------------------------


class JsonLog:
    """JSON lines on stdout, written by one background thread.

    Request threads only enqueue: a reader that stops draining stdout must not wedge the server.
    When the queue is full, lines are dropped and counted instead.
    """

    LEVELS: Final = {"debug": 10, "info": 20, "warn": 30, "error": 40}

    def __init__(self, level: str) -> None:
        self._min = self.LEVELS[level]
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=10_000)
        self.dropped = 0
        self._writer = threading.Thread(target=self._drain, name="log-writer", daemon=True)
        self._writer.start()

    def enabled(self, level: str) -> bool:
        return self.LEVELS[level] >= self._min

    def write(self, level: str, msg: str, *, always: bool = False, **fields: Any) -> None:
        if not always and not self.enabled(level):
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
        line = json.dumps({"ts": stamp, "level": level, "msg": msg, **fields}, default=str, ensure_ascii=False)
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def close(self, timeout_s: float = 5.0) -> None:
        """Writes what is queued (for up to timeout_s), then stops the writer."""
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout_s)
        self._writer.join(timeout_s)

    def _drain(self) -> None:
        while True:
            lines = [self._queue.get()]
            with contextlib.suppress(queue.Empty):
                while len(lines) < 1000:
                    lines.append(self._queue.get_nowait())
            done = None in lines
            text = "".join(f"{line}\n" for line in lines if line is not None)
            with contextlib.suppress(OSError, ValueError):  # a closed stdout must not kill the writer
                sys.stdout.write(text)
                sys.stdout.flush()
            if done:
                return


# ---------------------------------------------------------------------------------------------
# SQL scanning: just enough to find where an INSERT's inline data starts and which FORMAT a
# query asks for. Everything else is left to the engine's own parser.
# ---------------------------------------------------------------------------------------------


class _NeedMore(Exception):
    """The buffer ends inside a token, so more bytes are needed before deciding."""


WORD, QUOTED, STRING, OPEN, CLOSE, SEMI, OTHER = range(7)


@dataclass(frozen=True, slots=True)
class Token:
    kind: int
    start: int
    end: int


_WORD_RE: Final = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_RE: Final = re.compile(rb"[0-9][A-Za-z0-9_.]*")
_HEREDOC_RE: Final = re.compile(rb"\$([A-Za-z0-9_]*)\$")
_SPACE: Final = frozenset(b" \t\n\r\f\v")
_PUNCTUATION: Final = {0x28: OPEN, 0x29: CLOSE, 0x3B: SEMI}


def _skip_quoted(buf: bytes, i: int, final: bool) -> int:
    """End of the quoted string or identifier starting at i (backslash escapes, doubled quotes)."""
    quote, j, n = buf[i], i + 1, len(buf)
    while j < n:
        if buf[j] == 0x5C:  # backslash
            j += 2
        elif buf[j] != quote:
            j += 1
        elif j + 1 < n and buf[j + 1] == quote:
            j += 2
        elif j + 1 == n and not final:
            raise _NeedMore  # the next byte could be a second quote
        else:
            return j + 1
    raise _NeedMore


def _skip_block_comment(buf: bytes, i: int) -> int:
    """End of the /* */ comment starting at i; ClickHouse nests them."""
    depth, j, n = 0, i, len(buf)
    while j < n - 1:
        pair = buf[j : j + 2]
        if pair == b"/*":
            depth, j = depth + 1, j + 2
        elif pair == b"*/":
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    raise _NeedMore


def tokens(buf: bytes, final: bool) -> Iterator[Token]:
    """ClickHouse-ish tokens of buf, without whitespace and comments.

    Raises _NeedMore when a token may continue past the end of a buffer that is not final.
    """
    i, n = 0, len(buf)
    while i < n:
        c = buf[i]
        if c in _SPACE:
            i += 1
        elif buf.startswith(b"--", i) or (c == 0x23 and buf[i + 1 : i + 2] in (b" ", b"!")):
            newline = buf.find(b"\n", i)
            if newline < 0:
                if final:
                    return
                raise _NeedMore
            i = newline + 1
        elif buf.startswith(b"/*", i):
            i = _skip_block_comment(buf, i)
        elif c in b"'\"`":
            end = _skip_quoted(buf, i, final)
            yield Token(STRING if c == 0x27 else QUOTED, i, end)
            i = end
        elif c == 0x24 and (heredoc := _HEREDOC_RE.match(buf, i)):
            close = buf.find(heredoc.group(0), heredoc.end())
            if close < 0:
                raise _NeedMore
            yield Token(STRING, i, close + len(heredoc.group(0)))
            i = close + len(heredoc.group(0))
        else:
            word = _WORD_RE.match(buf, i)
            match = word or _NUMBER_RE.match(buf, i)
            if match is None:
                yield Token(_PUNCTUATION.get(c, OTHER), i, i + 1)
                i += 1
                continue
            if match.end() == n and not final:
                raise _NeedMore  # the word may go on in the next read
            yield Token(WORD if word else OTHER, i, match.end())
            i = match.end()


class _Tokens:
    """tokens() with one token of lookahead."""

    def __init__(self, buf: bytes, final: bool) -> None:
        self.buf = buf
        self._it = tokens(buf, final)
        self._peeked: Token | None = None

    def next(self) -> Token | None:
        if self._peeked is not None:
            token, self._peeked = self._peeked, None
            return token
        return next(self._it, None)

    def peek(self) -> Token | None:
        if self._peeked is None:
            self._peeked = next(self._it, None)
        return self._peeked

    def word(self, token: Token | None) -> bytes | None:
        return self.buf[token.start : token.end].upper() if token is not None and token.kind == WORD else None


@dataclass(frozen=True, slots=True)
class InlineInsert:
    """An INSERT whose rows follow the SQL: `INSERT INTO t [(cols)] [SETTINGS ..] FORMAT F <rows>`."""

    head: str  # the statement without FORMAT/VALUES, as the engine's streaming insert wants it
    fmt: str
    data_start: int  # offset of the first data byte in the scanned buffer


def _data_start(buf: bytes, i: int, final: bool) -> int:
    """Where rows start after the format name: ClickHouse skips blanks, then one CR LF or LF."""
    n = len(buf)
    while i < n and buf[i] in b" \t\f":
        i += 1
    if i == n and not final:
        raise _NeedMore
    if i < n and buf[i] == 0x0D:
        i += 1
        if i == n and not final:
            raise _NeedMore
    if i < n and buf[i] == 0x0A:
        i += 1
    return i


def _skip_insert_target(ts: _Tokens) -> bool:
    """Moves past `INTO [TABLE] name` or `INTO FUNCTION name`; False if it is not an INSERT."""
    if ts.word(ts.next()) != b"INTO":
        return False
    token = ts.next()
    if ts.word(token) == b"TABLE":
        token = ts.next()
    if ts.word(token) == b"FUNCTION":
        return ts.next() is not None  # the function's arguments are a parenthesised group
    if token is not None and token.kind == OTHER and ts.buf[token.start : token.end] == b"{":
        while (token := ts.next()) is not None and ts.buf[token.start : token.end] != b"}":
            pass  # a {name:Identifier} query parameter
    while (dot := ts.peek()) is not None and ts.buf[dot.start : dot.end] == b".":
        ts.next()
        ts.next()
    return token is not None


def plan_inline_insert(buf: bytes, final: bool) -> InlineInsert | None:
    """The INSERT with inline rows that buf starts with, or None for any other statement.

    Raises _NeedMore when buf ends before that can be told. Names that only look like keywords
    (a table called `format`, a column called `values`) are handled by skipping the target and
    parenthesised groups, which is what ClickHouse's own parser effectively does.
    """
    ts = _Tokens(buf, final)
    first = ts.next()
    if first is None:
        if final:
            return None
        raise _NeedMore
    if ts.word(first) != b"INSERT" or not _skip_insert_target(ts):
        return None
    depth = 0
    while (token := ts.next()) is not None:
        if token.kind == OPEN:
            depth += 1
            if depth == 1 and ts.word(ts.peek()) in (b"SELECT", b"WITH"):
                return None
        elif token.kind == CLOSE:
            depth -= 1
        elif depth == 0 and token.kind == SEMI:
            return None
        elif depth == 0 and (word := ts.word(token)) is not None:
            if word in (b"SELECT", b"WITH", b"FROM"):
                return None
            if word == b"VALUES":
                return _inline(buf, token.start, "Values", token.end)
            if word == b"FORMAT":
                name = ts.next()
                if name is None or name.kind != WORD:
                    return None
                fmt = buf[name.start : name.end].decode("ascii")
                return _inline(buf, token.start, fmt, _data_start(buf, name.end, final))
    if final:
        return None
    raise _NeedMore


def _inline(buf: bytes, head_end: int, fmt: str, data_start: int) -> InlineInsert | None:
    try:
        head = buf[:head_end].decode("utf-8").strip()
    except UnicodeDecodeError:
        return None  # leave odd bytes to the engine's parser and its error message
    return InlineInsert(head=head, fmt=fmt, data_start=data_start)


def output_format_in(sql: bytes, is_format: Callable[[str], bool]) -> str | None:
    """The format named by the statement's own top-level FORMAT clause, if any."""
    found, depth, after_format = None, 0, False
    with contextlib.suppress(_NeedMore):
        for token in tokens(sql, final=True):
            if token.kind == OPEN:
                depth += 1
            elif token.kind == CLOSE:
                depth -= 1
            elif depth == 0 and token.kind == WORD:
                text = sql[token.start : token.end].decode("ascii")
                if after_format and is_format(text):
                    found = text
                after_format = text.upper() == "FORMAT"
                continue
            after_format = False
    return found


# ---------------------------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# One request's parameters
# ---------------------------------------------------------------------------------------------


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


def _int_param(name: str, value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ClickHouseError.of("BAD_ARGUMENTS", f"Invalid value '{value}' of parameter {name}") from None


def pick_encoding(accept_encoding: str) -> str | None:
    """gzip or deflate, if the client accepts one (other codecs are answered uncompressed)."""
    offered: dict[str, bool] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        offered[name.strip().lower()] = not re.search(r"q\s*=\s*0(\.0*)?\s*$", params.strip())
    return next((codec for codec in ("gzip", "deflate") if offered.get(codec)), None)


@dataclass
class Request:
    method: str
    query_id: str
    url_query: str
    database: str | None
    default_format: str
    settings: dict[str, str]
    query_params: dict[str, str]
    session_id: str | None = None
    session_timeout: int = 60
    session_check: bool = False
    close_session: bool = False
    wait_end_of_query: bool = False
    buffer_size: int = RESPONSE_BUFFER
    encoding: str | None = None
    compression_level: int = 3
    send_progress: bool = False


def build_request(method: str, params: list[tuple[str, str]], headers: Any) -> Request:
    """Splits URL (and form) parameters into ClickHouse's reserved ones, query parameters and settings."""
    reserved: dict[str, str] = {}
    settings: dict[str, str] = {}
    query_params: dict[str, str] = {}
    for key, value in params:
        if key.startswith("param_"):
            query_params[key.removeprefix("param_")] = value
        elif key in RESERVED_PARAMS:
            reserved[key] = value
        else:
            settings[key] = value  # the last one wins, as in ClickHouse
    for name in settings:
        if not SETTING_NAME.fullmatch(name):
            raise ClickHouseError.of("UNKNOWN_SETTING", f"Unknown setting '{name}'")
    for flag in ("compress", "decompress"):
        if _truthy(reserved.get(flag)):
            raise ClickHouseError.of(
                "NOT_IMPLEMENTED",
                f"{flag}=1 (ClickHouse's native block compression) is not supported by this local stand-in; "
                "use HTTP compression (Content-Encoding / enable_http_compression=1)",
            )
    request = Request(
        method=method,
        query_id=reserved.get("query_id") or str(uuid.uuid4()),
        url_query=reserved.get("query", ""),
        database=headers.get("X-ClickHouse-Database") or reserved.get("database") or None,
        default_format=headers.get("X-ClickHouse-Format") or reserved.get("default_format") or "TabSeparated",
        settings=settings,
        query_params=query_params,
        session_id=reserved.get("session_id") or None,
        session_check=_truthy(reserved.get("session_check")),
        close_session=_truthy(reserved.get("close_session")),
        wait_end_of_query=_truthy(reserved.get("wait_end_of_query") or settings.get("http_wait_end_of_query")),
        buffer_size=_int_param(
            "buffer_size", reserved.get("buffer_size") or settings.get("http_response_buffer_size"), RESPONSE_BUFFER
        ),
        send_progress=_truthy(settings.get("send_progress_in_http_headers")),
    )
    timeout = _int_param("session_timeout", reserved.get("session_timeout"), 60)
    if not 0 < timeout <= 3600:
        raise ClickHouseError.of("INVALID_SESSION_TIMEOUT", f"Session timeout {timeout} is out of range (0, 3600]")
    request.session_timeout = timeout
    if _truthy(settings.get("enable_http_compression")):
        request.encoding = pick_encoding(headers.get("Accept-Encoding") or "")
    level = _int_param("http_zlib_compression_level", settings.get("http_zlib_compression_level"), 3)
    request.compression_level = min(max(level, 1), 9)
    return request


# ---------------------------------------------------------------------------------------------
# The engine, connections and sessions
# ---------------------------------------------------------------------------------------------


def sql_string(value: str) -> str:
    """A ClickHouse string literal holding exactly value."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def run_sql(conn: Any, sql: str, params: dict[str, str] | None = None) -> Any:
    try:
        return conn.query(sql, "TabSeparated", params=params or {})
    except RuntimeError as exc:
        raise engine_error(exc) from None


class Engine:
    """The ClickHouse engine over one data directory.

    One root connection stays open for the life of the server so the embedded engine is not torn
    down between requests. Every request gets a connection of its own: connections share the
    databases but each has its own session context, so a request's settings and `USE` cannot leak
    into another, and the engine runs them in parallel (a single connection serialises queries).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._root = _chdb.connect(path)
        self._formats = self._load_formats()

    def connect(self) -> Any:
        try:
            return _chdb.connect(self.path)
        except RuntimeError as exc:
            raise engine_error(exc) from None

    def output_format(self, name: str) -> tuple[str, str] | None:
        """(canonical name, Content-Type) of an output format; names are case-insensitive."""
        return self._formats.get(name.lower())

    def close(self) -> None:
        self._root.close()

    def _load_formats(self) -> dict[str, tuple[str, str]]:
        # The engine's own table: the same Content-Type the server would send for each format.
        result = self._root.query("SELECT name, content_type FROM system.formats WHERE is_output", "JSONCompactEachRow")
        formats: dict[str, tuple[str, str]] = {}
        for line in result.bytes().splitlines():
            name, content_type = json.loads(line)
            formats[name.lower()] = (name, content_type or "text/plain; charset=UTF-8")
        return formats


@dataclass
class Session:
    """A ClickHouse HTTP session (session_id): one connection kept between requests."""

    conn: Any
    timeout_s: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    expires_at: float = 0.0


class Sessions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._by_id: dict[str, Session] = {}

    def acquire(self, session_id: str, timeout_s: int, check: bool) -> Session:
        with self._lock:
            self._expire()
            session = self._by_id.get(session_id)
            if session is None:
                if check:
                    raise ClickHouseError.of("SESSION_NOT_FOUND", f"Session {session_id} not found")
                session = Session(conn=self._engine.connect(), timeout_s=timeout_s)
                self._by_id[session_id] = session
            if not session.lock.acquire(blocking=False):  # as ClickHouse: no waiting
                raise ClickHouseError.of("SESSION_IS_LOCKED", f"Session {session_id} is locked by a concurrent client")
            session.timeout_s = timeout_s
            return session

    def release(self, session_id: str, session: Session, close: bool) -> None:
        with self._lock:
            session.expires_at = time.monotonic() + session.timeout_s
            if close and self._by_id.pop(session_id, None) is not None:
                session.conn.close()
            session.lock.release()

    def close_all(self) -> None:
        with self._lock:
            for session in self._by_id.values():
                session.conn.close()
            self._by_id.clear()

    def _expire(self) -> None:
        now = time.monotonic()
        for session_id, session in list(self._by_id.items()):
            if session.expires_at < now and session.lock.acquire(blocking=False):
                del self._by_id[session_id]
                session.conn.close()


class RunningQueries:
    """Refuses a second query with the id of one still running, as ClickHouse does."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, query_id: str) -> Iterator[None]:
        with self._lock:
            if query_id in self._ids:
                raise ClickHouseError.of(
                    "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING", f"Query with id = {query_id} is already running"
                )
            self._ids.add(query_id)
        try:
            yield
        finally:
            with self._lock:
                self._ids.discard(query_id)


def apply_context(conn: Any, request: Request, params_as_settings: bool = False) -> None:
    """Gives conn the request's database, settings (and query parameters, for streaming inserts).

    Settings go through one SET statement whose values are string literals: the engine converts
    and validates them exactly as it does URL settings, and rejects unknown ones with code 115.
    """
    if request.method == "GET":
        run_sql(conn, "SET readonly = '2'")  # ClickHouse makes GET requests read-only
    if request.database:
        run_sql(conn, "USE {db:Identifier}", {"db": request.database})
    assignments = [f"{name} = {sql_string(value)}" for name, value in request.settings.items()]
    if params_as_settings:
        # The streaming insert call takes no parameters; `SET param_x` binds them engine-side,
        # the same way clickhouse-client does. Names are checked so they cannot alter the statement.
        for name, value in request.query_params.items():
            if not SETTING_NAME.fullmatch(name):
                raise ClickHouseError.of("BAD_ARGUMENTS", f"Invalid query parameter name '{name}'")
            assignments.append(f"param_{name} = {sql_string(value)}")
    if assignments:
        run_sql(conn, "SET " + ", ".join(assignments))


def session_restorer(conn: Any, request: Request) -> Callable[[], None]:
    """What undoes a request's URL settings and database on a session's connection afterwards.

    In ClickHouse those apply to the one query; only SET statements persist in a session.
    """
    names = list(request.settings) + (["readonly"] if request.method == "GET" else [])
    database = run_sql(conn, "SELECT currentDatabase()").bytes().decode().strip()
    rows = run_sql(
        conn,
        "SELECT name, value, changed FROM system.settings WHERE name IN {names:Array(String)} "
        "FORMAT JSONCompactEachRow",
        {"names": "[" + ",".join(sql_string(name) for name in names) + "]"},
    )
    saved = [json.loads(line) for line in rows.bytes().splitlines()]

    def restore() -> None:
        assignments = [f"{name} = {sql_string(value) if changed else 'DEFAULT'}" for name, value, changed in saved]
        if assignments:
            run_sql(conn, "SET " + ", ".join(assignments))
        run_sql(conn, "USE {db:Identifier}", {"db": database})

    return restore


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
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

    def __init__(self, conn: Any, sql: str, fmt: str, params: dict[str, str], stats: Stats) -> None:
        self._conn = conn
        self._stats = stats
        self._stream: Any = None
        self._single: Any = None
        try:
            self._stream = conn.send_query(sql, fmt, params=params)
        except RuntimeError as exc:
            if STREAMING_UNSUPPORTED not in str(exc):
                raise engine_error(exc) from None
            try:
                self._single = conn.query(sql, fmt, params=params)
            except RuntimeError as inner:
                raise engine_error(inner) from None

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


def _new_exception_tag() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(16))


# ---------------------------------------------------------------------------------------------
# Writing one response
# ---------------------------------------------------------------------------------------------


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
        self.tag = _new_exception_tag()
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


# ---------------------------------------------------------------------------------------------
# The HTTP server
# ---------------------------------------------------------------------------------------------


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
        except _NeedMore:
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


MAX_URI_BYTES = 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # heads and small bodies must not wait for delayed ACKs
    server_version = "clickhouse-http-standin"
    sys_version = ""
    server: StandInServer

    def handle(self) -> None:
        self.server.track(self.connection, idle=True)
        try:
            super().handle()
        except OSError:
            pass  # the client went away between requests
        finally:
            self.server.untrack(self.connection)

    def handle_one_request(self) -> None:
        if not self.server.track(self.connection, idle=True):
            self.close_connection = True  # shutting down: no new requests on kept-alive connections
            return
        self.connection.settimeout(KEEP_ALIVE_TIMEOUT_S)
        # The base class refuses request lines over 64 KiB; ClickHouse allows URIs up to
        # http_max_uri_size (1 MiB), and clients put query parameters in the URL.
        try:
            self.raw_requestline = self.rfile.readline(MAX_URI_BYTES + 1)
            if len(self.raw_requestline) > MAX_URI_BYTES:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            handler = getattr(self, "do_" + self.command, None)
            if handler is None:
                self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({self.command!r})")
                return
            handler()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def parse_request(self) -> bool:
        self.server.track(self.connection, idle=False)
        self.connection.settimeout(IO_TIMEOUT_S)
        return super().parse_request()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        self.server.log.write("debug", "http", detail=format % args)

    def _serve(self, method: str) -> None:
        reply = Reply(self, time.monotonic())
        url = urlsplit(self.path)
        params = parse_qsl(url.query, keep_blank_values=True)
        reply.query_id = next((value for key, value in params if key == "query_id" and value), "")
        raw = None
        try:
            raw = RawBody(self.rfile, self.headers)
            if url.path in HEALTH_PATHS or (url.path == "/" and method == "GET" and not url.query and raw.done):
                reply.kind = "ping"
                self.close_connection = self.close_connection or not raw.drain()
                reply.send_plain(200, "Ok.\n", "text/html; charset=UTF-8")
            elif url.path != "/":
                reply.kind = "unknown"
                self.close_connection = self.close_connection or not raw.drain()
                reply.send_plain(404, f"There is no handle {url.path}\n\nUse / or /ping for health checks.\n")
            else:
                self._serve_query(method, params, raw, reply)
        except ClickHouseError as err:
            self._fail(err, raw, reply)
        except ClientGone:
            self.close_connection = True
        except BadFraming as exc:
            self.close_connection = True
            if not reply.head_sent:
                with contextlib.suppress(ClientGone):
                    reply.send_plain(400, f"Bad request: {exc}\n")
        except Exception as exc:  # a bug here must cost one request, never the server
            self.server.log.write("error", "internal error", query_id=reply.query_id, trace=traceback.format_exc())
            self._fail(ClickHouseError.of("STD_EXCEPTION", f"{type(exc).__name__}: {exc}"), raw, reply)
        self._log_request(method, url.path, raw, reply)

    def _serve_query(self, method: str, params: list[tuple[str, str]], raw: RawBody, reply: Reply) -> None:
        body = Body(raw, self.headers.get("Content-Encoding"))
        content_type = self.headers.get("Content-Type") or ""
        if content_type.lower().startswith("multipart/form-data"):
            params = params + parse_multipart(body.read_all(MAX_FORM_BODY), content_type)
            body = Body.empty()
        request = build_request(method, params, self.headers)
        reply.query_id = request.query_id
        reply.codec, reply.level = request.encoding, request.compression_level
        reply.send_progress = request.send_progress
        self._set_format(reply, request.default_format)
        with self.server.running.hold(request.query_id), self.server.lease(request) as conn:
            plan, data = read_statement(request.url_query, body)
            if plan is not None:
                reply.kind, reply.sql = "insert", plan.head
                run_insert(conn, request, plan, data, body, reply.stats)
                reply.send_whole(200, b"", reply.content_type)
                return
            try:
                sql = reply.sql = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ClickHouseError.of("BAD_ARGUMENTS", "the query is not valid UTF-8") from None
            if not sql.strip():
                raise ClickHouseError.of("SYNTAX_ERROR", "Empty query")
            apply_context(conn, request)
            own_format = output_format_in(data, lambda name: self.server.engine.output_format(name) is not None)
            if own_format:
                self._set_format(reply, own_format)
            chunks = ResultChunks(conn, sql, request.default_format, request.query_params, reply.stats)
            try:
                reply.send_result(chunks, request.buffer_size, request.wait_end_of_query)
            finally:
                chunks.cancel()

    def _set_format(self, reply: Reply, name: str) -> None:
        known = self.server.engine.output_format(name)
        reply.format, reply.content_type = known if known else (name, "text/plain; charset=UTF-8")

    def _fail(self, err: ClickHouseError, raw: RawBody | None, reply: Reply) -> None:
        """An error before the head: drain the body (keeping the connection usable), then say it."""
        self.server.log.write(
            "warn", "query failed", query_id=reply.query_id, code=err.code, error=err.name, message=err.message[:500]
        )
        if reply.head_sent:
            self.close_connection = True
            return
        if raw is not None and not raw.drain():
            self.close_connection = True
        reply.stats = Stats()
        with contextlib.suppress(ClientGone):
            reply.send_error(err)

    def _log_request(self, method: str, path: str, raw: RawBody | None, reply: Reply) -> None:
        log = self.server.log
        if not log.enabled("debug"):
            return
        fields: dict[str, Any] = {
            "method": method,
            "path": path,
            "kind": reply.kind,
            "status": reply.status,
            "query_id": reply.query_id,
            "ms": round((time.monotonic() - reply.started) * 1000, 2),
            "bytes_in": raw.received if raw else 0,
            "bytes_out": reply.bytes_out,
            "result_rows": reply.stats.result_rows,
            "written_rows": reply.stats.written_rows,
        }
        if reply.sql:
            fields["query"] = self.server.loggable_sql(reply.sql)
        log.write("debug", "request", **fields)


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True  # shutdown waits for busy requests itself, not for idle keep-alive threads
    request_queue_size = 128  # a pool of client sockets may connect at once

    def __init__(self, address: tuple[str, int], engine: Engine, log: JsonLog) -> None:
        super().__init__(address, Handler)
        self.engine = engine
        self.log = log
        self.sessions = Sessions(engine)
        self.running = RunningQueries()
        self.stopping = False
        self._state = threading.Condition()
        self._idle: dict[socket.socket, bool] = {}

    @contextlib.contextmanager
    def lease(self, request: Request) -> Iterator[Any]:
        """The connection a request runs on: its own, or its session's (restored afterwards)."""
        if request.session_id is None:
            conn = self.engine.connect()
            try:
                yield conn
            finally:
                conn.close()
            return
        session = self.sessions.acquire(request.session_id, request.session_timeout, request.session_check)
        try:
            restore = session_restorer(session.conn, request)
            try:
                yield session.conn
            finally:
                try:
                    restore()
                except ClickHouseError as err:
                    self.log.write("warn", "could not restore session settings", code=err.code, error=err.message)
        finally:
            self.sessions.release(request.session_id, session, close=request.close_session)

    def loggable_sql(self, sql: str) -> str:
        """The statement for the debug log, unless the engine sees secrets in it (passwords, keys)."""
        conn = self.engine.connect()
        try:
            secret = bool(conn.classify_query(sql[:MAX_SQL_HEAD]).get("has_secrets"))
        except Exception:
            secret = True
        finally:
            conn.close()
        return "<hidden: contains secrets>" if secret else sql[:1000]

    # Connection bookkeeping, so SIGTERM can close idle keep-alive connections at once and wait
    # for the busy ones.

    def track(self, sock: socket.socket, idle: bool) -> bool:
        with self._state:
            if idle and self.stopping:
                return False
            self._idle[sock] = idle
            self._state.notify_all()
            return True

    def untrack(self, sock: socket.socket) -> None:
        with self._state:
            self._idle.pop(sock, None)
            self._state.notify_all()

    def finish_requests(self, grace_s: float) -> bool:
        """Stops taking requests on open connections and waits for the busy ones to end."""
        deadline = time.monotonic() + grace_s
        with self._state:
            self.stopping = True
            for sock, idle in self._idle.items():
                if idle:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RD)  # wakes the thread waiting for a request line
            while any(not idle for idle in self._idle.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    for sock in self._idle:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                    return False
                self._state.wait(left)
        return True


# ---------------------------------------------------------------------------------------------
# Process
# ---------------------------------------------------------------------------------------------


def lock_data_dir(path: str) -> int:
    """One process owns a data directory: a second one would corrupt it."""
    os.makedirs(path, exist_ok=True)
    fd = os.open(os.path.join(path, ".clickhouse-http.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SystemExit(f"data directory {path} is in use by another process") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local stand-in for a ClickHouse server's HTTP interface (chdb).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8123, help="0 picks a free port (printed in the ready line)")
    parser.add_argument("--data-dir", required=True, help="where databases live; kept across restarts")
    parser.add_argument("--log-level", default="info", choices=list(JsonLog.LEVELS))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log = JsonLog(args.log_level)
    data_dir = os.path.abspath(args.data_dir)
    if "?" in data_dir:
        raise SystemExit("the data directory path must not contain '?' (chdb reads it as connection options)")
    lock_fd = lock_data_dir(data_dir)
    engine = Engine(data_dir)
    try:
        server = StandInServer((args.host, args.port), engine, log)
    except OSError as exc:
        engine.close()
        log.write("error", "cannot listen", always=True, host=args.host, port=args.port, error=str(exc))
        log.close()
        return 1

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():
            os._exit(1)  # a second signal: the operator insists
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    host, port = server.server_address[:2]
    log.write(
        "info", "ready", always=True, host=host, port=port, data_dir=data_dir, engine=ENGINE_VERSION, pid=os.getpid()
    )
    while not stop.wait(0.5):
        pass

    log.write("info", "stopping", always=True)
    server.shutdown()  # no new connections
    server.server_close()
    if not server.finish_requests(SHUTDOWN_GRACE_S):
        log.write("warn", "in-flight requests cut off after the grace period", always=True)
        time.sleep(1)
    server.sessions.close_all()
    engine.close()
    os.close(lock_fd)
    log.write("info", "stopped", always=True, dropped_log_lines=log.dropped)
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
