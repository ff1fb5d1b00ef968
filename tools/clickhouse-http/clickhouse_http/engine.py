"""The engine, its connections and HTTP sessions."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

# The binding itself rather than chdb's Python wrappers: the wrappers drop result chunks that
# carry no rows (which loses the whole document of an empty JSON result) and hide the per-chunk
# statistics that X-ClickHouse-Summary is built from.
from chdb import _chdb

from .errors import ClickHouseError, engine_error
from .limits import SETTING_NAME
from .request import Request


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

    def names(self, sql: str) -> list[str]:
        """One string column of a query on the engine's system tables."""
        return self._root.query(sql, "TabSeparated").bytes().decode().split()

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
    settings = _without_unchanged_per_query_settings(conn, request.settings)
    assignments = [f"{name} = {sql_string(value)}" for name, value in settings.items()]
    if params_as_settings:
        # The streaming insert call takes no parameters; `SET param_x` binds them engine-side,
        # the same way clickhouse-client does. Names are checked so they cannot alter the statement.
        for name, value in request.query_params.items():
            if not SETTING_NAME.fullmatch(name):
                raise ClickHouseError.of("BAD_ARGUMENTS", f"Invalid query parameter name '{name}'")
            assignments.append(f"param_{name} = {sql_string(value)}")
    if assignments:
        run_sql(conn, "SET " + ", ".join(assignments))


# Settings the engine refuses to SET because a server reads them per query (found by sending every
# row of system.settings as a URL parameter; clickhouse-http.int.test.ts does that again).
PER_QUERY_ONLY_SETTINGS: Final = frozenset({"run_query_in_background"})


def _without_unchanged_per_query_settings(conn: Any, settings: dict[str, str]) -> dict[str, str]:
    """URL settings minus per-query-only ones left at their value, which need no SET; a changed
    one cannot be applied on a connection here and is refused rather than ignored."""
    kept = dict(settings)
    for name in PER_QUERY_ONLY_SETTINGS & settings.keys():
        current = run_sql(conn, "SELECT value FROM system.settings WHERE name = {n:String}", {"n": name})
        if current.bytes().decode().strip() != settings[name].strip():
            raise ClickHouseError.of(
                "NOT_IMPLEMENTED", f"Setting {name} can only be changed per query, which this local stand-in cannot do"
            )
        del kept[name]
    return kept


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
