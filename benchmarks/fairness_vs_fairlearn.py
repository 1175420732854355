"""Fairness on 1,000,000 rows: plangate against Fairlearn's MetricFrame, same file, same run.

    .venv/bin/python benchmarks/fairness_vs_fairlearn.py [--rows 1000000] [--repeat 3]

The rows are drawn with replacement from the real COMPAS file (``../shared/data/fairness``):
two-year recidivism as the label, a decile score of 5 or more as the decision, race × sex as
the intersectional groups.  Fairlearn (peers' environment, benchmarks/peer_fairlearn_metrics.py)
builds a MetricFrame of selection rate, TPR, FPR and count and computes the four disparity
metrics; plangate computes the same from the same 0/1 columns, in this process, with the data
already in memory on both sides.  Prints medians, the ratio and the largest difference of any
value; exits 1 when a value differs by more than 1e-9.
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
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEER = ROOT / "benchmarks" / "peer_fairlearn_metrics.py"
COMPAS = ROOT.parent / "shared" / "data" / "fairness" / "compas-scores-two-years.csv"
SENSITIVE = ["race", "sex"]


def sample_rows(rows: int, seed: int = 0) -> pa.Table:
    compas = pacsv.read_csv(COMPAS, convert_options=pacsv.ConvertOptions(
        include_columns=["two_year_recid", "decile_score", *SENSITIVE]))
    pick = np.random.default_rng(seed).integers(0, compas.num_rows, rows)
    table = compas.take(pa.array(pick))
    decision = (table.column("decile_score").to_numpy() >= 5).astype(np.int64)
    return pa.table({"two_year_recid": table.column("two_year_recid"), "decision": decision,
                     **{c: table.column(c) for c in SENSITIVE}})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not PEERS_PYTHON.exists() or not COMPAS.exists():
        print("needs the peers' environment and ../shared/data/fairness", file=sys.stderr)
        return 2
    from plangate.assurance import fairness
    from plangate.assurance.tables import read_window

    table = sample_rows(args.rows)
    flags = [a for s in SENSITIVE for a in ("--sensitive", s)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compas_1m.parquet"
        pq.write_table(table, path)
        peer = subprocess.run([str(PEERS_PYTHON), str(PEER), str(path), "--y-true", "two_year_recid",
                               "--y-pred", "decision", *flags, "--repeat", str(args.repeat)],
                              capture_output=True, text=True, check=True)
        theirs = json.loads(peer.stdout)
        window = read_window(str(path), ["two_year_recid", "decision", *SENSITIVE])
        columns = {c: window.column(c) for c in ["two_year_recid", "decision", *SENSITIVE]}  # read while it exists
    timings: dict[str, list[float]] = {"metrics": [], "metrics + 1000 bootstrap resamples": []}
    for _ in range(args.repeat):
        for label, resamples in (("metrics", 0), ("metrics + 1000 bootstrap resamples", 1000)):
            start = time.perf_counter()
            cells, _ = fairness.from_columns(str(path), columns["two_year_recid"], columns["decision"],
                                             {c: columns[c] for c in SENSITIVE})
            report = fairness.assess(cells, fairness.FairnessOptions(min_group_size=1, bootstrap=resamples))
            timings[label].append(time.perf_counter() - start)
    worst = max(abs(report[m] - theirs[m]) for m in fairness.METRICS)
    peer_groups = {tuple(g["group"][c] for c in SENSITIVE): g for g in theirs["groups"]}
    for g in report["groups"]:
        t = peer_groups[tuple(g["group"][c] for c in SENSITIVE)]
        worst = max(worst, *(abs(g[m] - t[m]) for m in ("selection_rate", "true_positive_rate",
                                                         "false_positive_rate")), abs(g["size"] - t["size"]))
    peer_s = statistics.median(theirs["seconds"])
    print(f"fairness on {args.rows:,} rows, {len(report['groups'])} race x sex groups (median of {args.repeat})")
    print(f"{'metric':<32} {'plangate':>12} {'Fairlearn':>12}")
    for m in fairness.METRICS:
        print(f"{m:<32} {report[m]:>12.9f} {theirs[m]:>12.9f}")
    print(f"Fairlearn MetricFrame + 4 metric functions: {peer_s:.3f} s")
    for label, xs in timings.items():
        mine = statistics.median(xs)
        print(f"plangate {label}: {mine:.4f} s  -> {peer_s / mine:.0f}x faster")
    print(f"largest difference of any value: {worst:.3g}")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
