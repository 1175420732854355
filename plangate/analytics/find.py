"""What ``plangate anomalies`` asks: the anomalies of a lake or of metric series, and the alert
policy they were judged by.

`find_anomalies` owns the decisions the command used to make: a lake with billing rows in the
window is scored as daily cost per scope, a lake with metric series only as those series; the
alert policy is the user's minimums over the default of what was scored (`COST_ALERTS` or
`METRIC_ALERTS`).  The result carries the policy it applied, so what a report or the audit log
records is what judged the anomalies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from plangate.analytics.alerts import COST_ALERTS, METRIC_ALERTS, AlertPolicy
from plangate.analytics.anomalies import Anomaly, SeriesScores
from plangate.analytics.series import MetricSeries
from plangate.errors import PlangateError

if TYPE_CHECKING:
    from plangate.lake import Lake

DEFAULT_SCOPE = ("ServiceName",)


@dataclass(frozen=True)
class AnomalyResult:
    """Anomalies, the alert policy that judged them, and what was scored."""

    kind: Literal["cost", "metric"]
    anomalies: tuple[Anomaly, ...]
    policy: AlertPolicy
    scored: tuple[str, ...]  # cost: the scope keys (``by``); metric: the series' names
    series: tuple[SeriesScores, ...] = ()  # the scored series, when asked for (what a chart draws)
    notes: tuple[str, ...] = ()  # what the user should know about the scoping (e.g. a tag nobody carries)

    @property
    def alerting(self) -> tuple[Anomaly, ...]:
        return tuple(a for a in self.anomalies if a.alert)


def alert_policy(kind: Literal["cost", "metric"], min_impact: float | None = None,
                 min_impact_pct: float | None = None) -> AlertPolicy:
    """The user's minimums where given, else the default for ``kind``."""
    default = COST_ALERTS if kind == "cost" else METRIC_ALERTS
    return AlertPolicy(default.min_impact if min_impact is None else min_impact,
                       default.min_impact_pct if min_impact_pct is None else min_impact_pct)


def find_anomalies(source: Lake | Sequence[MetricSeries], *, by: Sequence[str] = DEFAULT_SCOPE,
                   cost: str = "BilledCost", start: dt.date | None = None, end: dt.date | None = None,
                   min_impact: float | None = None, min_impact_pct: float | None = None,
                   with_series: bool = False) -> AnomalyResult:
    """Anomalies of ``source``: metric series, or a lake (its daily ``cost`` per scope of ``by`` in
    [``start``, ``end``], or, when it holds no billing rows at all, its metric series).

    ``min_impact`` / ``min_impact_pct`` override the default alert policy of what is scored;
    ``with_series`` adds the scored series (for metrics, all; for cost, the costliest scopes)."""
    if isinstance(source, Sequence):
        return _metrics(list(source), alert_policy("metric", min_impact, min_impact_pct), with_series)
    from plangate.lake import date_range, metric_names, metric_series, missing_tags

    if date_range(source, start=start, end=end) is None:
        names = metric_names(source)
        if not names:  # a run that read nothing is not a pass
            window = " in the window" if start or end else ""
            raise PlangateError(f"{source.source}: no billing rows{window} and no metric series: ingest some "
                                "with `plangate ingest` first")
        series = []
        for name in names:
            frame = metric_series(source, name)
            series.append(MetricSeries(name, frame["timestamp"].to_numpy().astype("datetime64[s]"),
                                       frame["value"].to_numpy(float)))
        return _metrics(series, alert_policy("metric", min_impact, min_impact_pct), with_series)

    from plangate.analytics.costs import cost_anomalies, daily_scores

    by = tuple(by)
    policy = alert_policy("cost", min_impact, min_impact_pct)
    notes = tuple(f"tag {key!r}: no billing row in {source.source} carries it, so all spend is one scope '(none)'"
                  for key in missing_tags(source, by, start=start, end=end))
    anomalies = cost_anomalies(source, by, policy=policy, cost=cost, start=start, end=end)
    series = daily_scores(source, by, cost=cost, start=start, end=end) if with_series else []
    return AnomalyResult("cost", tuple(anomalies), policy, by, tuple(series), notes)


def _metrics(series: list[MetricSeries], policy: AlertPolicy, with_series: bool) -> AnomalyResult:
    from plangate.analytics.anomalies import metric_anomalies, score_metric

    anomalies, scores = [], []
    for s in series:
        scored = score_metric(s)
        scores.append(scored)
        anomalies.extend(metric_anomalies(scored, policy))
    return AnomalyResult("metric", tuple(anomalies), policy, tuple(s.name for s in series),
                         tuple(scores) if with_series else ())
