"""Logging: one JSON object per line on stdout."""

from __future__ import annotations

import contextlib
import json
import queue
import sys
import threading
import time
from typing import Any, Final


class JsonLog:
    """JSON lines on stdout, written by one background thread.

    Request threads only enqueue: a reader that stops draining stdout must not wedge the server.
    When the queue is full, lines are dropped and counted instead.
    """

    LEVELS: Final = {"debug": 10, "info": 20, "warn": 30, "error": 40}

    def __init__(self, level: str) -> None:
        self._min = self.LEVELS[level]
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=10_000)
        self.dropped = 0
        self._writer = threading.Thread(target=self._drain, name="log-writer", daemon=True)
        self._writer.start()

    def enabled(self, level: str) -> bool:
        return self.LEVELS[level] >= self._min

    def write(self, level: str, msg: str, *, always: bool = False, **fields: Any) -> None:
        if not always and not self.enabled(level):
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
        line = json.dumps({"ts": stamp, "level": level, "msg": msg, **fields}, default=str, ensure_ascii=False)
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def close(self, timeout_s: float = 5.0) -> None:
        """Writes what is queued (for up to timeout_s), then stops the writer."""
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout_s)
        self._writer.join(timeout_s)

    def _drain(self) -> None:
        while True:
            lines = [self._queue.get()]
            with contextlib.suppress(queue.Empty):
                while len(lines) < 1000:
                    lines.append(self._queue.get_nowait())
            done = None in lines
            text = "".join(f"{line}\n" for line in lines if line is not None)
            with contextlib.suppress(OSError, ValueError):  # a closed stdout must not kill the writer
                sys.stdout.write(text)
                sys.stdout.flush()
            if done:
                return
