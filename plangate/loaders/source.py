"""Reading input files: size limits, encodings (UTF-8, UTF-8/16 BOMs), JSON with positions."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any

from plangate.errors import InputError

#: Inputs larger than this are refused with a clear message rather than exhausting memory.
MAX_BYTES = int(os.environ.get("PLANGATE_MAX_INPUT_BYTES", 512 * 1024 * 1024))

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                str(path),
                f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit "
                "(set PLANGATE_MAX_INPUT_BYTES to raise it)",
            )
        return path.read_bytes()
    except OSError as exc:
        raise path_error(path, exc, "read") from None


# The OS errors a reader can act on, in the words plangate uses for them.
_OS_PROBLEMS = (
    (FileNotFoundError, "no such file or directory"),
    (IsADirectoryError, "is a directory, expected a file"),
    (NotADirectoryError, "is not a directory"),
    (PermissionError, "permission denied"),
)


def path_error(path: Path | str, exc: OSError, action: str) -> InputError:
    """The one-line error for an ``OSError`` met reading (``action``: read, list) ``path``."""
    for kind, says in _OS_PROBLEMS:
        if isinstance(exc, kind):
            return InputError(str(path), says)
    return InputError(str(path), f"cannot {action}: {exc.strerror or exc}")


def decode(raw: bytes, file: str) -> str:
    """Text of a file; Terraform on Windows writes UTF-16 with a BOM."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(file, f"not valid {encoding}: {exc.reason}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(file, f"not valid UTF-8 text (byte {exc.start})", line) from None


def has_bom(raw: bytes) -> bool:
    """Whether ``raw`` starts with a byte-order mark `decode` reads."""
    return any(raw.startswith(bom) for bom, _ in _BOMS)


def parse_json(raw: bytes, file: str) -> Any:
    """Parse JSON fast (orjson when installed); errors carry line and column."""
    if has_bom(raw):
        raw = decode(raw, file).encode("utf-8")
    try:
        import orjson

        return orjson.loads(raw)
    except ImportError:
        pass
    except ValueError:
        pass  # re-parse with the standard library for a message with line and column
    def no_constant(name: str) -> Any:  # Python's json takes NaN / Infinity; JSON and Terraform do not
        raise InputError(file, f"invalid JSON: {name} is not a JSON number")

    try:
        return json.loads(raw, parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(file, f"not valid UTF-8 text (byte {exc.start})", line) from None
    except json.JSONDecodeError as exc:
        raise InputError(file, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(file, "invalid JSON: nested too deeply") from None


def read_json(path: Path) -> Any:
    return parse_json(read_bytes(path), str(path))


def line_of(raw: bytes, needle: bytes, start: int = 0) -> int | None:
    """1-based line of the first ``needle`` at or after ``start`` (None when absent)."""
    pos = raw.find(needle, start)
    return None if pos < 0 else raw.count(b"\n", 0, pos) + 1
