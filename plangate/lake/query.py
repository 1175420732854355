"""Reading the lake, written once over Ibis: the same expressions run on DuckDB (the default, the
``.duckdb`` file ``plangate ingest`` writes) and on Spark (``engine="spark"``), or on any backend a
connection URL names (``ibis.connect`` URLs: ``duckdb://…``, ``pyspark://…``, ``trino://…``).

Scopes are FOCUS column names (``ServiceName``, ``RegionId``, ``SubAccountId``, …) or ``tag:<key>``
for a tag (``tag:team``); a missing value is the scope ``"(none)"``, so untagged spend is a scope too.
Dates are UTC days of ``ChargePeriodStart``.

>>> lake = open_lake(".plangate/lake.duckdb")                        # doctest: +SKIP
>>> daily_costs(lake, ["ServiceName", "tag:team"])                     # doctest: +SKIP
         date  ServiceName  tag:team      cost
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangate.errors import PlangateError, first_line
from plangate.lake.schema import COSTS, METRICS

if TYPE_CHECKING:  # the heavy imports stay inside functions: importing plangate.lake is cheap
    import ibis.expr.types as ir
    import pandas as pd

DEFAULT_LAKE = ".plangate/lake.duckdb"
ENGINES = ("duckdb", "spark")
MISSING = "(none)"
TAG_PREFIX = "tag:"
#: Output types ``score_by_scope`` accepts in its ``schema`` (the Spark name of each).
SCORE_TYPES = {"string": "string", "double": "double", "long": "bigint", "boolean": "boolean",
               "timestamp": "timestamp"}


@dataclass
class Lake:
    """An open lake: an Ibis backend holding the ``costs`` and ``metrics`` tables."""

    con: Any  # ibis.BaseBackend
    engine: str  # "duckdb", "spark", or the backend name of a URL
    source: str
    spark: Any = None  # the SparkSession when engine == "spark"

    def costs(self) -> ir.Table:
        return self.con.table(COSTS)

    def metrics(self) -> ir.Table:
        return self.con.table(METRICS)

    def close(self) -> None:
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect and self.engine != "spark":  # a Spark session may be the caller's: leave it running
            disconnect()


def open_lake(source: str | Path = DEFAULT_LAKE, engine: str = "duckdb", *, spark: Any = None,
              lock_timeout: float | None = None) -> Lake:
    """Open a lake for reading.

    ``source`` is a ``.duckdb`` file written by ``plangate ingest``, a folder of Parquet tables
    (``costs/``, ``metrics/``: what ``export_parquet`` writes, or what a Spark job left in S3), or an
    Ibis connection URL (``scheme://…``) whose backend already holds ``costs`` and ``metrics``.
    ``engine="spark"`` reads the file or folder in a Spark session (``spark``, or a local one).
    A lake another process holds locked is waited for up to ``lock_timeout`` seconds
    (`plangate.lake.lock`).
    """
    import ibis

    from plangate.lake.lock import connect

    text = str(source)
    if "://" in text:
        con = ibis.connect(text)
        return Lake(con, con.name, text)
    path = Path(text)
    if not path.exists():
        raise PlangateError(f"{path}: no such lake (run `plangate ingest FILE… --lake {path}` first)")
    if engine == "duckdb":
        if path.is_dir():
            con = ibis.duckdb.connect()
            for table in (COSTS, METRICS):
                if not any((path / table).glob("*.parquet")):
                    raise PlangateError(f"{path}: not a lake (a .duckdb file from `plangate ingest`, or a folder "
                                        f"with {COSTS}/*.parquet and {METRICS}/*.parquet): no {table}/*.parquet")
                try:
                    con.read_parquet(str(path / table / "*.parquet"), table_name=table)
                except Exception as exc:  # duckdb's own hierarchy: an unreadable or foreign Parquet file
                    raise PlangateError(f"{path / table}: cannot read the lake's Parquet files: "
                                        f"{first_line(exc)}") from None
            return Lake(con, "duckdb", text)
        try:
            con = connect(lambda: ibis.duckdb.connect(str(path), read_only=True), text, lock_timeout)
        except PlangateError:
            raise
        except Exception as exc:  # duckdb.IOException and friends: not a DuckDB file, unreadable
            raise PlangateError(f"{path}: cannot open the lake: {first_line(exc)}") from None
        return Lake(con, "duckdb", text)
    if engine == "spark":
        from plangate.lake.spark import open_spark_lake

        return open_spark_lake(path, spark)
    raise PlangateError(f"--engine: expected one of {', '.join(ENGINES)}, got {engine!r}")


def scope_value(table: ir.Table, key: str) -> ir.Value:
    """The Ibis expression for one scope key: a column, or ``tag:<key>`` looked up in ``Tags``."""
    if key.startswith(TAG_PREFIX):
        value = table.Tags.get(key[len(TAG_PREFIX):])
    elif key in table.columns and key != "Tags":
        value = table[key].cast("string")
    else:
        raise PlangateError(f"scope {key!r}: not a lake column nor tag:<key> (columns: ServiceName, RegionId, …)")
    return value.fill_null(MISSING).name(key)


def distinct_scopes(by: Sequence[str]) -> list[str]:
    """The scope keys, refused when one is named twice (it would be two columns of one name)."""
    seen: set[str] = set()
    for key in by:
        if key in seen:
            raise PlangateError(f"scope {key!r}: named twice (each --by key once)")
        seen.add(key)
    return list(by)


def _window(table: ir.Table, start: dt.date | None, end: dt.date | None) -> ir.Table:
    day = table.ChargePeriodStart.date()
    if start is not None:
        table = table.filter(day >= start)
    if end is not None:
        table = table.filter(day <= end)
    return table


def _where(table: ir.Table, scope: Mapping[str, str]) -> ir.Table:
    for key, value in scope.items():
        table = table.filter(scope_value(table, key) == value)
    return table


def daily_expr(lake: Lake, by: Sequence[str], *, cost: str = "BilledCost", start: dt.date | None = None,
               end: dt.date | None = None) -> ir.Table:
    """The Ibis expression behind ``daily_costs``: [date, *by, cost], one row per day and scope with spend."""
    t = _window(lake.costs(), start, end)
    check_cost_column(t, cost)
    keys = [t.ChargePeriodStart.date().name("date"), *(scope_value(t, k) for k in distinct_scopes(by))]
    return t.group_by(keys).aggregate(cost=t[cost].sum())


def check_cost_column(table: ir.Table, cost: str) -> None:
    """Refuse a cost column that is not in the lake or does not hold numbers."""
    if cost not in table.columns:
        raise PlangateError(f"cost column {cost!r}: not in the lake (BilledCost, EffectiveCost, ListCost, …)")
    kind = table[cost].type()
    if not (kind.is_floating() or kind.is_decimal()):
        raise PlangateError(f"cost column {cost!r}: holds {kind}, not amounts "
                            "(BilledCost, EffectiveCost, ListCost, …)")


def missing_tags(lake: Lake, by: Sequence[str], *, start: dt.date | None = None,
                 end: dt.date | None = None) -> list[str]:
    """The ``tag:<key>`` scopes of ``by`` whose key no charge in the window carries: their one scope
    would be ``(none)``, which a report should explain rather than show as if it were a team."""
    keys = [k[len(TAG_PREFIX):] for k in by if k.startswith(TAG_PREFIX)]
    if not keys:
        return []
    t = _window(lake.costs(), start, end)
    row = lake.con.execute(t.aggregate(**{f"k{i}": t.Tags.get(k).notnull().any() for i, k in enumerate(keys)}))
    return [k for i, k in enumerate(keys) if not bool(row[f"k{i}"].iloc[0])]


def date_range(lake: Lake, *, start: dt.date | None = None,
               end: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """First and last day with charges in the window, or None when the lake holds none."""
    t = _window(lake.costs(), start, end)
    day = t.ChargePeriodStart.date()
    row = lake.con.execute(t.aggregate(lo=day.min(), hi=day.max()))
    lo, hi = row["lo"].iloc[0], row["hi"].iloc[0]
    if lo is None or hi is None or lo != lo:  # NaT / None: empty
        return None
    return _as_date(lo), _as_date(hi)


def daily_costs(lake: Lake, by: Sequence[str] = (), *, cost: str = "BilledCost", start: dt.date | None = None,
                end: dt.date | None = None, dense: bool = True) -> pd.DataFrame:
    """Daily cost per scope as a pandas frame with columns [date, *by, cost], sorted by scope then date.

    ``date`` is ``datetime64[ns]`` at midnight UTC.  ``dense=True`` gives every scope a row for every day
    from the first to the last day in the window (cost 0.0 where it had none), so spend that appears
    from nothing shows as a jump from zero.
    """
    by = list(by)
    frame = lake.con.execute(daily_expr(lake, by, cost=cost, start=start, end=end))
    if dense and not frame.empty:
        span = date_range(lake, start=start, end=end)
        frame = densify(frame, by, *span) if span else frame
    return _tidy(frame, by)


def densify(frame: pd.DataFrame, by: Sequence[str], start: dt.date, end: dt.date) -> pd.DataFrame:
    """``frame`` [date, *by, cost] with a zero-cost row for each missing (day, scope) in start..end."""
    import pandas as pd

    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D").astype("datetime64[ns]")
    frame = frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"))
    if not by:
        return (frame.groupby("date")["cost"].sum().reindex(days, fill_value=0.0)
                .rename_axis("date").reset_index())
    scopes = frame[list(by)].drop_duplicates()
    grid = scopes.merge(pd.DataFrame({"date": days}), how="cross")
    out = grid.merge(frame, on=["date", *by], how="left")
    out["cost"] = out["cost"].fillna(0.0)
    return out


def _tidy(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    frame = frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
                         cost=frame["cost"].astype("float64"), **{k: frame[k].astype("str") for k in by})
    return frame[["date", *by, "cost"]].sort_values([*by, "date"], kind="stable").reset_index(drop=True)


def top_contributors(lake: Lake, scope: Mapping[str, str], start: dt.date, end: dt.date, *,
                     by: str = "ResourceId", n: int = 5, cost: str = "BilledCost") -> pd.DataFrame:
    """The ``n`` largest contributors to a scope's spend from ``start`` to ``end`` (days, inclusive):
    columns [by, cost], largest first.  ``by`` is any scope key: ``ResourceId``, ``x_UsageType``
    (AWS usage types), ``ChargeDescription``, ``SkuId``, ``tag:…``."""
    import ibis

    t = _where(_window(lake.costs(), start, end), scope)
    expr = t.group_by(scope_value(t, by)).aggregate(cost=t[cost].sum()).order_by([ibis.desc("cost"), by]).limit(n)
    frame = lake.con.execute(expr)
    return frame[[by, "cost"]].reset_index(drop=True)


def owner_tag(lake: Lake, scope: Mapping[str, str], start: dt.date, end: dt.date, *,
              keys: Sequence[str] = ("owner", "Owner", "team", "Team"), cost: str = "BilledCost") -> str | None:
    """The owner of a scope's spend in the window: the value of the first tag in ``keys`` that its
    charges carry (the value with the most cost when they disagree); None when no charge carries one."""
    t = _where(_window(lake.costs(), start, end), scope)
    names = [f"k{i}" for i in range(len(keys))]
    expr = t.group_by([t.Tags.get(k).name(n) for k, n in zip(keys, names, strict=True)]).aggregate(
        cost=t[cost].sum())
    frame = lake.con.execute(expr)  # one small query: cost per combination of the candidate tags
    for name in names:
        tagged = frame[frame[name].notna()]
        if not tagged.empty:
            totals = tagged.groupby(name)["cost"].sum().reset_index().sort_values(
                ["cost", name], ascending=[False, True], kind="stable")
            return str(totals.iloc[0][name])
    return None


def metric_names(lake: Lake) -> list[str]:
    m = lake.metrics()
    return sorted(lake.con.execute(m.select("name").distinct())["name"].tolist())


def metric_series(lake: Lake, name: str) -> pd.DataFrame:
    """One ingested metric series as [timestamp, value], in time order."""
    import pandas as pd

    m = lake.metrics()
    frame = lake.con.execute(m.filter(m.name == name).select("timestamp", "value").order_by("timestamp"))
    if frame.empty:
        raise PlangateError(f"metric {name!r}: not in the lake {lake.source} (has: {', '.join(metric_names(lake))})")
    return frame.assign(timestamp=pd.to_datetime(frame["timestamp"]).astype("datetime64[ns]"),
                        value=frame["value"].astype("float64")).reset_index(drop=True)


def score_by_scope(lake: Lake, by: Sequence[str], fit_fn: Callable[[pd.DataFrame], pd.DataFrame],
                   schema: Mapping[str, str], *, cost: str = "BilledCost", start: dt.date | None = None,
                   end: dt.date | None = None) -> pd.DataFrame:
    """Run ``fit_fn`` once per scope on its dense daily series; return the rows it yields, with the
    scope columns in front, sorted by scope and then by ``fit_fn``'s own columns.

    ``fit_fn(frame)`` gets [date, cost] for one scope (every day of the window, zeros included, in
    order) and returns a frame with exactly the columns of ``schema`` (name -> "string", "double",
    "long", "boolean" or "timestamp").  On DuckDB the scopes run here, one after another; on Spark
    the daily aggregation runs in the engine and the scopes are fitted on the executors with
    ``groupBy(*by).applyInPandas`` (so ``fit_fn`` must be picklable: a module-level function or a
    ``functools.partial`` of one).  Both paths call the same wrapper, so they give the same rows.
    """
    by = distinct_scopes(by)
    bad = {k: v for k, v in schema.items() if v not in SCORE_TYPES}
    if bad or set(schema) & {*by, "date"}:
        raise PlangateError(f"score_by_scope: bad schema {dict(schema)!r} (types: {', '.join(SCORE_TYPES)}; "
                            "scope names and 'date' are reserved)")
    span = date_range(lake, start=start, end=end)
    if span is None:
        return _empty(by, schema)
    apply = ScopeApply(tuple(by), fit_fn, tuple(schema), *span)
    if lake.engine == "spark":
        from plangate.lake.spark import apply_in_pandas

        out = apply_in_pandas(lake, daily_expr(lake, by, cost=cost, start=start, end=end), by, apply, schema)
    else:
        import pandas as pd

        daily = lake.con.execute(daily_expr(lake, by, cost=cost, start=start, end=end))
        parts = [apply(group) for _, group in (daily.groupby(by, sort=True) if by else [((), daily)])]
        out = pd.concat(parts, ignore_index=True) if parts else _empty(by, schema)
    return _canonical(out, by, schema)


@dataclass(frozen=True)
class ScopeApply:
    """What runs per scope on either engine: densify the scope's days, call ``fit_fn``, put the scope in front."""

    by: tuple[str, ...]
    fit_fn: Callable[[Any], Any]
    columns: tuple[str, ...]
    start: dt.date
    end: dt.date

    def __call__(self, group: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        scope = {k: group[k].iloc[0] for k in self.by}
        series = densify(group[["date", "cost"]], (), self.start, self.end)
        result = pd.DataFrame(self.fit_fn(series))
        missing = [c for c in self.columns if c not in result.columns]
        if missing:
            raise PlangateError(f"score_by_scope: fit_fn returned no column {missing[0]!r}")
        result = result[list(self.columns)].copy()
        for i, (key, value) in enumerate(scope.items()):
            result.insert(i, key, value)
        return result


def _empty(by: Sequence[str], schema: Mapping[str, str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in [*by, *schema]})


def _canonical(out: pd.DataFrame, by: Sequence[str], schema: Mapping[str, str]) -> pd.DataFrame:
    """One frame shape whichever engine ran: the same dtypes, column order and row order."""
    import pandas as pd

    out = out.copy()
    kinds = {**{k: "string" for k in by}, **schema}
    for col, kind in kinds.items():
        if kind == "timestamp":
            values = pd.to_datetime(out[col])
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            out[col] = values.astype("datetime64[ns]")
        elif kind == "string":
            out[col] = out[col].astype("str")
        else:
            out[col] = out[col].astype({"double": "float64", "long": "int64", "boolean": "bool"}[kind])
    cols = [*by, *schema]
    return out[cols].sort_values(cols, kind="stable").reset_index(drop=True)


def _as_date(value: Any) -> dt.date:
    import pandas as pd

    return pd.Timestamp(value).date()
