"""The HTTP server: shared state (engine, sessions, running queries) and graceful shutdown."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

from .access import Credentials
from .engine import Engine, RunningQueries, Sessions, session_restorer
from .errors import ClickHouseError
from .handler import Handler
from .limits import MAX_SQL_HEAD
from .log import JsonLog
from .query_guard import QueryGuard
from .request import Request


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True  # shutdown waits for busy requests itself, not for idle keep-alive threads
    request_queue_size = 128  # a pool of client sockets may connect at once

    def __init__(
        self, address: tuple[str, int], engine: Engine, log: JsonLog, credentials: Credentials, guard: QueryGuard
    ) -> None:
        super().__init__(address, Handler)
        self.engine = engine
        self.log = log
        self.credentials = credentials
        self.guard = guard
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
