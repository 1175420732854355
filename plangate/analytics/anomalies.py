"""From detector scores to anomaly records: metric series and daily cost per scope.

An `Anomaly` is one run of anomalous steps of one series (a scope of the bill, or a metric):
start, end, the expected and actual totals over the run, the dollar and percent impact, the
peak robust z-score, the top contributing resources / usage types and the owner tag.

Detection and alerting are separate: every run the detector flags is an anomaly; an
`AlertPolicy` (minimum dollar and percent impact, `plangate.analytics.alerts`) decides which of
them alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plangate.analytics.alerts import AlertPolicy
from plangate.analytics.detector import SeasonalRobustDetector
from plangate.analytics.series import MetricSeries
from plangate.errors import PlangateError

DAY = 86400
METRIC_SMOOTH_SECONDS = 2 * 3600
METRIC_THRESHOLD = 2.5
#: A single sample alerts, unsmoothed, from METRIC_SPIKE × METRIC_THRESHOLD when it tops every sample
#: of the METRIC_SPIKE_MEMORY_SECONDS before it (`SeasonalRobustDetector`'s ``spike``).  Round values
#: chosen on the shared NAB and Microsoft series with the rest of this configuration (in-sample;
#: `benchmarks/anomaly_quality.py` says what neighbouring values and unseen series give).
METRIC_SPIKE = 1.75
METRIC_SPIKE_MEMORY_SECONDS = 2 * DAY

#: Daily cost: no daily cycle, day-of-week when the data hold three weeks and show it, four weeks of
#: history, MAD scale, detection from z = 5 up.
COST_DETECTOR = dict(period=1, long_period=7, window=28, threshold=5.0, direction="up", smooth=1,
                     scale_quantile=0.5)


@dataclass(frozen=True)
class Contributor:
    """One resource or usage type and how much more (or less) it cost than its usual day."""

    kind: str  # "resource" | "usage type"
    name: str
    actual: float
    expected: float

    @property
    def impact(self) -> float:
        return self.actual - self.expected


@dataclass(frozen=True)
class Anomaly:
    """One anomalous run of one series.  ``expected`` and ``actual`` are totals over the run."""

    scope: Mapping[str, str]  # e.g. {"ServiceName": "AWS Lambda"} or {"metric": "cpu.csv"}
    start: dt.datetime
    end: dt.datetime  # the last anomalous step (inclusive)
    score: float  # the largest robust z-score in the run
    expected: float
    actual: float
    unit: str = "USD"
    owner: str = ""
    contributors: tuple[Contributor, ...] = ()
    alert: bool = True  # whether the impact passes the alert policy
    series: str = ""  # the series' name (a file, or the scope as text)

    @property
    def impact(self) -> float:
        return self.actual - self.expected

    @property
    def impact_pct(self) -> float | None:
        """Impact as a percentage of the expected value (None when nothing was expected)."""
        if abs(self.expected) < 1e-12:
            return None
        return 100.0 * self.impact / abs(self.expected)

    def as_dict(self) -> dict[str, Any]:
        pct = self.impact_pct
        return {
            "series": self.series,
            "scope": dict(self.scope),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "score": round(self.score, 3),
            "expected": round(self.expected, 6),
            "actual": round(self.actual, 6),
            "impact": round(self.impact, 6),
            "impact_pct": None if pct is None else round(pct, 2),
            "unit": self.unit,
            "owner": self.owner,
            "alert": self.alert,
            "contributors": [{"kind": c.kind, "name": c.name, "actual": round(c.actual, 6),
                              "expected": round(c.expected, 6), "impact": round(c.impact, 6)}
                             for c in self.contributors],
        }


@dataclass(frozen=True)
class SeriesScores:
    """A series with its expected values and robust z-scores (what reports draw)."""

    name: str
    times: np.ndarray
    actual: np.ndarray
    expected: np.ndarray
    z: np.ndarray  # the detector's anomaly score of every step
    flags: np.ndarray
    band: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the half-width of the normal band


def runs(flags: np.ndarray, max_gap: int = 0) -> list[tuple[int, int]]:
    """(first, last) indexes of the runs of True in ``flags``; runs closer than ``max_gap``
    unflagged steps are one run.

    >>> runs(np.array([0, 1, 1, 0, 0, 1, 0, 1], bool), max_gap=1)
    [(1, 2), (5, 7)]
    """
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > max_gap + 1)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]]
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def metric_detector(step_seconds: float, min_scale: float = 0.0) -> SeasonalRobustDetector:
    """The one configuration used for every metric series: a daily cycle (hour-of-week instead when
    three weeks or more show a weekly one), a day of history, z-scores averaged over two hours,
    the scale from the 95th percentile of the residuals, and a single sample above everything of
    the last two days alerting at once (from z = METRIC_SPIKE × METRIC_THRESHOLD) rather than
    being averaged away.

    Steps are converted to rows from the series' sampling interval, so 1-minute, 5-minute and
    hourly series get the same model in time, not per-series tuning."""
    step = step_seconds if step_seconds > 0 else DAY
    per_day = max(int(round(DAY / step)), 2)
    smooth = max(int(round(METRIC_SMOOTH_SECONDS / step)), 1)
    memory = max(int(round(METRIC_SPIKE_MEMORY_SECONDS / step)), 1)
    return SeasonalRobustDetector(period=per_day, long_period=7 * per_day, window=max(per_day, 8),
                                  threshold=METRIC_THRESHOLD, direction="both", smooth=smooth, scale_quantile=0.95,
                                  min_scale=min_scale, spike=METRIC_SPIKE, spike_memory=memory)


def score_metric(series: MetricSeries, detector: SeasonalRobustDetector | None = None) -> SeriesScores:
    """Scores of every step of ``series`` (resampled onto its regular grid: gaps carry the last value)."""
    if len(series) >= 2 and series.step_seconds <= 0:
        repeats = int(np.count_nonzero(np.diff(series.times) == np.timedelta64(0, "s")))
        raise PlangateError(f"{series.name}: {repeats} of {len(series)} rows repeat an earlier timestamp: not a "
                            "time series (aggregate it to one value per timestamp first)")
    times, values = regular_grid(series)
    # A flat stretch has a scale of 0, and any change on it would score in the trillions: the scale
    # is at least a millionth of the series' typical size (changes below that are rounding, not anomalies).
    floor = 1e-6 * float(np.median(np.abs(values))) if len(values) else 0.0
    det = detector or metric_detector(series.step_seconds, min_scale=floor)
    return scored(det, series.name, times, values)


def scored(det: SeasonalRobustDetector, name: str, times: np.ndarray, values: np.ndarray) -> SeriesScores:
    """``det`` fitted once on one series' ``values`` (one per step of ``times``), and what it says of
    every step: expected value, anomaly score, flag, and the half-width of the normal band."""
    X = np.asarray(values, float).reshape(-1, 1)
    det.fit(X)
    expected = det.expected(X)[:, 0]
    score = det.anomaly_scores(X)[:, 0]
    band = np.full(len(X), det.threshold * max(float(det.scale_[0]), det.min_scale))
    return SeriesScores(name, times, X[:, 0], expected, score, score >= det.threshold, band)


def regular_grid(series: MetricSeries) -> tuple[np.ndarray, np.ndarray]:
    """The series on its regular sampling grid: missing steps take the previous value."""
    step = series.step_seconds
    if len(series) < 2 or step <= 0:
        return series.times, series.values
    seconds = (series.times - series.times[0]).astype("timedelta64[s]").astype(np.int64)
    slots = np.rint(seconds / step).astype(np.int64)
    if slots[-1] + 1 > 20 * len(series):  # irregular sampling: keep the samples as they are
        return series.times, series.values
    grid = np.full(slots[-1] + 1, np.nan)
    grid[slots] = series.values  # two samples in one slot: the later wins
    filled = np.flatnonzero(~np.isnan(grid))
    grid = grid[filled[np.searchsorted(filled, np.arange(len(grid)), side="right") - 1]]
    times = series.times[0] + (np.arange(len(grid)) * step).astype("timedelta64[s]")
    return times, grid


def metric_anomalies(scores: SeriesScores, policy: AlertPolicy = AlertPolicy(), max_gap: int = 2,
                     unit: str = "") -> list[Anomaly]:
    """The runs of anomalous steps of a scored metric series."""
    out = []
    for first, last in runs(scores.flags, max_gap):
        span = slice(first, last + 1)
        a = Anomaly(scope={"metric": scores.name}, start=_when(scores.times[first]), end=_when(scores.times[last]),
                    score=float(np.max(np.abs(scores.z[span]))), expected=float(scores.expected[span].sum()),
                    actual=float(scores.actual[span].sum()), unit=unit, series=scores.name)
        out.append(_gated(a, policy))
    return out


def _gated(a: Anomaly, policy: AlertPolicy) -> Anomaly:
    from dataclasses import replace

    return replace(a, alert=policy.passes(a))


def _when(value: np.datetime64) -> dt.datetime:
    return value.astype("datetime64[s]").astype(dt.datetime)


def scope_label(scope: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in scope.items()) or "(all)"


__all__ = ["COST_DETECTOR", "AlertPolicy", "Anomaly", "Contributor", "SeriesScores",
           "metric_anomalies", "metric_detector", "regular_grid", "runs", "score_metric", "scope_label", "scored"]
