"""Sizes, timeouts and names that several modules share."""

from __future__ import annotations

import re
import socket
from typing import Final

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
MAX_URI_BYTES: Final = 1024 * 1024  # ClickHouse's http_max_uri_size
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

EXPOSED_HEADERS: Final = (
    "X-ClickHouse-Query-Id,X-ClickHouse-Summary,X-ClickHouse-Server-Display-Name,X-ClickHouse-Format,"
    "X-ClickHouse-Timezone,X-ClickHouse-Exception-Code,X-ClickHouse-Exception-Tag"
)
