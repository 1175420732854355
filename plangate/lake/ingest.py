"""``plangate ingest``: billing files (FOCUS 1.x, AWS CUR 2.0 / legacy; CSV, gzipped CSV or Parquet)
and ``timestamp,value`` metric series into the lake's DuckDB file.

The files are read by DuckDB (``read_csv`` / ``read_parquet``) straight into the ``costs`` table,
never through Python rows.  One run is one transaction: every billing period the files carry
(provider, billing account, period start) replaces what the lake held for it, and a metric series
replaces the series of the same name; if anything fails — a bad file, a crash, SIGKILL — the lake
stays as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plangate.errors import InputError, PlangateError, first_line
from plangate.lake import cur
from plangate.lake.schema import (
    COST_TABLE_COLUMNS,
    COSTS,
    END_TIME,
    FIRST_TIME,
    INGESTS,
    MAX_ABS_VALUE,
    METRICS,
    NUMERIC_TYPES,
    PERIOD_KEY,
    REQUIRED,
    TIME_TYPES,
    create_statements,
)

FOCUS, CUR, METRIC = "focus", "cur", "metric"
NULL_TOKENS = ["NULL", ""]
MEMORY_LIMIT = "1GB"  # DuckDB spills beyond it: the 10M-row benchmark stays under 2 GB RSS


@dataclass
class FileReport:
    path: str
    kind: str  # focus | cur | metric
    rows: int = 0
    billed_cost: float = 0.0
    periods: list[tuple[Any, ...]] = field(default_factory=list)  # PERIOD_KEY values (billing files)
    period_totals: list[tuple[int, float]] = field(default_factory=list)  # rows and BilledCost of each period


@dataclass
class IngestReport:
    lake: str
    ingest_id: int
    files: list[FileReport]
    replaced_rows: int = 0  # rows of earlier ingests the re-ingested periods replaced

    def summary(self) -> dict[str, Any]:
        return {"lake": self.lake, "ingest_id": self.ingest_id, "replaced_rows": self.replaced_rows,
                "files": [{"path": f.path, "kind": f.kind, "rows": f.rows, "billed_cost": f.billed_cost,
                           "periods": [[str(v) if v is not None else None for v in p] for p in f.periods]}
                          for f in self.files]}


def ingest(lake: str | os.PathLike[str], files: Sequence[str | os.PathLike[str]], *,
           progress: Callable[[str], Any] | None = None, on_file: Callable[[FileReport], None] | None = None,
           memory_limit: str = MEMORY_LIMIT, lock_timeout: float | None = None) -> IngestReport:
    """Load ``files`` into the lake at ``lake`` (created when missing) in one transaction.

    ``progress(label)`` is a context-manager factory for a progress display (the CLI passes a rich
    bar on a terminal); ``on_file`` is told about each file once it is read (not yet committed).
    Raises ``InputError`` naming the file (and column) for a bad file; the lake is then unchanged.
    A lake another process holds is waited for up to ``lock_timeout`` seconds (`plangate.lake.lock`).
    """
    import duckdb

    from plangate.lake.lock import connect

    if not files:
        raise PlangateError("ingest: no files given")
    # the same file named twice in one run would be loaded twice under one ingest id: keep it once
    paths = list({os.path.realpath(f): _checked_input(str(f)) for f in files}.values())
    target = Path(lake)
    created = _prepare_lake(target)
    try:
        con = connect(lambda: duckdb.connect(str(target)), str(target), lock_timeout)
    except PlangateError:
        raise  # locked by another process, which may have created the file: it is theirs
    except duckdb.Error as exc:
        raise PlangateError(f"{target}: cannot open the lake: {first_line(exc)}") from None
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        for ddl in create_statements():
            con.execute(ddl)
        con.begin()
        try:
            report = _ingest_all(con, str(target), paths, progress, on_file)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except BaseException:
        con.close()
        if created:
            _remove_lake(target)
        raise
    con.close()
    return report


def _ingest_all(con: Any, lake: str, paths: list[str], progress: Callable[[str], Any] | None,
                on_file: Callable[[FileReport], None] | None) -> IngestReport:
    ingest_id = con.execute(f"SELECT coalesce(max(ingest_id), 0) + 1 FROM {INGESTS}").fetchone()[0]
    report = IngestReport(lake, ingest_id, [])
    for path in paths:
        with _watch(con, progress, f"ingest {Path(path).name}"):
            file_report = _ingest_file(con, path, ingest_id)
        report.files.append(file_report)
        if on_file:
            on_file(file_report)
    report.replaced_rows = _replace_periods(con, ingest_id)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for f in report.files:
        if f.kind == METRIC:
            continue
        for period, (rows, billed) in zip(f.periods, f.period_totals, strict=True):
            con.execute(f"INSERT INTO {INGESTS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [ingest_id, *period, f.path, rows, billed, now])
    return report


def _replace_periods(con: Any, ingest_id: int) -> int:
    """Delete the rows of earlier ingests for every period this ingest wrote; return how many."""
    keys = ", ".join(f'"{k}"' for k in PERIOD_KEY)
    match = " AND ".join(f'p."{k}" IS NOT DISTINCT FROM c."{k}"' for k in PERIOD_KEY)
    con.execute(f"CREATE OR REPLACE TEMP TABLE pg_new_periods AS SELECT DISTINCT {keys} FROM {COSTS} "
                f"WHERE x_IngestId = {int(ingest_id)}")
    deleted = con.execute(f"DELETE FROM {COSTS} c WHERE c.x_IngestId <> {int(ingest_id)} AND EXISTS "
                          f"(SELECT 1 FROM pg_new_periods p WHERE {match})").fetchone()
    con.execute("DROP TABLE pg_new_periods")
    return int(deleted[0]) if deleted else 0


# -- one file -----------------------------------------------------------------------------------------

def _checked_input(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "is a directory (give the billing files)")
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot read: permission denied")
    if stat.S_ISREG(info.st_mode) and info.st_size == 0:
        raise InputError(path, "empty file")
    return path


def _source(path: str) -> str:
    lit = _lit(path)
    if _is_parquet(path):
        return f"read_parquet({lit})"
    nulls = ", ".join(_lit(t) for t in NULL_TOKENS)
    return f"read_csv({lit}, header = true, all_varchar = true, delim = ',', quote = '\"', nullstr = [{nulls}])"


def _describe(con: Any, path: str) -> dict[str, str]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {_source(path)}").fetchall()
        header = _header(con, path)
    except Exception as exc:  # duckdb raises its own hierarchy: one line naming the file
        raise InputError(path, f"not a readable CSV or Parquet file: {first_line(exc)}") from None
    # DuckDB renames a repeated column (BilledCost, BilledCost_1) and names are case-insensitive to it:
    # which of two BilledCost columns is the bill is not ours to guess
    seen: dict[str, str] = {}
    for name in header:
        if name.lower() in seen:
            raise InputError(path, f"column {name!r} appears twice in the header"
                                   + ("" if seen[name.lower()] == name else f" (as {seen[name.lower()]!r})"))
        seen[name.lower()] = name
    return {r[0]: r[1] for r in rows}


def _header(con: Any, path: str) -> list[str]:
    """The column names as the file spells them (before DuckDB makes them unique)."""
    if _is_parquet(path):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    first = con.execute(f"SELECT * FROM read_csv({_lit(path)}, header = false, all_varchar = true, delim = ',', "
                        f"quote = '\"') LIMIT 1").fetchone()
    return [str(v) for v in first or () if v is not None]


def _ingest_file(con: Any, path: str, ingest_id: int) -> FileReport:
    types = _describe(con, path)
    columns = list(types)
    lowered = {c.lower(): c for c in columns}
    if "billedcost" in lowered and "BilledCost" not in columns:
        raise InputError(path, f"column {lowered['billedcost']!r}: FOCUS column names are case-sensitive (BilledCost)")
    if "BilledCost" in columns:
        kind = FOCUS
        exprs = {c: _as_text(c, types[c]) if COST_TABLE_COLUMNS[c] == "VARCHAR" else _quote(c)
                 for c in COST_TABLE_COLUMNS if c in types and c not in BOOKKEEPING}
        if "Tags" in types:
            exprs["Tags"] = _tags_from(types["Tags"])
        if "ProviderName" not in types and "ServiceProviderName" in types:
            # FOCUS 1.3 deprecates ProviderName for ServiceProviderName: a file with only the new name
            # still names its provider (the lake's billing periods are keyed by it)
            exprs["ProviderName"] = exprs["ServiceProviderName"]
        custom = [c for c in columns if c not in COST_TABLE_COLUMNS or c in BOOKKEEPING]
        if custom:
            exprs["x_CustomColumns"] = _custom_columns(custom, types)

        def origin(name: str) -> str:
            return name
        required = REQUIRED
    elif cur.is_cur(columns):
        kind = CUR
        exprs, origin = cur.focus_expressions(columns, types)
        missing_cur = cur.missing_required(columns)
        if missing_cur:
            raise InputError(path, f"missing mandatory CUR column {missing_cur!r}")
        required = ()
    elif {"timestamp", "value"} <= set(lowered):
        return _ingest_metric(con, path, lowered["timestamp"], lowered["value"], types)
    else:
        raise InputError(path, "not a FOCUS, AWS CUR or timestamp,value file (no BilledCost, "
                               f"lineItem/UnblendedCost or timestamp column; has {', '.join(columns[:6])}…)")
    missing = [c for c in required if c not in exprs]
    if missing:
        raise InputError(path, f"missing mandatory FOCUS column {missing[0]!r}")

    select = []
    for col, kind_sql in COST_TABLE_COLUMNS.items():
        if col == "x_SourceFile":
            select.append(_lit(path))
        elif col == "x_IngestId":
            select.append(str(int(ingest_id)))
        elif col in exprs:
            expr = exprs[col]
            select.append(expr if col in ("Tags", "x_CustomColumns") else f"CAST({expr} AS {kind_sql})")
        else:
            select.append(f"CAST(NULL AS {kind_sql})")
    source = _source(path)
    if kind == FOCUS and types.get("Tags") == "VARCHAR" and _is_parquet(path):
        # Tags repeat (a resource's tags, every hour of the month): parse each distinct text once.
        # A column read of Parquet is cheap; a second pass over a CSV would not be, so CSV parses inline.
        tags_at = list(COST_TABLE_COLUMNS).index("Tags")
        select[tags_at] = "pg_tags.pg_map"
        source = (f"{source} LEFT JOIN (SELECT pg_raw, {_tags_from('VARCHAR', 'pg_raw')} AS pg_map FROM "
                  f"(SELECT DISTINCT \"Tags\" AS pg_raw FROM {_source(path)})) pg_tags ON \"Tags\" = pg_tags.pg_raw")
    # columns named: a lake made by an earlier plangate has the newer columns at the end (schema.py)
    names = ", ".join(_quote(c) for c in COST_TABLE_COLUMNS)
    sql = f"INSERT INTO {COSTS} ({names}) SELECT {', '.join(select)} FROM {source}"
    try:
        con.execute(sql)
    except Exception as exc:
        raise _diagnose(con, path, exprs, origin, exc) from None
    _check_ranges(con, path, ingest_id, exprs, origin)
    return _check_rows(con, path, kind, ingest_id, origin)


#: The lake's own columns: a file's column of the same name is the file's, kept in x_CustomColumns.
BOOKKEEPING = frozenset({"x_SourceFile", "x_IngestId", "x_CustomColumns"})


def _as_text(column: str, source_type: str) -> str:
    """A column as the lake's text: nested Parquet values (a JSON-valued FOCUS column read as a
    struct or map) as their JSON, everything else cast as it is."""
    nested = source_type.startswith(("STRUCT", "MAP", "UNION")) or source_type.endswith("]")
    return f"CAST(to_json({_quote(column)}) AS VARCHAR)" if nested else _quote(column)


def _custom_columns(columns: list[str], types: dict[str, str]) -> str:
    """A ``MAP(VARCHAR, VARCHAR)`` of the file's other columns, by name; a NULL value stays, so
    every column name survives even when all its values are empty."""
    keys = ", ".join(_lit(c) for c in columns)
    values = ", ".join(f"CAST({_as_text(c, types[c])} AS VARCHAR)" for c in columns)
    return f"MAP([{keys}], [{values}])"


def _tags_from(source_type: str, column: str = '"Tags"') -> str:
    if source_type.startswith("MAP"):
        return f"CAST({column} AS MAP(VARCHAR, VARCHAR))"
    return f"CAST(CAST(NULLIF(trim({column}), '') AS JSON) AS MAP(VARCHAR, VARCHAR))"


def _is_parquet(path: str) -> bool:
    return path.lower().endswith((".parquet", ".pq"))


def _diagnose(con: Any, path: str, exprs: dict[str, str], origin: Callable[[str], str], exc: Exception) -> InputError:
    """The insert failed: find the first column and row that do not convert, for a one-line message."""
    checks = []
    for col, expr in exprs.items():
        kind = COST_TABLE_COLUMNS[col]
        if col == "Tags":
            if expr == _tags_from("VARCHAR"):
                checks.append(('"Tags"', "TRY_CAST(TRY_CAST(NULLIF(trim(\"Tags\"), '') AS JSON) "
                                         "AS MAP(VARCHAR, VARCHAR))", "a JSON object of tags", "Tags"))
        elif kind in NUMERIC_TYPES or kind in TIME_TYPES:
            want = "a number" if kind in NUMERIC_TYPES else "a timestamp"
            checks.append((expr, f"TRY_CAST({expr} AS {kind})", want, origin(_source_name(col, expr))))
    return _first_bad(path, checks) or InputError(path, f"cannot load: {first_line(exc)}")


def _first_bad(path: str, checks: list[tuple[str, str, str, str]]) -> InputError | None:
    """The first (column, row) whose value is present but does not convert: ``checks`` holds
    (source expression, conversion that is NULL on failure, what was wanted, column name to show)."""
    import duckdb

    con = duckdb.connect()  # the lake's transaction is aborted by the failed insert: look on a fresh one
    numbered = f"(SELECT row_number() OVER () AS pg_row, * FROM {_source(path)})"
    header = 0 if _is_parquet(path) else 1
    for expr, conversion, want, shown in checks:
        try:
            row = con.execute(f"SELECT pg_row, CAST({expr} AS VARCHAR) FROM {numbered} "
                              f"WHERE {expr} IS NOT NULL AND {conversion} IS NULL LIMIT 1").fetchone()
        except Exception:  # this check cannot even run: try the next column
            continue
        if row:
            where = f"line {row[0] + header}" if header else f"row {row[0]}"
            return InputError(path, f"column {shown!r}, {where}: {_clip(row[1])!r} is not {want}")
    return None


def _in_range(kind: str, value: str) -> str:
    """SQL that is true when ``value`` (of lake type ``kind``) is one the lake holds (see schema.py)."""
    if kind in NUMERIC_TYPES:
        return f"(isfinite({value}) AND abs({value}) <= {MAX_ABS_VALUE!r})"
    return f"({value} >= TIMESTAMP '{FIRST_TIME}' AND {value} < TIMESTAMP '{END_TIME}')"


def _range_text(kind: str) -> str:
    if kind in NUMERIC_TYPES:
        return f"a finite number within ±{MAX_ABS_VALUE:g}"
    return f"a time from {FIRST_TIME} up to {END_TIME}"


def _check_ranges(con: Any, path: str, ingest_id: int, exprs: dict[str, str], origin: Callable[[str], str]) -> None:
    """Refuse the file when a number is not finite or huge, or a time is out of range: one query over
    the rows it wrote, and only when one is bad a second pass over the file to name its row."""
    checked = [c for c in COST_TABLE_COLUMNS if c in exprs and c != "Tags"
               and (COST_TABLE_COLUMNS[c] in NUMERIC_TYPES or COST_TABLE_COLUMNS[c] in TIME_TYPES)]
    if not checked:
        return
    mine = f"x_IngestId = {int(ingest_id)} AND x_SourceFile = {_lit(path)}"
    counts = con.execute("SELECT " + ", ".join(
        f"count(*) FILTER (WHERE NOT {_in_range(COST_TABLE_COLUMNS[c], _quote(c))})" for c in checked)
        + f" FROM {COSTS} WHERE {mine}").fetchone()
    for col, bad in zip(checked, counts, strict=True):
        if not bad:
            continue
        kind, expr = COST_TABLE_COLUMNS[col], exprs[col]
        value = f"TRY_CAST({expr} AS {kind})"
        shown = origin(_source_name(col, expr))
        found = _first_bad(path, [(expr, f"CASE WHEN {_in_range(kind, value)} THEN 1 END", _range_text(kind),
                                   shown)])
        raise found or InputError(path, f"column {shown!r}: {bad} rows are not {_range_text(kind)}")


def _source_name(col: str, expr: str) -> str:
    return expr[1:-1].replace('""', '"') if expr.startswith('"') and expr.endswith('"') else col


def _check_rows(con: Any, path: str, kind: str, ingest_id: int, origin: Callable[[str], str]) -> FileReport:
    """What the file put in the lake, checked: rows exist, costs are finite, the periods are named."""
    mine = f"x_IngestId = {int(ingest_id)} AND x_SourceFile = {_lit(path)}"
    rows, cost, null_cost, null_start = con.execute(
        f"SELECT count(*), coalesce(sum(BilledCost), 0), count(*) FILTER (WHERE BilledCost IS NULL), "
        f"count(*) FILTER (WHERE ChargePeriodStart IS NULL "
        f"OR BillingPeriodStart IS NULL) FROM {COSTS} WHERE {mine}").fetchone()
    if rows == 0:
        raise InputError(path, "no rows (a header and nothing else)")
    if null_cost:
        raise InputError(path, f"column {origin('line_item_unblended_cost') if kind == CUR else 'BilledCost'!r}: "
                               f"{null_cost} rows have no value")
    if null_start:
        raise InputError(path, f"columns ChargePeriodStart / BillingPeriodStart: {null_start} rows have no date")
    keys = ", ".join(f'"{k}"' for k in PERIOD_KEY)
    periods = con.execute(f"SELECT {keys}, count(*), coalesce(sum(BilledCost), 0) FROM {COSTS} WHERE {mine} "
                          f"GROUP BY ALL ORDER BY ALL").fetchall()
    return FileReport(path, kind, int(rows), float(cost), [tuple(p[:-2]) for p in periods],
                      [(int(p[-2]), float(p[-1])) for p in periods])


def _ingest_metric(con: Any, path: str, ts: str, value: str, types: dict[str, str]) -> FileReport:
    name = Path(path).name.split(".")[0]
    con.execute(f"DELETE FROM {METRICS} WHERE name = ?", [name])
    checks = [(_quote(ts), _ts(_quote(ts), types[ts]), "a timestamp", ts),
              (_quote(value), f"TRY_CAST({_quote(value)} AS DOUBLE)", "a number", value)]
    try:
        con.execute(f"INSERT INTO {METRICS} SELECT {_lit(name)}, CAST({_ts(_quote(ts), types[ts])} AS TIMESTAMP), "
                    f"CAST({_quote(value)} AS DOUBLE) FROM {_source(path)}")
    except Exception as exc:
        raise (_first_bad(path, checks) or InputError(path, f"cannot load: {first_line(exc)}")) from None
    rows, nulls, bad_time, bad_value = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE timestamp IS NULL OR value IS NULL), "
        f"count(*) FILTER (WHERE NOT {_in_range('TIMESTAMP', 'timestamp')}), "
        f"count(*) FILTER (WHERE NOT {_in_range('DOUBLE', 'value')}) FROM {METRICS} WHERE name = ?", [name]).fetchone()
    if rows == 0:
        raise InputError(path, "no rows (a header and nothing else)")
    if nulls:
        raise _first_bad(path, checks) or InputError(path, f"columns {ts!r} / {value!r}: {nulls} rows have no value")
    for (expr, conversion, _, shown), kind, bad in zip(checks, ("TIMESTAMP", "DOUBLE"), (bad_time, bad_value),
                                                      strict=True):
        if bad:
            check = (expr, f"CASE WHEN {_in_range(kind, conversion)} THEN 1 END", _range_text(kind), shown)
            raise _first_bad(path, [check]) or InputError(path, f"column {shown!r}: {bad} rows are not "
                                                                f"{_range_text(kind)}")
    return FileReport(path, METRIC, int(rows), 0.0, [])


def _ts(expr: str, source_type: str) -> str:
    """A timestamp in UTC: ISO text with an offset or ``Z`` is converted, naive text is taken as UTC."""
    if source_type.startswith("TIMESTAMP"):
        return expr
    return (f"CASE WHEN regexp_matches({expr}, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$') "
            f"THEN timezone('UTC', TRY_CAST({expr} AS TIMESTAMPTZ)) ELSE TRY_CAST({expr} AS TIMESTAMP) END")


# -- lake file and progress ----------------------------------------------------------------------------

def _prepare_lake(target: Path) -> bool:
    """Check the lake path; make its folder.  True when the lake file does not exist yet."""
    try:
        info = target.stat()
    except FileNotFoundError:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PlangateError(f"{target}: cannot create the lake: {exc.strerror or exc}") from None
        return True
    except OSError as exc:
        raise PlangateError(f"{target}: cannot open the lake: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise PlangateError(f"{target}: the lake must be a regular DuckDB file")
    return False


def _remove_lake(target: Path) -> None:
    for p in (target, target.with_name(target.name + ".wal")):
        try:
            p.unlink()
        except OSError:
            pass


@contextmanager
def _watch(con: Any, progress: Callable[[str], Any] | None, label: str):
    """Report DuckDB's own query progress (0-100) to ``progress`` while the file loads."""
    if progress is None:
        yield
        return
    with progress(label) as update:
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.2):
                try:
                    pct = con.query_progress()
                except Exception:
                    return
                if pct is not None and pct >= 0:
                    update(pct)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            update(100.0)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _clip(value: Any, width: int = 40) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
