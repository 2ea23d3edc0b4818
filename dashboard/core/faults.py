"""Test-only faults for the admin API server: what it does wrong to its next requests.

A server built without ``Faults`` (the default, and ``python -m dashboard.core.server``)
never consults one. Each request takes at most one queued fault, in order:

- ``fail_next(503)`` / ``fail_next(429, retry_after=1)``: answer before acting;
- ``delay_next(seconds)``: act, then wait that long before answering (past a read timeout);
- ``drop_next()``: act and commit, then close the connection without answering.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Fault:
    kind: Literal["fail", "delay", "drop"]
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()
        self._lock = threading.Lock()

    def fail_next(self, status: int = 503, *, retry_after: float | None = None,
                  times: int = 1) -> None:
        self._push(Fault("fail", status=status, retry_after=retry_after), times)

    def delay_next(self, seconds: float, *, times: int = 1) -> None:
        self._push(Fault("delay", seconds=seconds), times)

    def drop_next(self, *, times: int = 1) -> None:
        self._push(Fault("drop"), times)

    def take(self) -> Fault | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _push(self, fault: Fault, times: int) -> None:
        with self._lock:
            self._queue.extend([fault] * times)
