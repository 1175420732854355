"""A window of model inputs and outputs as named Arrow columns, from CSV, Parquet or captured
inference traffic (SageMaker data-capture JSON lines, which the serverless components' callers
write in the same shape).

Windows larger than memory: a Parquet window is read one column at a time, when a test asks
for it (`ParquetColumns`), so memory holds one feature of each window, never the table.  A CSV
larger than ``SPILL_BYTES`` is streamed once, block by block, into a temporary Parquet file and
then read the same way; smaller CSVs (and capture files) are parsed whole, keeping only the
columns asked for, in Arrow's compact columnar form.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError, redacted_first_line

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_SUFFIXES = (".parquet", ".pq")
CAPTURE_SUFFIXES = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
#: Inputs above this size are refused rather than read (a mistaken path to a disk image, say).
MAX_BYTES = 64 * 2**30
#: CSV windows larger than this are spilled to a temporary Parquet file and read column by column.
SPILL_BYTES = 256 * 2**20
_BLOCK = 64 * 2**20  # bytes of CSV parsed at a time when spilling


class ParquetColumns(Mapping):
    """The columns of a Parquet file, each read from disk when it is looked up (not kept)."""

    def __init__(self, path: str, names: Sequence[str], rows: int, keep: Any = None) -> None:
        self.path, self._names, self.rows = path, list(names), rows
        self._keep = keep  # a temporary directory that must live as long as this mapping

    def __getitem__(self, name: str) -> pa.ChunkedArray:
        if name not in self._names:
            raise KeyError(name)
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(self.path).read(columns=[name]).column(0)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(self.path, f"cannot read column {name!r}: {redacted_first_line(exc)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


@dataclass(frozen=True)
class Window:
    """Named columns of one window (reference or current), in file order."""

    source: str
    columns: Mapping[str, pa.ChunkedArray]

    @property
    def rows(self) -> int:
        if isinstance(self.columns, ParquetColumns):
            return self.columns.rows
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def require(self, name: str) -> None:
        """Raise the one-line error naming the file when ``name`` is not a column."""
        if name not in self.columns:
            raise InputError(self.source, f"no column {name!r} (columns: {_names(self.columns)})")

    def column(self, name: str) -> pa.ChunkedArray:
        self.require(name)
        return self.columns[name]


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
    if os.path.isdir(path):  # a capture prefix: SageMaker writes one file per hour under it
        table = _capture_folder(path, capture_columns)
    elif lower.endswith(CAPTURE_SUFFIXES):
        from plangate.assurance.capture import read_capture

        table = read_capture(path, capture_columns)
    elif lower.endswith(PARQUET_SUFFIXES):
        return _parquet_window(path, path, columns)
    elif os.stat(path).st_size > SPILL_BYTES:
        return _spilled_csv_window(path, columns)
    else:
        table = _read_csv(path, columns)
    wanted = _wanted(path, list(table.column_names), table.num_rows, columns)
    return Window(path, {c: table.column(c) for c in wanted})


def _wanted(source: str, names: list[str], rows: int, columns: Sequence[str] | None) -> list[str]:
    """The columns to read from a table with these column ``names`` and ``rows``: ``columns``, or all of them.
    A window with no rows, a column named twice or a wanted column missing is bad input."""
    if rows == 0:
        raise InputError(source, "holds no rows: a window must have data")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(source, f"column {dup!r} appears twice")
    wanted = list(columns) if columns is not None else names
    missing = [c for c in wanted if c not in names]
    if missing:
        raise InputError(source, f"no column {missing[0]!r} (columns: {_names(names)})")
    return wanted


def _capture_folder(path: str, capture_columns: Sequence[str] | None) -> pa.Table:
    """Every capture file under the folder ``path``, in path order, as one table."""
    import pyarrow as pa

    from plangate.assurance.capture import read_capture

    files = sorted(os.path.join(root, f) for root, _, names in os.walk(path) for f in names
                   if f.lower().endswith(CAPTURE_SUFFIXES))
    if not files:
        raise InputError(path, "is a folder without capture files (*.jsonl); give a CSV, Parquet or capture file")
    for f in files:
        _check_file(f)
    tables = [read_capture(f, capture_columns) for f in files]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(path, f"its capture files do not hold the same columns: {redacted_first_line(exc)}") from None


def _parquet_window(path: str, source: str, columns: Sequence[str] | None, keep: Any = None) -> Window:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
        names, rows = list(meta.schema_arrow.names), meta.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise InputError(source, f"not a readable Parquet file: {redacted_first_line(exc)}") from None
    wanted = _wanted(source, names, rows, columns)
    return Window(source, ParquetColumns(path, wanted, rows, keep))


def _spilled_csv_window(path: str, columns: Sequence[str] | None) -> Window:
    """Stream a large CSV once into a temporary Parquet file (one block in memory at a time)."""
    import tempfile

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if columns is not None:
        names = _csv_header(path, "\t" if path.lower().endswith(".tsv") else ",")
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError(path, f"no column {missing[0]!r} (columns: {_names(names)})")
    keep = tempfile.TemporaryDirectory(prefix="plangate-window-")
    spill = os.path.join(keep.name, "window.parquet")
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_BLOCK),
                                parse_options=_csv_parse(path), convert_options=_csv_convert(columns))
        with pq.ParquetWriter(spill, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
    except (pa.ArrowException, OSError) as exc:
        keep.cleanup()
        raise InputError(path, f"not a readable CSV table: {redacted_first_line(exc)} (a column whose type changes "
                               "after the first block cannot be streamed: convert the window to Parquet)") from None
    return _parquet_window(spill, path, columns, keep)


def _csv_convert(columns: Sequence[str] | None) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.ConvertOptions(include_columns=list(columns) if columns is not None else None,
                                null_values=["", "NA", "NaN", "nan", "null", "NULL", "?"],
                                strings_can_be_null=True)


def _csv_parse(path: str) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.ParseOptions(delimiter="\t" if path.lower().endswith(".tsv") else ",")


def _read_csv(path: str, columns: Sequence[str] | None) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    convert, parse = _csv_convert(columns), _csv_parse(path)
    if columns is not None:
        names = _csv_header(path, parse.delimiter)
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError(path, f"no column {missing[0]!r} (columns: {_names(names)})")
    try:
        table = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
        table.column_names  # noqa: B018  (Arrow keeps the header as bytes: it decodes the names only here)
        return table
    except (pa.ArrowException, OSError) as exc:
        raise InputError(path, f"not a readable CSV table: {redacted_first_line(exc)}") from None
    except UnicodeDecodeError:
        raise InputError(path, "not a readable CSV table: its header is not UTF-8 text") from None


def _csv_header(path: str, delimiter: str) -> list[str]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh, delimiter=delimiter), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"cannot read the header: {type(exc).__name__}") from None
