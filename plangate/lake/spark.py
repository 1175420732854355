"""The lake on Spark: the same Ibis expressions as on DuckDB, run by a Spark session, and per-scope
fitting distributed the way Spark users expect (``groupBy(*scope).applyInPandas``).

A ``.duckdb`` lake is exported to Parquet for Spark to read (an organisation's own lake is usually a
folder of Parquet tables already — ``costs/`` and ``metrics/`` — which Spark reads where it lies).
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangate.errors import PlangateError, first_line
from plangate.lake.query import SCORE_TYPES, Lake
from plangate.lake.schema import COSTS, METRICS

if TYPE_CHECKING:
    import pandas as pd


def local_session(app: str = "plangate") -> Any:
    """A small local Spark session (2 cores, no UI, few shuffle partitions, UTC)."""
    import os

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this interpreter, with plangate
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName(app)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
            .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def export_parquet(lake_file: str | Path, folder: str | Path) -> Path:
    """Write the DuckDB lake's ``costs`` and ``metrics`` tables as ``folder/<table>/data.parquet``."""
    import duckdb

    out = Path(folder)
    try:
        con = duckdb.connect(str(lake_file), read_only=True)
    except duckdb.Error as exc:
        raise PlangateError(f"{lake_file}: cannot open the lake: {first_line(exc)}") from None
    try:
        for table in (COSTS, METRICS):
            (out / table).mkdir(parents=True, exist_ok=True)
            target = str(out / table / "data.parquet").replace("'", "''")
            con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
    return out


def open_spark_lake(path: Path, spark: Any = None) -> Lake:
    import ibis

    session = spark or local_session()
    folder = path
    if path.is_file():
        folder = Path(tempfile.mkdtemp(prefix="plangate-lake-"))
        atexit.register(shutil.rmtree, folder, True)
        export_parquet(path, folder)
    for table in (COSTS, METRICS):
        if not (folder / table).exists():
            raise PlangateError(f"{path}: no {table}/ table folder for Spark to read")
        session.read.parquet(str(folder / table)).createOrReplaceTempView(table)
        session.catalog.cacheTable(table)  # analyses query the same tables many times
    return Lake(ibis.pyspark.connect(session), "spark", str(path), spark=session)


def apply_in_pandas(lake: Lake, expr: Any, by: Sequence[str], apply: Any,
                    schema: Mapping[str, str]) -> pd.DataFrame:
    """Run the daily aggregation ``expr`` in Spark and ``apply`` per scope on the executors."""
    import ibis

    daily = lake.spark.sql(ibis.to_sql(expr))
    fields = [f"`{k}` string" for k in by] + [f"`{k}` {SCORE_TYPES[v]}" for k, v in schema.items()]
    grouped = daily.groupBy(*by) if by else daily.groupBy()

    def one_scope(group: pd.DataFrame) -> pd.DataFrame:  # a plain one-argument function, as Spark inspects it
        return apply(group)

    return grouped.applyInPandas(one_scope, schema=", ".join(fields)).toPandas()
