"""Who may ask: a loopback Host without an Origin, and the configured user's password.

The stand-in answers to local programs only. A browser page can make a local program of itself
(DNS rebinding gives a hostile name a loopback address; any page can POST cross-site), so a
request naming a non-loopback Host, or carrying an Origin, is refused before anything else.
Credentials are checked like a server's: HTTP Basic, X-ClickHouse-User/-Key, or the user and
password URL parameters; nothing sent means the user `default` with an empty password.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

from .errors import ClickHouseError


def host_name(host_header: str) -> str:
    """The host part of a Host header: `[::1]:8123` → `::1`, `localhost:8123` → `localhost`."""
    value = host_header.strip()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else value
    name, colon, port = value.rpartition(":")
    return name if colon and port.isdigit() else value


def is_loopback_host(host_header: str | None) -> bool:
    if not host_header:
        return False  # every browser sends one; a client that sends none is not worth the doubt
    name = host_name(host_header).lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refuse_foreign_request(headers: Any) -> None:
    """Raises ACCESS_DENIED for a request that did not come from a local program."""
    if headers.get("Origin") is not None:
        raise ClickHouseError.of(
            "ACCESS_DENIED",
            "Requests with an Origin header (from a web page) are refused by this local ClickHouse stand-in",
        )
    host = headers.get("Host")
    if not is_loopback_host(host):
        raise ClickHouseError.of(
            "ACCESS_DENIED",
            f"Host '{host or ''}' is not a loopback address; this local ClickHouse stand-in answers "
            "only to 127.0.0.0/8, [::1] and localhost",
        )


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


def presented_credentials(headers: Any, params: dict[str, str]) -> Credentials:
    """The credentials a request carries, in the places a ClickHouse server looks for them."""
    authorization = headers.get("Authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            # A server without token authentication configured refuses bearer tokens.
            return Credentials(user="", password="")
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return Credentials(user="", password="")
        return Credentials(user=user, password=password)
    if headers.get("X-ClickHouse-User") is not None or headers.get("X-ClickHouse-Key") is not None:
        return Credentials(user=headers.get("X-ClickHouse-User") or "default", password=headers.get("X-ClickHouse-Key") or "")
    return Credentials(user=params.get("user") or "default", password=params.get("password") or "")


def authenticate(expected: Credentials, presented: Credentials) -> None:
    """Raises AUTHENTICATION_FAILED (516) as a server does: one message for every reason."""
    same_user = hmac.compare_digest(presented.user.encode(), expected.user.encode())
    same_password = hmac.compare_digest(presented.password.encode(), expected.password.encode())
    if not (same_user and same_password):
        raise ClickHouseError.of(
            "AUTHENTICATION_FAILED",
            f"{presented.user}: Authentication failed: password is incorrect, or there is no user with such name.",
        )
