"""Cost anomalies on the billing lake: daily cost per scope, scored scope by scope.

The per-scope work is one function, `scope_anomalies` (a scope's dense daily series in, its
anomalous runs out), handed to `plangate.lake.score_by_scope`, so the same code runs here on
DuckDB and on Spark executors (``applyInPandas``).  `cost_anomalies` then adds what needs the
lake again — the top contributing resources and usage types, and the owner tag — for the runs
it reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from plangate.analytics.anomalies import COST_DETECTOR, AlertPolicy, Anomaly, Contributor, SeriesScores, runs, scored
from plangate.analytics.detector import SeasonalRobustDetector

if TYPE_CHECKING:
    import pandas as pd

    from plangate.lake import Lake

#: The columns `scope_anomalies` yields, as `score_by_scope` wants them declared.
SCHEMA = {"start": "timestamp", "end": "timestamp", "score": "double", "expected": "double", "actual": "double"}
#: The smallest daily scale in dollars: a scope billed the same amount every day still has a noise floor.
MIN_SCALE = 0.01
MAX_GAP_DAYS = 0  # a normal day ends an anomaly
MAX_EXPLAINED = 100  # anomalies that get contributors and an owner (the alerting ones, largest first)
#: What a contributor is, and the lake columns that name it (the first one the charges fill in).
CONTRIBUTOR_KEYS = (("resource", ("ResourceId", "ResourceName")),
                    ("usage type", ("SkuMeter", "x_UsageType", "ChargeDescription")))


def cost_detector(min_scale: float = MIN_SCALE) -> SeasonalRobustDetector:
    return SeasonalRobustDetector(**COST_DETECTOR, min_scale=min_scale)


def score_daily(name: str, dates: np.ndarray, cost: np.ndarray, min_scale: float = MIN_SCALE) -> SeriesScores:
    """One scope's dense daily cost, scored (the detector fitted once)."""
    return scored(cost_detector(min_scale), name, dates, cost)


def scope_anomalies(series: pd.DataFrame, min_scale: float = MIN_SCALE) -> pd.DataFrame:
    """One scope's anomalous runs: [start, end, score, expected, actual] (totals over the run).

    ``series`` is [date, cost] with every day of the window in order (what `score_by_scope`
    passes).  Module level and pure, so Spark can ship it to its executors."""
    import pandas as pd

    cost = series["cost"].to_numpy(float)
    dates = pd.to_datetime(series["date"]).to_numpy()
    s = score_daily("", dates, cost, min_scale)
    rows = []
    for first, last in runs(s.flags, MAX_GAP_DAYS):
        span = slice(first, last + 1)
        rows.append({"start": dates[first], "end": dates[last], "score": float(s.z[span].max()),
                     "expected": float(s.expected[span].sum()), "actual": float(cost[span].sum())})
    return pd.DataFrame(rows, columns=list(SCHEMA))


def cost_anomalies(lake: Lake, by: Sequence[str], *, policy: AlertPolicy = AlertPolicy(), cost: str = "BilledCost",
                   start: dt.date | None = None, end: dt.date | None = None, min_scale: float = MIN_SCALE,
                   contributors: int = 3) -> list[Anomaly]:
    """Every anomalous run of daily cost per scope of ``by`` (lake columns or ``tag:<key>``), largest
    impact first; ``policy`` sets which alert, and the alerting ones carry their top contributors
    and owner."""
    from plangate.lake import owner_tag, score_by_scope

    by = list(by)
    found = score_by_scope(lake, by, partial(scope_anomalies, min_scale=min_scale), SCHEMA, cost=cost,
                           start=start, end=end)
    out = []
    # to_dict keeps column names as they are; itertuples renames ones like `tag:team`.
    for values in found.to_dict("records"):
        scope = {k: str(values[k]) for k in by}
        first, last = _day(values["start"]), _day(values["end"])
        a = Anomaly(scope=scope, start=_midnight(first), end=_midnight(last), score=float(values["score"]),
                    expected=float(values["expected"]), actual=float(values["actual"]), unit="USD",
                    series=_label(scope))
        out.append(replace(a, alert=policy.passes(a)))
    out.sort(key=lambda a: (-a.impact, a.series, a.start))
    if contributors:
        # Who and what is behind an anomaly costs a few queries each: asked for the alerting ones
        # (the largest MAX_EXPLAINED of them), not for every small change the detector sees.
        explained = [i for i, a in enumerate(out) if a.alert][:MAX_EXPLAINED]
        for i in explained:
            a = out[i]
            first, last = a.start.date(), a.end.date()
            owner = owner_tag(lake, a.scope, first, last) or ""
            out[i] = replace(a, owner=owner, contributors=_contributors(lake, a.scope, first, last, cost,
                                                                        contributors))
    return out


def _contributors(lake: Lake, scope: Mapping[str, str], first: dt.date, last: dt.date, cost: str,
                  n: int) -> tuple[Contributor, ...]:
    """The resources and usage types whose spend grew most in the run, against the days before it
    (the detector's window), scaled to the run's length."""
    from plangate.lake import MISSING, top_contributors

    days = (last - first).days + 1
    before = first - dt.timedelta(days=int(COST_DETECTOR["window"]))
    base_days = max((first - before).days, 1)
    columns = set(lake.costs().columns)
    out: list[Contributor] = []
    for kind, keys in CONTRIBUTOR_KEYS:
        for key in (k for k in keys if k in columns):
            now = top_contributors(lake, scope, first, last, by=key, n=50, cost=cost)
            now = now[now[key] != MISSING]
            if now.empty:
                continue  # the charges do not fill this column in: try the next one
            then = top_contributors(lake, scope, before, first - dt.timedelta(days=1), by=key, n=1000, cost=cost)
            usual = dict(zip(then[key], then["cost"] / base_days * days, strict=True))
            ranked = sorted(((str(name), float(value), float(usual.get(name, 0.0)))
                             for name, value in zip(now[key], now["cost"], strict=True)),
                            key=lambda t: (-(t[1] - t[2]), t[0]))
            out.extend(Contributor(kind, name, actual, expected) for name, actual, expected in ranked[:n]
                       if actual - expected > 0)
            break
    return tuple(out)


def daily_scores(lake: Lake, by: Sequence[str], *, cost: str = "BilledCost", start: dt.date | None = None,
                 end: dt.date | None = None, min_scale: float = MIN_SCALE, limit: int = 6) -> list[SeriesScores]:
    """The scored daily series of the ``limit`` costliest scopes (what the HTML report draws)."""
    from plangate.lake import daily_costs

    daily = daily_costs(lake, by, cost=cost, start=start, end=end)
    if daily.empty:
        return []
    groups = [((), daily)] if not by else list(daily.groupby(list(by), sort=True))
    groups.sort(key=lambda g: -float(g[1]["cost"].sum()))
    out = []
    for key, frame in groups[:limit]:
        key = key if isinstance(key, tuple) else (key,)
        out.append(score_daily(_label(dict(zip(by, map(str, key), strict=True))),
                               frame["date"].to_numpy().astype("datetime64[s]"), frame["cost"].to_numpy(float),
                               min_scale))
    return out


def _label(scope: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in scope.items()) or "all spend"


def _day(value: Any) -> dt.date:
    import pandas as pd

    return pd.Timestamp(value).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)
