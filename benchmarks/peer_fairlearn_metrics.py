"""Fairlearn's group metrics on a table, as JSON on stdout: the peer for tests and benchmarks.

Runs in the peers' environment:

    .venv-peers/bin/python benchmarks/peer_fairlearn_metrics.py DATA --y-true C --y-pred C \
        --sensitive C [--sensitive C …] [--positive V] [--y-pred-threshold T] [--min-group-size N] [--repeat N]

Labels and decisions are made 0/1 here with pandas (``== positive``, ``>= threshold``); then
Fairlearn alone computes: a ``MetricFrame`` of selection rate, true and false positive rates
and count by group (intersectional over several sensitive columns), and its
``demographic_parity_difference`` / ``_ratio``, ``equalized_odds_difference`` and
``equal_opportunity_difference``.  ``--min-group-size`` keeps the rows of groups with at
least that many rows first (what plangate compares).  ``seconds`` times each repeat.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)


def _binary(col: pd.Series, positive: str | None, threshold: float | None) -> np.ndarray:
    if threshold is not None:
        return (col.astype(float) >= threshold).astype(int).to_numpy()
    if positive is not None:
        target = float(positive) if pd.api.types.is_numeric_dtype(col) else positive
        return (col == target).astype(int).to_numpy()
    return col.astype(int).to_numpy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--y-true", required=True)
    ap.add_argument("--y-pred", required=True)
    ap.add_argument("--sensitive", action="append", required=True)
    ap.add_argument("--positive")
    ap.add_argument("--y-pred-threshold", type=float)
    ap.add_argument("--min-group-size", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    columns = list(dict.fromkeys([args.y_true, args.y_pred, *args.sensitive]))
    if args.data.endswith((".parquet", ".pq")):
        df = pd.read_parquet(args.data, columns=columns)
    else:
        df = pd.read_csv(args.data, usecols=columns, keep_default_na=True, na_values=["?"])
    df = df.dropna()
    sizes = df.groupby(args.sensitive, sort=False)[args.y_true].transform("size")
    df = df[sizes >= args.min_group_size]
    y_true = _binary(df[args.y_true], args.positive, None)
    y_pred = _binary(df[args.y_pred], args.positive, args.y_pred_threshold)
    sf = df[args.sensitive] if len(args.sensitive) > 1 else df[args.sensitive[0]]
    seconds = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        frame = MetricFrame(metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
                                     "false_positive_rate": false_positive_rate, "size": count},
                            y_true=y_true, y_pred=y_pred, sensitive_features=sf)
        overall = {
            "demographic_parity_difference": demographic_parity_difference(y_true, y_pred, sensitive_features=sf),
            "demographic_parity_ratio": demographic_parity_ratio(y_true, y_pred, sensitive_features=sf),
            "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, sensitive_features=sf),
            "equal_opportunity_difference": equal_opportunity_difference(y_true, y_pred, sensitive_features=sf),
        }
        seconds.append(time.perf_counter() - start)
    groups = []
    for key, row in frame.by_group.iterrows():
        if pd.isna(row["size"]):  # a combination of values no row has
            continue
        key = key if isinstance(key, tuple) else (key,)
        groups.append({"group": {c: (v.item() if hasattr(v, "item") else v) for c, v in zip(args.sensitive, key)},
                       "size": int(row["size"]), **{m: float(row[m]) for m in
                                                    ("selection_rate", "true_positive_rate", "false_positive_rate")}})
    print(json.dumps({"groups": groups, **{k: float(v) for k, v in overall.items()}, "rows": len(df),
                      "seconds": seconds}))


if __name__ == "__main__":
    main()
