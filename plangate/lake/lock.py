"""Waiting for a lake another process holds.

DuckDB locks the lake's file: a writer (``plangate ingest``) exclusively, readers (the analyses)
shared, so an analysis started while an ingest commits — or a second ingest — finds it locked.
`connect` retries the connection with a doubling backoff (50 ms up to 1 s) until the timeout
(``--lock-timeout``, else the ``PLANGATE_LOCK_TIMEOUT`` environment variable, else
`DEFAULT_LOCK_TIMEOUT` seconds), then fails in one line naming the lake and, when DuckDB says,
the holder's program and PID.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import TypeVar

from plangate.errors import PlangateError

DEFAULT_LOCK_TIMEOUT = 30.0
LOCK_TIMEOUT_ENV = "PLANGATE_LOCK_TIMEOUT"
FIRST_DELAY, MAX_DELAY = 0.05, 1.0

T = TypeVar("T")


def lock_timeout(value: float | None = None) -> float:
    """The timeout in seconds: ``value`` when given, else the environment's, else the default."""
    if value is not None:
        return value
    text = os.environ.get(LOCK_TIMEOUT_ENV)
    if text is None or not text.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:  # NaN fails this too
        raise PlangateError(f"{LOCK_TIMEOUT_ENV}: expected seconds between 0 and 86400, got {text!r}")
    return seconds


def is_lock_conflict(exc: BaseException) -> bool:
    return "could not set lock" in str(exc).lower()


def holder(exc: BaseException) -> str:
    """' (held by <program>, PID <n>)' from DuckDB's message, or '' when it does not say."""
    m = re.search(r"lock is held in (\S+) \(PID (\d+)\)", str(exc))
    return f" (held by {os.path.basename(m.group(1))}, PID {m.group(2)})" if m else ""


def connect(open_fn: Callable[[], T], lake: str, timeout: float | None = None, *,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> T:
    """``open_fn()``, retried while another process holds the lake's lock, for at most ``timeout`` s."""
    seconds = lock_timeout(timeout)
    deadline = clock() + seconds
    delay = FIRST_DELAY
    while True:
        try:
            return open_fn()
        except Exception as exc:  # duckdb.IOException (and ibis' wrapping of it)
            if not is_lock_conflict(exc):
                raise
            left = deadline - clock()
            if left <= 0:
                raise PlangateError(f"{lake}: the lake is locked by another process{holder(exc)}; waited "
                                    f"{seconds:g} s (--lock-timeout or {LOCK_TIMEOUT_ENV} to wait longer)") from None
            sleep(min(delay, left))
            delay = min(delay * 2, MAX_DELAY)
