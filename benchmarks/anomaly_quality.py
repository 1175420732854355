"""Anomaly-detection quality on real labelled series: plangate's detector next to baselines and PyOD.

    .venv/bin/python benchmarks/anomaly_quality.py [--no-peers]

The series are INFRASTRUCTURE METRICS, NOT BILLS: NAB's realAWSCloudwatch / realKnownCause
CloudWatch metrics (labelled anomaly windows) and the Microsoft Cloud Monitoring dataset
(expert point labels), from ../shared/data (see its SOURCES.md).  They are the closest real,
labelled, public data to daily cost per scope; no labelled public billing data exists.

Every detector runs with ONE configuration for every series (a daily cycle and one day of
history, converted to rows from each series' sampling interval; no per-series tuning):

* plangate     — `SeasonalRobustDetector` as `plangate anomalies --metric` runs it
                 (`metric_detector`: seasonal median profile — the daily cycle, or hour-of-week
                 when a series holds three weeks and its held-out weeks show one — rolling median
                 level and slope, a robust scale), alerting from robust z = 2.5 averaged over two
                 hours, or from z = 1.75 × 2.5 on a single sample that tops by 25 % every sample of
                 the two days before it (once a day of history exists);
* rolling-z    — z-score against the mean / std of the previous day, alerting from |z| = 4;
* seasonal-MAD — value against the median / MAD of the same time of day over the whole series,
                 alerting from robust |z| = 5;
* PyOD IForest / ECOD (run in .venv-peers) on sliding windows of 8 standardised values, alerting
  on their own labels at contamination 0.01.

Scores, per data set (every series' counts pooled, then the ratios taken):

* event-wise precision / recall / F1: flagged steps closer than 3 steps form one detection,
  placed at its first step; a labelled window is found when a detection falls in it; a
  detection is correct when it falls in a window.  NAB windows are NAB's own; Microsoft point
  labels become windows of their labelled run widened by 3 steps either side.
* a NAB-style score: NAB's published standard-profile scoring re-implemented here — sigmoid
  reward for the earliest detection in a window, FP weight 0.11, FN weight 1, the first 15 % of
  each series (at most 750 rows) probationary, normalised so that 0 is "detect nothing" and
  100 is perfect — on NAB's windows, and on the Microsoft windows built as above.

Two tables: each detector at its own fixed alert rule, then each at the single rule that is
best for it over the whole data set — a score threshold, or flagging the top share of each
series (the only rule for PyOD, whose scores have no common scale) — the same oracle for every
detector, so the comparison is of the score rankings, not of how well a default fits.

plangate's configuration (a daily cycle, one day of history, two hours of smoothing, the 95th
percentile scale, alert from 2.5) was chosen once from sweeps over these same two data sets,
so its fixed-rule figures are in-sample, as the oracle table is for every detector.  So was the
spike rule (`METRIC_SPIKE` 1.75, two days of memory, `SPIKE_RECORD_MARGIN` 1.25): without it the
two-hour mean averages a lone sample away (a spike of z 30 in 5-minute data scores 1.25) and
NAB-style lagged (NAB 37.0, Microsoft 43.0).  Its neighbours: spike 1.5 / 2.0 give NAB-style 58.2
/ 58.2 on NAB and 45.8 / 44.3 on Microsoft (window F1 0.432 / 0.462 and 0.580 / 0.574); one or
three days of memory instead of two, 56.0 / 56.3 on NAB and 44.8 / 44.6 on Microsoft; a record
margin of 1.0 / 1.5 instead of 1.25, 58.0 / 55.7 on NAB and 44.9 / 44.9 on Microsoft.  Every
neighbour but spike 2.0 (Microsoft, 44.3) and margin 1.5 (NAB, 55.7) still leads both figures
against the peers' 44.5 and 55.8: the lead holds around the chosen values but is not wide.
1.75 rather than 1.5 because on Gaussian noise with a daily cycle (30 draws of 4 weeks, no
labels) it adds 0.04 false alarms a week to 5-minute series against 0.16, and none to hourly
ones.  Checked out of sample on the 28 real NAB series NOT in ../shared (realTraffic,
realTweets, realAdExchange, the other five realKnownCause; NAB commit ea702d7), scored the same
way: see the README's anomaly benchmark section.  The weekly choice has no setting tuned on
labels (its one margin is set on synthetic series: `plangate.analytics.detector.LONG_CYCLE_GAIN`).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plangate.analytics.anomalies import METRIC_THRESHOLD, metric_detector, regular_grid, runs  # noqa: E402
from plangate.analytics.series import MetricSeries  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
MERGE_GAP = 3  # flagged steps closer than this are one detection
POINT_TOLERANCE = 3  # Microsoft point labels: a detection this many steps away still counts
THRESHOLDS = np.array([1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 15, 20.0])  # the oracle sweeps: a score
FRACTIONS = np.array([0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1])  # ... or the top share of each series
NAB_WEIGHTS = dict(tp=1.0, fp=0.11, fn=1.0)  # NAB's "standard" profile


@dataclass
class Labelled:
    dataset: str
    name: str
    times: np.ndarray
    values: np.ndarray
    windows: list[tuple[int, int]]  # inclusive row ranges of labelled anomalies
    step: float


# -- data --------------------------------------------------------------------------------------


def _series(name: str, times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    s = MetricSeries(name, times, values)
    t, v = regular_grid(s)
    return t, v, s.step_seconds


def load_nab() -> list[Labelled]:
    import pandas as pd

    windows = json.loads((DATA / "nab" / "labels" / "combined_windows.json").read_text())
    out = []
    for path in sorted((DATA / "nab").glob("real*/*.csv")):
        key = f"{path.parent.name}/{path.name}"
        frame = pd.read_csv(path)
        times = pd.to_datetime(frame["timestamp"]).to_numpy().astype("datetime64[s]")
        t, v, step = _series(key, times, frame["value"].to_numpy(float))
        rows = []
        for start, end in windows.get(key, []):
            a, b = (np.datetime64(pd.Timestamp(x).to_datetime64(), "s") for x in (start, end))
            rows.append((int(np.searchsorted(t, a)), int(np.searchsorted(t, b, side="right")) - 1))
        out.append(Labelled("NAB", key, t, v, rows, step))
    return out


def load_msft() -> list[Labelled]:
    import pandas as pd

    out = []
    for path in sorted((DATA / "msft_cloud_monitoring").glob("*/*.csv")):
        frame = pd.read_csv(path)
        times = pd.to_datetime(frame["TimeStamp"], utc=True).dt.tz_localize(None).to_numpy().astype("datetime64[s]")
        order = np.argsort(times, kind="stable")
        times, values = times[order], frame["Value"].to_numpy(float)[order]
        labels = frame["Label"].to_numpy(int)[order]
        t, v, step = _series(path.name, times, values)
        idx = np.clip(np.searchsorted(t, times[labels == 1]), 0, len(t) - 1)
        flags = np.zeros(len(t), bool)
        flags[idx] = True
        wins = [(max(0, a - POINT_TOLERANCE), min(len(t) - 1, b + POINT_TOLERANCE)) for a, b in runs(flags)]
        out.append(Labelled("Microsoft", f"{path.parent.name}/{path.name}", t, v, wins, step))
    return out


# -- detectors (each returns an anomaly score per row; higher = more anomalous) ---------------


def plangate_scores(s: Labelled) -> np.ndarray:
    det = metric_detector(s.step)
    X = s.values.reshape(-1, 1)
    return -det.fit(X).score_samples(X)


def rolling_z_scores(s: Labelled) -> np.ndarray:
    import pandas as pd

    per_day = max(int(round(86400 / s.step)), 2)
    past = pd.Series(s.values).shift(1).rolling(per_day, min_periods=2)
    mean, std = past.mean().to_numpy(), past.std().to_numpy()
    z = np.abs(s.values - mean) / np.where(std > 0, std, np.nan)
    return np.nan_to_num(z, nan=0.0, posinf=1e6)


def seasonal_mad_scores(s: Labelled) -> np.ndarray:
    per_day = max(int(round(86400 / s.step)), 1)
    phase = np.arange(len(s.values)) % per_day
    out = np.zeros(len(s.values))
    for j in np.unique(phase):
        at = phase == j
        med = np.median(s.values[at])
        mad = 1.4826 * np.median(np.abs(s.values[at] - med))
        out[at] = np.abs(s.values[at] - med) / (mad if mad > 0 else np.nan)
    return np.nan_to_num(out, nan=0.0, posinf=1e6)


PEER_SCRIPT = r"""
import json, sys, numpy as np
from pyod.models.iforest import IForest
from pyod.models.ecod import ECOD
series = np.load(sys.argv[1], allow_pickle=False)
out = {}
for key in series.files:
    v = series[key].astype(float)
    sd = np.std(v) or 1.0
    z = (v - np.median(v)) / sd
    w = 8
    pad = np.r_[np.full(w - 1, z[0]), z]
    X = np.lib.stride_tricks.sliding_window_view(pad, w)
    for name, model in (("pyod-iforest", IForest(random_state=0, contamination=0.01)),
                        ("pyod-ecod", ECOD(contamination=0.01))):
        model.fit(X)
        out[f"{name}|{key}|score"] = model.decision_scores_
        out[f"{name}|{key}|label"] = model.labels_.astype(float)
