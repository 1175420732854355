"""Drift on 1,000,000 rows × 20 features: plangate against Evidently, same files, same run.

    .venv/bin/python benchmarks/drift_vs_evidently.py [--rows 1000000] [--current-rows N] [--repeat 3]

(``--current-rows`` defaults to ``--rows``; windows of equal size take plangate's exact
shortcut for the Wasserstein distance, so run once with unequal sizes too.)

Writes a reference and a current window as Parquet (14 normal / log-normal / uniform
numbers, some shifted; 2 few-valued floats; 2 low-cardinality integers; 2 string
categories, one of them shifted), then times plangate end to end from the files (`read_window`
reads each column from Parquet when its test needs it, then `detect`) in this process, and
Evidently's ``DataDriftTable`` run on DataFrames already in memory in the peers' environment
(benchmarks/peer_evidently_drift.py): plangate's time includes its reading, Evidently's does not.
Prints medians, the ratio, and each feature's test and verdict side by side; exits 1 when any
verdict differs.  Timings are medians of --repeat runs
on a shared machine: read the ratio, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEER = ROOT / "benchmarks" / "peer_evidently_drift.py"


def windows(reference_rows: int, current_rows: int, seed: int = 0) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)

    def build(rows: int, shift: bool) -> pa.Table:
        cols: dict[str, object] = {}
        for i in range(14):
            move = 0.25 if shift and i % 3 == 0 else 0.0
            if i % 2 == 0:
                cols[f"num_{i}"] = rng.normal(move, 1.0, rows)
            elif i % 3 == 1:
                cols[f"num_{i}"] = rng.lognormal(move, 0.5, rows)
            else:
                cols[f"num_{i}"] = rng.uniform(0, 1 + move, rows)
        cols["few_0"] = rng.choice([0.5, 1.5, 2.5], rows, p=[0.2, 0.5, 0.3] if not shift else [0.4, 0.4, 0.2])
        cols["few_1"] = rng.choice([1.0, 2.0, 3.0, 4.0], rows)
        cols["int_0"] = rng.integers(0, 8, rows)
        cols["int_1"] = rng.integers(0, 3, rows)
        cats = np.array(["ios", "android", "web", "api", "batch"])
        cols["cat_0"] = cats[rng.choice(5, rows, p=[0.3, 0.3, 0.2, 0.1, 0.1] if not shift else [0.1, 0.3, 0.2, 0.1,
                                                                                                0.3])]
        cols["cat_1"] = cats[rng.integers(0, 5, rows)]
        return pa.table(cols)

    return build(reference_rows, False), build(current_rows, True)


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--current-rows", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not PEERS_PYTHON.exists():
        print("the peers' environment is missing: run `make .venv-peers/.installed`", file=sys.stderr)
        return 2
    from plangate.assurance.drift import detect
    from plangate.assurance.tables import read_window

    current_rows = args.current_rows or args.rows
    ref_table, cur_table = windows(args.rows, current_rows)
    names = ref_table.column_names
    with tempfile.TemporaryDirectory() as tmp:
        ref_path, cur_path = Path(tmp) / "reference.parquet", Path(tmp) / "current.parquet"
        pq.write_table(ref_table, ref_path)
        pq.write_table(cur_table, cur_path)
        peer = subprocess.run([str(PEERS_PYTHON), str(PEER), str(ref_path), str(cur_path), "--columns",
                               ",".join(names), "--repeat", str(args.repeat)],
                              capture_output=True, text=True, check=True)
        theirs = json.loads(peer.stdout)
        tiny = {n: ref_table.column(n).slice(0, 2000) for n in names}
        detect(tiny, tiny)  # load scipy and pyarrow.compute before timing (Evidently imports them at start)
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            ref, cur = read_window(str(ref_path)), read_window(str(cur_path))
            report = detect(ref.columns, cur.columns)
            seconds.append(time.perf_counter() - start)
    ours = {f.name: f for f in report.features}
    peer_by_name = {f["name"]: f for f in theirs["features"]}
    print(f"drift on {args.rows:,} reference + {current_rows:,} current rows x {len(names)} features "
          f"(median of {args.repeat})")
    print(f"{'feature':<8} {'plangate test':<14} {'statistic':>11} {'drift':<6} | {'Evidently test':<14} "
          f"{'statistic':>11} {'drift':<6}")
    differ = 0
    for name in names:
        a, b = ours[name], peer_by_name[name]
        same = a.test == b["test"] and a.drifted == b["drifted"]
        differ += not same
        print(f"{name:<8} {a.test:<14} {a.statistic:>11.5g} {str(a.drifted):<6} | {b['test']:<14} "
              f"{b['statistic']:>11.5g} {str(b['drifted']):<6}{'' if same else '  <-- differs'}")
    print(f"dataset drift: plangate {report.dataset_drift} ({report.share_drifted:.2f}), "
          f"Evidently {theirs['dataset_drift']} ({theirs['share_of_drifted_features']:.2f})")
    mine, peer_s = _median(seconds), _median(theirs["seconds"])
    print(f"plangate read_window + detect, from the Parquet files: {mine:.3f} s")
    print(f"Evidently DataDriftTable run, DataFrames in memory: {peer_s:.3f} s")
    print(f"ratio: plangate is {peer_s / mine:.1f}x faster (target: 20x)")
    print(f"verdicts: {'all equal' if not differ else f'{differ} differ'}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
