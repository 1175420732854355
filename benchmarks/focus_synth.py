"""Synthesise FOCUS-shaped billing rows from the real FOCUS sample's distributions (to /tmp, never committed).

Each synthetic row copies a row of the real 1,000-row sample drawn at random (so services,
regions, accounts, SKUs, units and tags keep their real joint distribution), spreads it over
``--days`` days of hourly charges with a weekly cycle (weekends at 70 %), scales its cost by a
random factor in [0.5, 1.5), and fans each real resource out into 20 resources.  Two anomalies
are injected so a scan has something to find: a 20x spike of Amazon Elastic Compute Cloud on day
60, and a service that appears from nothing (Amazon SageMaker, $2 a row-hour) from day 75 on.  The work is one
DuckDB query writing Parquet (typed, as a FOCUS export in Parquet is) or CSV (FOCUS sample style).

    .venv/bin/python benchmarks/focus_synth.py --rows 10000000 --out /tmp/plangate-bench/focus_10M.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "focus" / "focus_1_0_sample_1000.csv"
FIRST_DAY = "2024-07-01"
SPIKE = ("Amazon Elastic Compute Cloud", 60, 20.0)  # service, day, factor
NEW_SERVICE = ("Amazon SageMaker", 75)  # service, first day


def synthesise(rows: int, out: Path, days: int = 90, sample: Path = SAMPLE) -> Path:
    import duckdb

    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "csv" if out.suffix == ".csv" else "parquet"
    spike_service, spike_day, spike_factor = SPIKE
    new_service, new_day = NEW_SERVICE
    con = duckdb.connect()
    con.execute(f"CREATE TABLE sample AS SELECT row_number() OVER () - 1 AS idx, * FROM read_csv('{sample}', "
                "header = true, all_varchar = true, nullstr = 'NULL')")
    n = con.execute("SELECT count(*) FROM sample").fetchone()[0]
    money = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
    when = f"(TIMESTAMP '{FIRST_DAY}' + INTERVAL 1 DAY * g.day + INTERVAL 1 HOUR * g.hour)"
    factor = (f"((0.5 + g.u) * CASE WHEN dayofweek({when}) IN (0, 6) THEN 0.7 ELSE 1.0 END"
              f" * CASE WHEN s.ServiceName = '{spike_service}' AND g.day = {spike_day} THEN {spike_factor} ELSE 1 END)")
    new = f"g.pick_new AND g.day >= {new_day}"
    # the new service's rows cost $2 an hour each (times the same factor): visible from its first day
    replace = [f"CASE WHEN {new} THEN 2.0 ELSE CAST(s.{m} AS DOUBLE) END * {factor} AS {m}" for m in money]
    replace += [
        f"{when} AS ChargePeriodStart", f"{when} + INTERVAL 1 HOUR AS ChargePeriodEnd",
        f"date_trunc('month', {when}) AS BillingPeriodStart",
        f"date_trunc('month', {when}) + INTERVAL 1 MONTH AS BillingPeriodEnd",
        "CASE WHEN s.ResourceId IS NULL THEN NULL ELSE s.ResourceId || '-' || g.fan END AS ResourceId",
        f"CASE WHEN {new} THEN '{new_service}' ELSE s.ServiceName END AS ServiceName",
        *(f"CAST(s.{q} AS DOUBLE) AS {q}" for q in ("ConsumedQuantity", "PricingQuantity", "ListUnitPrice",
                                                     "ContractedUnitPrice")),
    ]
    select = (f"SELECT s.* EXCLUDE (idx) REPLACE ({', '.join(replace)}) FROM "
              f"(SELECT hash(range) AS h, (hash(range) >> 8) % {days} AS day, (hash(range) >> 20) % 24 AS hour, "
              f"((hash(range) >> 28) % 1000000) / 1e6 AS u, (hash(range) >> 48) % 20 AS fan, "
              f"(hash(range) >> 40) % 500 = 0 AS pick_new FROM range({int(rows)})) g "
              f"JOIN sample s ON s.idx = g.h % {n}")
    if fmt == "csv":
        select = (f"SELECT * REPLACE (strftime(ChargePeriodStart, '%Y-%m-%d %H:%M:%S') AS ChargePeriodStart, "
                  f"strftime(ChargePeriodEnd, '%Y-%m-%d %H:%M:%S') AS ChargePeriodEnd, "
                  f"strftime(BillingPeriodStart, '%Y-%m-%d %H:%M:%S') AS BillingPeriodStart, "
                  f"strftime(BillingPeriodEnd, '%Y-%m-%d %H:%M:%S') AS BillingPeriodEnd) FROM ({select})")
    options = "(FORMAT csv, HEADER, NULLSTR 'NULL')" if fmt == "csv" else "(FORMAT parquet, ROW_GROUP_SIZE 122880)"
    tmp = out.with_name(out.name + ".part")
    con.execute(f"COPY ({select}) TO '{tmp}' {options}")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--out", type=Path, default=Path("/tmp/plangate-bench/focus_10M.parquet"))
    args = p.parse_args(argv)
    if not SAMPLE.exists():
        print(f"focus_synth: the real sample is missing: {SAMPLE}", file=sys.stderr)
        return 2
    print(synthesise(args.rows, args.out, args.days))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