np.savez(sys.argv[2], **out)
"""


def peer_scores(series: list[Labelled]) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """PyOD's scores and labels per detector and series, computed in the peers' environment."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(src, **{f"s{i}": s.values for i, s in enumerate(series)})
        subprocess.run([str(PEERS_PYTHON), "-c", PEER_SCRIPT, str(src), str(dst)], check=True)
        got = np.load(dst)
        out: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        for i, s in enumerate(series):
            for name in ("pyod-iforest", "pyod-ecod"):
                out.setdefault(name, {})[s.name] = (got[f"{name}|s{i}|score"], got[f"{name}|s{i}|label"] > 0)
        return out


# -- scoring -------------------------------------------------------------------------------------


def detections(flags: np.ndarray) -> np.ndarray:
    """The first row of each detection (flagged rows closer than MERGE_GAP are one)."""
    return np.array([a for a, _ in runs(flags, MERGE_GAP - 1)], dtype=np.int64)


def event_counts(s: Labelled, onsets: np.ndarray) -> tuple[int, int, int]:
    """(true positives, false positives, missed windows) for one series."""
    inside = np.zeros(len(onsets), bool)
    found = 0
    for a, b in s.windows:
        hit = (onsets >= a) & (onsets <= b)
        inside |= hit
        found += bool(hit.any())
    return found, int((~inside).sum()), len(s.windows) - found


