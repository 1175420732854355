"""Reading input files: size limits, encodings (UTF-8, UTF-8/16 BOMs), JSON with positions."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plangate.errors import InputError, first_line

#: Inputs larger than this are refused with a clear message rather than exhausting memory.
MAX_BYTES = int(os.environ.get("PLANGATE_MAX_INPUT_BYTES", 512 * 1024 * 1024))

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Folders no walk of an input tree enters: version control, tool state and caches, virtualenvs.
#: One set for every walk (the loaders, the source map, the Checkov suppressions, the audit
#: record's input hashes), so what is scanned and what is recorded are the same files.
SKIP_DIRS = frozenset({".git", ".terraform", ".pulumi", "node_modules", ".venv", "__pycache__"})


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


def parse_json(raw: bytes, file: str, line_offset: int = 0) -> Any:
    """Parse JSON fast (orjson when installed); errors carry line and column.

    Every JSON reader of the CLI comes here (or to `read_json`), so each has the same guards:
    nesting deeper than the interpreter's stack and integers past Python's digit limit are bad
    input naming the file, never a crash.  ``line_offset`` is added to error lines (for one
    line of a JSON-lines file).
    """
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
        with parse_guard(file, "invalid JSON: "):
            return json.loads(raw, parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(file, f"not valid UTF-8 text (byte {exc.start})", line + line_offset) from None
    except json.JSONDecodeError as exc:
        raise InputError(file, f"invalid JSON: {exc.msg}", exc.lineno + line_offset, exc.colno) from None


def read_json(path: Path | str) -> Any:
    return parse_json(read_bytes(Path(path)), str(path))


# Python 3.11 refuses int() of more than 4,300 digits with a plain ValueError saying this.
_INT_LIMIT_WORDS = "integer string conversion"


@contextlib.contextmanager
def parse_guard(file: str, prefix: str = "") -> Iterator[None]:
    """The failures every parser shares, as bad input naming ``file`` (``prefix`` begins the
    problem, e.g. ``"invalid YAML: "``): nesting deeper than the interpreter's stack, and an
    integer longer than Python converts.  Other errors pass through."""
    try:
        yield
    except RecursionError:
        raise InputError(file, f"{prefix}nested too deeply") from None
    except ValueError as exc:
        if _INT_LIMIT_WORDS not in str(exc):
            raise
        raise InputError(file, f"{prefix}a number with more digits than plangate reads "
                               f"({_int_digits()} at most)") from None


def _int_digits() -> int:
    import sys

    return sys.get_int_max_str_digits() or 4300


def parse_yaml(text: str, file: str) -> Any:
    """One YAML document (PyYAML's safe loader) with the JSON reader's guards; errors carry
    line and column.  Values YAML cannot construct (a date such as 2026-13-45) are bad input."""
    import yaml

    try:
        with parse_guard(file, "invalid YAML: "):
            return yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        raise yaml_error(exc, file) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar YAML matched but cannot build
        raise InputError(file, f"invalid YAML value: {exc}") from None


def yaml_loader() -> type:
    """PyYAML's safe loader, on libyaml when built with it: several times faster, and it stops
    nesting at 1,000 levels at once where the pure-Python scanner takes seconds to overflow."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str) -> Any:
    """The YAML file at ``path``, size-limited and decoded as every input is."""
    return parse_yaml(decode(read_bytes(Path(path)), str(path)), str(path))


def yaml_error(exc: Exception, file: str) -> InputError:
    """A PyYAML error as one line naming the file, line and column."""
    mark = getattr(exc, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    problem = getattr(exc, "problem", None) or first_line(exc)
    return InputError(file, f"invalid YAML: {problem}", line, column)


def line_of(raw: bytes, needle: bytes, start: int = 0) -> int | None:
    """1-based line of the first ``needle`` at or after ``start`` (None when absent)."""
    pos = raw.find(needle, start)
    return None if pos < 0 else raw.count(b"\n", 0, pos) + 1
