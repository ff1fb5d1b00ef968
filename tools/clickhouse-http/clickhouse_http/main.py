"""The process: arguments, the data directory lock, signals and shutdown."""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import threading
import time
from typing import Any

from .access import Credentials
from .engine import Engine
from .errors import ENGINE_VERSION
from .http_server import StandInServer
from .limits import SHUTDOWN_GRACE_S
from .log import JsonLog
from .query_guard import DENIED_NAMES_SQL, QueryGuard, denied_names


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
    parser.add_argument("--user", default=os.environ.get("CLICKHOUSE_USER") or "default")
    return parser.parse_args(argv)


def credentials_from_env(user: str, environ: dict[str, str]) -> Credentials:
    """The one user's credentials. The password comes from the environment, as with the server's
    Docker image, because a command line is visible to every user of the machine."""
    password = environ.get("CLICKHOUSE_PASSWORD", "")
    if not password:
        raise SystemExit("CLICKHOUSE_PASSWORD is not set: the stand-in requires a password (services:up generates one)")
    return Credentials(user=user, password=password)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    credentials = credentials_from_env(args.user, dict(os.environ))
    log = JsonLog(args.log_level)
    data_dir = os.path.abspath(args.data_dir)
    if "?" in data_dir:
        raise SystemExit("the data directory path must not contain '?' (chdb reads it as connection options)")
    lock_fd = lock_data_dir(data_dir)
    engine = Engine(data_dir)
    guard = QueryGuard(denied_names(engine.names(DENIED_NAMES_SQL)))
    try:
        server = StandInServer((args.host, args.port), engine, log, credentials, guard)
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
