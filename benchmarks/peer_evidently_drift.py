"""Evidently's drift verdicts on two tables, as JSON on stdout: the peer for tests and benchmarks.

Runs in the peers' environment (Evidently 0.7 does not import with the project's pandas 3):

    .venv-peers/bin/python benchmarks/peer_evidently_drift.py REF CUR --columns a,b,c [--repeat N]

Column types come from Evidently's own inference (``infer_column_type`` on both windows
together) and the tests from its default selection; the result per column is Evidently's
``DataDriftTable``: test name, statistic, threshold, drift detected.  ``seconds`` holds the
time of each ``Report.run`` (data already in memory), for the benchmark's medians.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd
from evidently.core.datasets import infer_column_type
from evidently.legacy.calculations import stattests
from evidently.legacy.metrics import DataDriftTable
from evidently.legacy.pipeline.column_mapping import ColumnMapping
from evidently.legacy.report import Report

_NAMES = {t.display_name: t.name for t in (
    stattests.ks_stat_test, stattests.wasserstein_stat_test, stattests.jensenshannon_stat_test,
    stattests.chi_stat_test, stattests.z_stat_test, stattests.psi_stat_test)}


def _read(path: str, columns: list[str]) -> pd.DataFrame:
    if path.endswith((".parquet", ".pq")):
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns)[columns]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("--columns", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    columns = args.columns.split(",")
    ref, cur = _read(args.reference, columns), _read(args.current, columns)
    types = {c: infer_column_type(pd.concat([ref[c], cur[c]], ignore_index=True)).value for c in columns}
    mapping = ColumnMapping(target=None, prediction=None,
                            numerical_features=[c for c in columns if types[c] == "num"],
                            categorical_features=[c for c in columns if types[c] == "cat"])
    seconds = []
    for _ in range(args.repeat):
        report = Report(metrics=[DataDriftTable()])
        start = time.perf_counter()
        report.run(reference_data=ref, current_data=cur, column_mapping=mapping)
        result = report.as_dict()["metrics"][0]["result"]
        seconds.append(time.perf_counter() - start)
    features = [{"name": name, "type": col["column_type"],
                 "test": _NAMES.get(col["stattest_name"], col["stattest_name"]),
                 "statistic": float(col["drift_score"]), "threshold": float(col["stattest_threshold"]),
                 "drifted": bool(col["drift_detected"])}
                for name, col in result["drift_by_columns"].items()]
    print(json.dumps({"features": features, "dataset_drift": bool(result["dataset_drift"]),
                      "share_of_drifted_features": float(result["share_of_drifted_columns"]),
                      "seconds": seconds}))


if __name__ == "__main__":
    main()
