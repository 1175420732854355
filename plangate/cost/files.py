"""Reading the cost model's own input files (price tables, usage files) with clear errors."""

from __future__ import annotations

import os
from pathlib import Path

from plangate.errors import ConfigError


def checked_stat(p: Path, noun: str, expected: str) -> os.stat_result:
    """``p``'s stat, for caching by (path, mtime, size); `ConfigError` naming the file when it
    is missing, unreadable or a directory."""
    try:
        stat = p.stat()
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such {noun}") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the {noun}: {exc.strerror or exc}") from None
    if p.is_dir():
        raise ConfigError(f"{p}: is a directory, expected {expected}")
    return stat
