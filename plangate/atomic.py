"""The one home of writing output files: as ``cat > target`` would, but never half-written.

* A regular file (or a name that does not exist yet) is replaced atomically: a temporary file
  in the same folder, flushed to disk, then renamed over the target, so a reader sees the old
  report or the new one.  A new file gets the mode ``open()`` would give it (0666 less the
  umask, not mkstemp's 0600: an upload step running as another user must read it); an
  existing file keeps its mode, as ``cat >`` keeps it.
* A symbolic link is followed: its target is written (atomically when that is a regular file),
  and the link stays a link.
* A character / block device, FIFO or socket is written *into*, never replaced: ``-o
  /dev/null`` stays the device, and a FIFO's reader gets the report.

Every failure is one `PlangateError` naming the path (the CLI prints it and exits 2).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from plangate.errors import PlangateError

__all__ = ["write_text"]


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as described in the module docstring."""
    shown = os.fspath(path)
    target = Path(os.path.realpath(shown))  # a symlink's target, however deep the chain
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _error(shown, exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise PlangateError(f"{shown}: cannot write: is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_into(shown, target, text)
    else:
        _replace(shown, target, text, None if st is None else stat.S_IMODE(st.st_mode))


def _error(shown: str, exc: OSError) -> PlangateError:
    return PlangateError(f"{shown}: cannot write: {exc.strerror or exc}")


def _write_into(shown: str, target: Path, text: str) -> None:
    """A device, FIFO or socket: open it for writing (a FIFO waits for its reader) and write."""
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise _error(shown, exc) from None


def _umask() -> int:
    current = os.umask(0o022)  # there is no way to read the umask without setting it
    os.umask(current)
    return current


def _replace(shown: str, target: Path, text: str, mode: int | None) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _error(shown, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode if mode is not None else 0o666 & ~_umask())
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _error(shown, exc) from None
        raise