def _sigmoid_score(position: float) -> float:
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def nab_raw(s: Labelled, onsets: np.ndarray) -> float:
    """NAB's standard-profile score of one series' detections (before normalisation)."""
    probation = min(math.floor(0.15 * len(s.values)), 0.15 * 5000)
    max_tp = _sigmoid_score(-1.0)
    best = {i: -NAB_WEIGHTS["fn"] for i in range(len(s.windows))}
    fp = 0.0
    for t in onsets[onsets >= probation]:
        w = next((i for i, (a, b) in enumerate(s.windows) if a <= t <= b), None)
        if w is not None:
            a, b = s.windows[w]
            position = -(b - t + 1) / (b - a + 1)
            best[w] = max(best[w], _sigmoid_score(position) * NAB_WEIGHTS["tp"] / max_tp)
            continue
        before = [(a, b) for a, b in s.windows if b < t]
        if before:
            a, b = before[-1]
            position = abs(b - t) / max(b - a, 1)
        else:
            position = 3.0
        fp += _sigmoid_score(position) * NAB_WEIGHTS["fp"]
    return sum(best.values()) + fp


def summarise(series: list[Labelled], flags: dict[str, np.ndarray]) -> dict[str, float]:
    tp = fp = fn = 0
    raw = null = perfect = 0.0
    for s in series:
        onsets = detections(flags[s.name])
        a, b, c = event_counts(s, onsets)
        tp, fp, fn = tp + a, fp + b, fn + c
        raw += nab_raw(s, onsets)
        null -= NAB_WEIGHTS["fn"] * len(s.windows)
        perfect += NAB_WEIGHTS["tp"] * len(s.windows)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    nab = 100 * (raw - null) / (perfect - null) if perfect > null else float("nan")
    return dict(precision=precision, recall=recall, f1=f1, nab=nab, tp=tp, fp=fp, fn=fn)


