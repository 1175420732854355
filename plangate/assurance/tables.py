"""A window of model inputs and outputs as named Arrow columns, from CSV, Parquet or captured
inference traffic (SageMaker data-capture JSON lines, which the serverless components' callers
write in the same shape).

Only the columns asked for are read (Parquet projects them without touching the rest; CSV keeps
only them after parsing), and values stay in Arrow's compact columnar form until a test needs
them as numpy, so a window is held as its selected columns, not as text or Python objects.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plangate.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_SUFFIXES = (".parquet", ".pq")
CAPTURE_SUFFIXES = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
#: Inputs above this size are refused rather than read (a mistaken path to a disk image, say).
MAX_BYTES = 64 * 2**30


@dataclass(frozen=True)
class Window:
    """Named columns of one window (reference or current), in file order."""

    source: str
    columns: dict[str, pa.ChunkedArray]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def column(self, name: str) -> pa.ChunkedArray:
        try:
            return self.columns[name]
        except KeyError:
            raise InputError(self.source, f"no column {name!r} (columns: {_names(self.columns)})") from None


def _names(columns: Sequence[str], limit: int = 12) -> str:
    names = list(columns)
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _check_file(path: str) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    import stat

    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, "is a directory, expected a CSV, Parquet or capture file")
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BYTES:
        raise InputError(path, f"is {st.st_size} bytes, more than the {MAX_BYTES} this reads")
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot read: permission denied")


def read_window(path: str, columns: Sequence[str] | None = None, *,
                capture_columns: Sequence[str] | None = None) -> Window:
    """The columns ``columns`` (all when None) of the table at ``path``.

    ``capture_columns`` names the features of headerless CSV payloads in capture files.
    """
    path = os.fspath(path)
    _check_file(path)
    lower = path.lower()
    if lower.endswith(CAPTURE_SUFFIXES):
        from plangate.assurance.capture import read_capture

        table = read_capture(path, capture_columns)
    elif lower.endswith(PARQUET_SUFFIXES):
        table = _read_parquet(path, columns)
    else:
        table = _read_csv(path, columns)
    if table.num_rows == 0:
        raise InputError(path, "holds no rows: a window must have data")
    names = list(table.column_names)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(path, f"column {dup!r} appears twice")
    wanted = list(columns) if columns is not None else names
    missing = [c for c in wanted if c not in names]
    if missing:
        raise InputError(path, f"no column {missing[0]!r} (columns: {_names(names)})")
    return Window(path, {c: table.column(c) for c in wanted})


def _read_parquet(path: str, columns: Sequence[str] | None) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        if columns is not None:
            missing = [c for c in columns if c not in names]
            if missing:
                raise InputError(path, f"no column {missing[0]!r} (columns: {_names(names)})")
        return pf.read(columns=list(columns) if columns is not None else None)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(path, f"not a readable Parquet file: {_first_line(exc)}") from None


def _read_csv(path: str, columns: Sequence[str] | None) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(include_columns=list(columns) if columns is not None else None,
                                   null_values=["", "NA", "NaN", "nan", "null", "NULL", "?"],
                                   strings_can_be_null=True)
    parse = pacsv.ParseOptions(delimiter="\t" if path.lower().endswith(".tsv") else ",")
    if columns is not None:
        names = _csv_header(path, parse.delimiter)
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError(path, f"no column {missing[0]!r} (columns: {_names(names)})")
    try:
        return pacsv.read_csv(path, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(path, f"not a readable CSV table: {_first_line(exc)}") from None


def _csv_header(path: str, delimiter: str) -> list[str]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh, delimiter=delimiter), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"cannot read the header: {type(exc).__name__}") from None


def _first_line(exc: BaseException) -> str:
    """The library's message without the cell values it quotes: a row may hold personal data."""
    import re

    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = re.sub(r"(got \d+)\s*:.*", r"\1", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return text[:300]
