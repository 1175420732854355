"""The environment benchmarked processes run in (as on a user's machine), and the one
in-process timer the benchmarks share.

pip byte-compiles a regular install, and Python writes ``__pycache__`` for an editable one on
first import; a shell with ``PYTHONDONTWRITEBYTECODE`` set (as some CI images and this
sandbox have) would make every timed plangate run recompile its sources (about 50 ms) while
Checkov, installed normally, runs from bytecode.  `installed_env` byte-compiles plangate once
and returns the environment without that variable, so both tools start as installed.
"""

from __future__ import annotations

import compileall
import functools
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def installed_env() -> dict[str, str]:
    compileall.compile_dir(str(ROOT / "plangate"), quiet=1)
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_time(fn: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls of ``fn`` in this process, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