def best_threshold(series: list[Labelled], scores: dict[str, np.ndarray], grid: np.ndarray,
                   quantile: bool = False) -> tuple[float, dict[str, float]]:
    """The single threshold (or top fraction, for ``quantile``) best for F1 over the data set."""
    best: tuple[float, dict[str, float]] = (float("nan"), {"f1": -1.0})
    for g in grid:
        if quantile:
            flags = {k: v >= np.quantile(v, 1 - g) for k, v in scores.items()}
        else:
            flags = {k: v >= g for k, v in scores.items()}
        got = summarise(series, flags)
        if got["f1"] > best[1]["f1"]:
            best = (float(g), got)
    return best


def table(title: str, rows: list[tuple[str, str, dict[str, float]]]) -> str:
    head = (f"{'detector':<14} {'rule':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>4} {'FP':>5} {'FN':>4}"
            f" {'NAB-style':>9}")
    lines = [title, head, "-" * len(head)]
    for name, rule, m in rows:
        lines.append(f"{name:<14} {rule:<22} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} "
                     f"{m['tp']:>4} {m['fp']:>5} {m['fn']:>4} {m['nab']:>9.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-peers", action="store_true", help="skip PyOD (the peers' environment)")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"the shared data is not at {DATA}", file=sys.stderr)
        return 2
    print("These are INFRASTRUCTURE METRICS (CloudWatch / service telemetry), NOT BILLS: the closest real")
    print("labelled public data to daily cost per scope. One configuration for every series, no per-series tuning.\n")
    fixed = {"plangate": METRIC_THRESHOLD, "rolling-z": 4.0, "seasonal-MAD": 5.0}
    own = {"plangate": plangate_scores, "rolling-z": rolling_z_scores, "seasonal-MAD": seasonal_mad_scores}
    for loader in (load_nab, load_msft):
        series = loader()
        dataset = series[0].dataset
        started = time.perf_counter()
        scores = {name: {s.name: fn(s) for s in series} for name, fn in own.items()}
        elapsed = {"ours": time.perf_counter() - started}
        peers = {} if args.no_peers or not PEERS_PYTHON.exists() else peer_scores(series)
        windows = sum(len(s.windows) for s in series)
        print(f"== {dataset}: {len(series)} series, {sum(len(s.values) for s in series):,} steps, "
              f"{windows} labelled anomalies ==")
        rows, tuned = [], []
        for name in own:
            flags = {k: v >= fixed[name] for k, v in scores[name].items()}
            rows.append((name, f"score >= {fixed[name]:g}", summarise(series, flags)))
            g, m = best_threshold(series, scores[name], THRESHOLDS)
            q, mq = best_threshold(series, scores[name], FRACTIONS, quantile=True)
            tuned.append((name, f"score >= {g:g}", m) if m["f1"] >= mq["f1"] else (name, f"top {q:g} per series", mq))
        for name, per in peers.items():
            rows.append((name, "contamination 0.01", summarise(series, {k: v[1] for k, v in per.items()})))
            g, m = best_threshold(series, {k: v[0] for k, v in per.items()}, FRACTIONS, quantile=True)
            tuned.append((name, f"top {g:g} per series", m))
        if not peers:
            print("(PyOD skipped: .venv-peers is missing or --no-peers)")
        print(table("-- each detector at its own fixed alert rule (counts pooled over the series) --", rows))
        print()
        print(table("-- each detector at its best single rule for the whole data set (oracle) --", tuned))
        ours = rows[0][2]
        for metric, label in (("f1", "window F1"), ("nab", "NAB-style score")):
            behind = [f"{n} {m[metric]:.3f}" if metric == "f1" else f"{n} {m[metric]:.1f}"
                      for n, _, m in rows[1:] if m[metric] >= ours[metric]]
            print(f"plangate's {label} at its fixed rule: "
                  + (f"at or below {', '.join(behind)}" if behind else "above every other detector's"))
        print(f"plangate scored {len(series)} series in {elapsed['ours']:.1f} s (all three of ours)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
