"""What may be asked: nothing that reaches files, the network or the host.

The engine runs inside this process with the rights of whoever started it, so a table function
such as file() or url(), a table engine such as File or Kafka, a dictionary source, INTO OUTFILE
or SYSTEM SHUTDOWN would act on this machine. A server keeps them behind grants its default user
holds; this stand-in refuses them the way a server refuses a user without those grants
(ACCESS_DENIED), or the way a server's HTTP interface refuses client-side clauses
(INTO OUTFILE, FROM INFILE).

The names come from the engine (system.table_functions, table_engines, database_engines) minus an
allowlist, so a function a later engine adds is refused until someone decides it is safe. The
statement is checked with the tokenizer that finds INSERT data (strings and comments skipped): a
denied name followed by `(`, or named as `ENGINE =`, is refused wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from .errors import ClickHouseError
from .sql_scan import CLOSE, OPEN, QUOTED, WORD, NeedMore, Token, tokens

# Sources that read nothing outside the engine's own data: generated rows, local tables and
# views, the request's own body (input), inline text (format, values).
SAFE_TABLE_FUNCTIONS: Final = frozenset(
    {
        "numbers", "numbers_mt", "zeros", "zeros_mt", "primes", "generaterandom", "generateseries",
        "generate_series", "values", "sqlstandardvalues", "null", "view", "viewifpermitted",
        "viewexplain", "merge", "loop", "format", "input", "dictionary", "mergetreeindex",
        "mergetreeprojection", "mergetreeanalyzeindexes", "mergetreeanalyzeindexesuuid",
        "mergetreetextindex", "mergetreecodecblockcounts", "fuzzjson", "fuzzquery",
        "timeseriesdata", "timeseriestags", "timeseriesmetrics", "timeseriessamples",
        "timeseriesmetricfamilies", "timeseriesselector",
    }
)  # fmt: skip
SAFE_TABLE_ENGINES: Final = frozenset(
    {
        "mergetree", "replacingmergetree", "summingmergetree", "aggregatingmergetree",
        "collapsingmergetree", "versionedcollapsingmergetree", "graphitemergetree",
        "coalescingmergetree", "memory", "log", "tinylog", "stripelog", "null", "buffer", "set",
        "join", "view", "materializedview", "dictionary", "merge", "generaterandom", "loop",
        "alias", "timeseries", "embeddedrocksdb", "fuzzjson", "fuzzquery",
    }
)  # fmt: skip
SAFE_DATABASE_ENGINES: Final = frozenset({"atomic", "ordinary", "memory", "dictionary"})
# Not in the engine's tables but reaching out all the same: dynamic disks (any path or bucket)
# and dictionary sources.
ALWAYS_DENIED: Final = frozenset(
    {"disk", "http", "executable_pool", "cassandra", "yamlregexptree", "library", "python", "eval"}
)
# SYSTEM statements that only act on the engine's own caches, logs and merges.
SAFE_SYSTEM_COMMANDS: Final = frozenset({b"FLUSH", b"DROP", b"STOP", b"START", b"SYNC", b"WAIT"})

_RAW_CALL: Final = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)[`\"]?\s*\(")

DENIED_NAMES_SQL: Final = (
    "SELECT lower(name) FROM system.table_functions "
    "UNION ALL SELECT lower(name) FROM system.table_engines "
    "UNION ALL SELECT lower(name) FROM system.database_engines"
)


def denied_names(engine_names: Iterable[str]) -> frozenset[str]:
    """Every lower-cased source name the engine knows, minus the safe ones."""
    safe = SAFE_TABLE_FUNCTIONS | SAFE_TABLE_ENGINES | SAFE_DATABASE_ENGINES
    return frozenset(name.lower() for name in engine_names if name.lower() not in safe) | ALWAYS_DENIED


def _access_denied(grant: str) -> ClickHouseError:
    return ClickHouseError.of(
        "ACCESS_DENIED",
        f"default: Not enough privileges. To execute this query, it's necessary to have the grant {grant}. "
        "This local ClickHouse stand-in grants no access to files, the network or the host",
    )


class QueryGuard:
    """Checks one statement (SQL text, or an INSERT's head without its rows) before it runs."""

    def __init__(self, denied: frozenset[str]) -> None:
        self.denied = denied

    def check(self, sql: bytes) -> None:
        try:
            toks = list(tokens(sql, final=True))
        except NeedMore:
            # An unterminated string or comment, which the engine refuses anyway. Should this
            # scanner ever disagree with the engine's lexer, it must not open a gap: any denied
            # name followed by `(` anywhere in the raw text is refused.
            self._check_raw(sql)
            return
        words = [self._word(sql, t) for t in toks]
        self._check_statement(words)
        for i, token in enumerate(toks):
            name = self._name(sql, token)
            if name is None:
                continue
            upper = name.upper()
            following = toks[i + 1] if i + 1 < len(toks) else None
            if following is not None and following.kind == OPEN and name.lower() in self.denied:
                raise _access_denied(f"READ ON {upper}")
            if upper == "ENGINE":
                self._check_engine(sql, toks[i + 1 :])
            next_word = words[i + 1] if i + 1 < len(words) else None
            if upper == "INTO" and next_word == b"OUTFILE":
                raise ClickHouseError.of("INTO_OUTFILE_NOT_ALLOWED", "INTO OUTFILE is not allowed")
            if upper == "FROM" and next_word == b"INFILE":
                raise ClickHouseError.of("UNKNOWN_TYPE_OF_QUERY", "Query has infile and was send directly to server")
            if upper == "CLICKHOUSE" and following is not None and following.kind == OPEN:
                self._check_clickhouse_source(toks[i + 1 :], words[i + 1 :])

    def _check_raw(self, sql: bytes) -> None:
        for match in _RAW_CALL.finditer(sql):
            name = match.group(1).decode("ascii").lower()
            if name in self.denied:
                raise _access_denied(f"READ ON {name.upper()}")

    def _check_statement(self, words: list[bytes | None]) -> None:
        first = words[0] if words else None
        if first == b"SYSTEM" and (len(words) < 2 or words[1] not in SAFE_SYSTEM_COMMANDS):
            command = (words[1] or b"").decode() if len(words) > 1 else ""
            raise _access_denied(f"SYSTEM {command}".strip())
        if first == b"ATTACH" and b"FROM" in words:
            raise _access_denied("READ ON FILE")  # ATTACH TABLE t FROM 'path' reads a directory

    def _check_engine(self, sql: bytes, rest: list[Token]) -> None:
        # `ENGINE = Kafka SETTINGS ...` names an engine without parentheses.
        if rest and sql[rest[0].start : rest[0].end] == b"=":
            rest = rest[1:]
        name = self._name(sql, rest[0]) if rest else None
        if name is not None and name.lower() in self.denied:
            raise _access_denied(f"TABLE ENGINE ON {name}")

    @staticmethod
    def _check_clickhouse_source(toks: list[Token], words: list[bytes | None]) -> None:
        """A CLICKHOUSE dictionary source with a HOST or PORT connects to another server."""
        depth = 0
        for token, word in zip(toks, words):
            depth += (token.kind == OPEN) - (token.kind == CLOSE)
            if word in (b"HOST", b"PORT"):
                raise _access_denied("READ ON REMOTE")
            if depth == 0:
                return

    @staticmethod
    def _word(sql: bytes, token: Token) -> bytes | None:
        return sql[token.start : token.end].upper() if token.kind == WORD else None

    @staticmethod
    def _name(sql: bytes, token: Token) -> str | None:
        """A bare or quoted identifier, as the engine would read the name."""
        if token.kind == WORD:
            return sql[token.start : token.end].decode("ascii", "replace")
        if token.kind == QUOTED and token.end - token.start > 2:
            return sql[token.start + 1 : token.end - 1].decode("utf-8", "replace")
        return None

