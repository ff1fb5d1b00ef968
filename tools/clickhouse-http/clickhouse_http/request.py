"""One request's parameters: reserved ones, query parameters and settings."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from .errors import ClickHouseError
from .limits import RESERVED_PARAMS, RESPONSE_BUFFER, SETTING_NAME


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
