"""One HTTP request: routing, the query or insert it carries, and its error reply."""

from __future__ import annotations

import contextlib
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .access import authenticate, presented_credentials, refuse_foreign_request
from .body import Body, RawBody, parse_multipart
from .errors import BadFraming, ClickHouseError, ClientGone
from .inserts import read_statement, run_insert
from .limits import HEALTH_PATHS, IO_TIMEOUT_S, KEEP_ALIVE_TIMEOUT_S, MAX_FORM_BODY, MAX_URI_BYTES
from .engine import apply_context
from .reply import Reply
from .request import build_request
from .results import ResultChunks, Stats, needs_whole_result
from .sql_scan import output_format_in

if TYPE_CHECKING:
    from .http_server import StandInServer


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
            refuse_foreign_request(self.headers)  # before anything, health checks included
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
        # As a server: /ping and / answer anyone (above); every query needs the password.
        authenticate(self.server.credentials, presented_credentials(self.headers, dict(params)))
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
                self.server.guard.check(plan.head.encode())
                run_insert(conn, request, plan, data, body, reply.stats)
                reply.send_whole(200, b"", reply.content_type)
                return
            try:
                sql = reply.sql = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ClickHouseError.of("BAD_ARGUMENTS", "the query is not valid UTF-8") from None
            if not sql.strip():
                raise ClickHouseError.of("SYNTAX_ERROR", "Empty query")
            self.server.guard.check(data)
            apply_context(conn, request)
            own_format = output_format_in(data, lambda name: self.server.engine.output_format(name) is not None)
            if own_format:
                self._set_format(reply, own_format)
            whole = needs_whole_result(reply.format)
            chunks = ResultChunks(conn, sql, request.default_format, request.query_params, reply.stats, whole)
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
