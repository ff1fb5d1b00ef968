"""Errors as ClickHouse reports them: code, NAME, message, and the HTTP status the server maps them to."""

from __future__ import annotations

import re
from typing import Final

import chdb

ENGINE_VERSION: Final = str(chdb.engine_version)


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
    "UNKNOWN_TYPE_OF_QUERY": 78,
    "INTO_OUTFILE_NOT_ALLOWED": 486,
    "ACCESS_DENIED": 497,
    "AUTHENTICATION_FAILED": 516,
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
