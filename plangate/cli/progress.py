"""Progress on stderr for long commands (``ingest``, ``scan``), shown only on a terminal.

A CI log or a piped stderr gets nothing: the display is for a person watching, and its redraws
would be noise in a file.  rich is imported only when the display is shown.  Two shapes:

- `percent(mode)`: a factory ``track(label)`` of context managers yielding ``update(pct)`` —
  what `plangate.lake.ingest.ingest` takes for DuckDB's own query progress;
- `steps(mode, total, label)`: a context manager yielding ``done(name)`` — one call per finished
  step (an input of a scan).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

MODES = ("auto", "always", "never")


def add_progress(p: argparse.ArgumentParser) -> None:
    """``--progress auto|always|never``."""
    p.add_argument("--progress", choices=MODES, default="auto",
                   help="progress display on stderr (default: auto, only when stderr is a terminal)")


def shown(mode: str = "auto") -> bool:
    """Whether to draw: ``always``, or ``auto`` with stderr a terminal."""
    return mode == "always" or (mode == "auto" and sys.stderr.isatty())


def _bar(*, percent: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    count = TextColumn("{task.percentage:>3.0f}%") if percent else MofNCompleteColumn()
    # force_terminal: `always` draws even when stderr is not a terminal (the user asked for it)
    console = Console(stderr=True, force_terminal=True)
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), count, TimeElapsedColumn(),
                    transient=True, console=console)


def percent(mode: str = "auto") -> Callable[[str], AbstractContextManager[Callable[[float], None]]] | None:
    """A ``track(label)`` factory drawing a 0-100 % bar per label, or None when nothing is shown."""
    if not shown(mode):
        return None

    @contextmanager
    def track(label: str) -> Iterator[Callable[[float], None]]:
        with _bar(percent=True) as bar:
            task = bar.add_task(label, total=100)
            yield lambda pct: bar.update(task, completed=pct)

    return track


@contextmanager
def steps(mode: str, total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A bar of ``total`` steps; the yielded ``done(name)`` marks one finished and names it.
    Shows nothing (``done`` does nothing) when `shown` says no."""
    if not shown(mode) or total <= 0:
        yield lambda name: None
        return
    with _bar(percent=False) as bar:
        task = bar.add_task(label, total=total)

        def done(name: str) -> None:
            # the last part of the path only: a long one would push the count off a narrow terminal
            bar.update(task, advance=1, description=f"{label}: {os.path.basename(name.rstrip(os.sep)) or name}")
            bar.refresh()  # a step is seen even when inputs load faster than the auto-refresh

        yield done
