"""SQL scanning: just enough to find where an INSERT's inline data starts and which FORMAT a
query asks for. Everything else is left to the engine's own parser."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final


class NeedMore(Exception):
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
            raise NeedMore  # the next byte could be a second quote
        else:
            return j + 1
    raise NeedMore


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
    raise NeedMore


def tokens(buf: bytes, final: bool) -> Iterator[Token]:
    """ClickHouse-ish tokens of buf, without whitespace and comments.

    Raises NeedMore when a token may continue past the end of a buffer that is not final.
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
                raise NeedMore
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
                raise NeedMore
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
                raise NeedMore  # the word may go on in the next read
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
        raise NeedMore
    if i < n and buf[i] == 0x0D:
        i += 1
        if i == n and not final:
            raise NeedMore
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

    Raises NeedMore when buf ends before that can be told. Names that only look like keywords
    (a table called `format`, a column called `values`) are handled by skipping the target and
    parenthesised groups, which is what ClickHouse's own parser effectively does.
    """
    ts = _Tokens(buf, final)
    first = ts.next()
    if first is None:
        if final:
            return None
        raise NeedMore
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
    raise NeedMore


def _inline(buf: bytes, head_end: int, fmt: str, data_start: int) -> InlineInsert | None:
    try:
        head = buf[:head_end].decode("utf-8").strip()
    except UnicodeDecodeError:
        return None  # leave odd bytes to the engine's parser and its error message
    return InlineInsert(head=head, fmt=fmt, data_start=data_start)


def output_format_in(sql: bytes, is_format: Callable[[str], bool]) -> str | None:
    """The format named by the statement's own top-level FORMAT clause, if any."""
    found, depth, after_format = None, 0, False
    with contextlib.suppress(NeedMore):
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
