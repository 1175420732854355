"""Month-end spend per budget scope: a point forecast, a calibrated 80 % interval, the breach date
and the probability of a breach.

The model and its calibration live in `plangate.analytics.forecast_model`: a robust level + weekday
profile (a trend only on four weeks of history or more), month-end totals as sums of simulated
daily paths, and an 80 % interval calibrated by normalised split-conformal on rolling backtests of
the same series before the as-of day (past misses over windows as long as the days left, in units of
the spread each past fit stated).

The interval is calibrated on the past windows as long as the days left in the month that have
fully happened by the as-of day; with fewer than four of them there is no finite 80 % quantile, and
the forecast says so: no upper bound, no breach probability (`Forecast.unbounded_reason`).

The breach date is the first day whose expected cumulative spend passes the budget (or, when the
month to date has passed it already, the day it did); the breach probability is the share of the
calibrated month-end outcomes over the budget (1 once the month to date is over it).

Budgets are the ones ``plangate.yaml`` declares for the monthly-budget rule (PG-BUD-001):
``stack`` for all spend, ``tags: {Project: {fraud: 500}, Team: {"*": 2000}}`` per tag value, and
``breach_probability``, the probability at which ``--fail-on-breach`` closes the gate.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from plangate.analytics.forecast_model import CALIBRATION_ORIGINS, FIT_DAYS, MIN_WINDOWS, SEED, calibrate
from plangate.analytics.records import Forecast
from plangate.errors import PlangateError

if TYPE_CHECKING:
    from plangate.lake import Lake

# the days a forecast reads: the model's fit window before the earliest past origin its interval is
# calibrated on, those origins, and the window after the last of them (as long as today's horizon: at
# most the 30 days after a month's first)
LOOKBACK_DAYS = FIT_DAYS + CALIBRATION_ORIGINS + 30


@dataclass(frozen=True)
class Budgets:
    """Monthly ceilings: for all spend (``stack``) and per tag key, per tag value (``'*'``: any other)."""

    stack: float = 0.0
    tags: Mapping[str, Mapping[str, float]] | None = None
    breach_probability: float = 0.5  # --fail-on-breach fails from this probability of a breach up

    @classmethod
    def from_policy(cls, path: str | None) -> Budgets:
        from plangate import policy
        from plangate.errors import ConfigError
        from plangate.rules import RULES

        pol = policy.load(path, RULES)
        rule = next(r for r in RULES if r.slug == "monthly-budget")
        cfg = pol.config(rule).settings
        if not 0 <= cfg.breach_probability <= 1:  # the settings parser has refused NaN and negatives already
            raise ConfigError(f"{pol.source}: rules.monthly-budget.breach_probability: expected a number "
                              f"between 0 and 1, got {cfg.breach_probability:g}")
        return cls(float(cfg.stack), {k: dict(v) for k, v in cfg.tags.items()}, float(cfg.breach_probability))

    def ceiling(self, key: str, value: str) -> float | None:
        ceilings = (self.tags or {}).get(key, {})
        return ceilings.get(value, ceilings.get("*"))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_days(first: dt.date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def forecast_month(days: Sequence[dt.date], cost: Sequence[float], *, scope: str = "stack",
                   budget: float | None = None, month: dt.date | None = None,
                   as_of: dt.date | None = None, seed: int = SEED) -> Forecast:
    """Forecast month-end spend from a daily cost series (``days`` consecutive or not; missing days are 0).

    ``month`` (its first day) defaults to the month of ``as_of``, which defaults to the last day given;
    ``seed`` fixes the simulated paths (the same input gives the same forecast).
    """
    if len(days) == 0:
        raise PlangateError(f"forecast {scope}: no daily cost to forecast from")
    day_index = np.array([np.datetime64(d, "D") for d in days])
    values = np.asarray(cost, float)
    order = np.argsort(day_index)
    day_index, values = day_index[order], values[order]
    observed = day_index[-1].astype(dt.date)
    last = as_of or observed
    if last > observed:  # the days after the data are unknown, not free: a forecast from them would be $0
        raise PlangateError(f"forecast {scope}: --as-of {last} is after the last day with data ({observed})")
    first = month or month_start(last)
    if first > last:
        raise PlangateError(f"forecast {scope}: the month {first:%Y-%m} starts after the as-of day {last}: "
                            "nothing of it is observed yet (forecast it once its first day has data)")
    if not first <= last < first + dt.timedelta(days=month_days(first)):
        last = min(last, first + dt.timedelta(days=month_days(first) - 1))
    # a dense daily grid up to the as-of day: a day without charges cost nothing
    start = max(day_index[0], np.datetime64(last, "D") - LOOKBACK_DAYS + 1)
    grid = np.arange(start, np.datetime64(last, "D") + 1)
    dense = np.zeros(len(grid))
    keep = (day_index >= start) & (day_index <= grid[-1])
    np.add.at(dense, (day_index[keep] - start).astype(int), values[keep])
    in_month = (day_index >= np.datetime64(first, "D")) & (day_index <= np.datetime64(last, "D"))
    spent = float(values[in_month].sum())
    end = first + dt.timedelta(days=month_days(first) - 1)
    future = np.arange(np.datetime64(last, "D") + 1, np.datetime64(end, "D") + 1)
    rest = calibrate(grid, dense, future, seed)
    cumulative, low, high = spent + rest.expected, spent + rest.low, spent + rest.high
    expected = float(cumulative[-1]) if len(future) else spent
    lo_end = float(low[-1]) if len(future) else spent
    hi_end = float(high[-1]) if len(future) else spent
    history = _history(day_index[in_month], values[in_month], first, last)
    breach, probability = None, None
    if budget is not None and budget > 0:
        breach = _breach(history, tuple(zip(future.astype(dt.date).tolist(), cumulative.tolist(), strict=True)),
                         budget)
        # the share of the calibrated month-end outcomes over the budget (spend already over it: certain);
        # with no upper bound, history bounds no probability: none is stated
        probability = (1.0 if spent > budget else float(np.mean(spent + rest.outcomes > budget)) if rest.bounded
                       else None)
    path = tuple((d, float(a), float(b), float(c)) for d, a, b, c in
                 zip(future.astype(dt.date).tolist(), low, cumulative, high, strict=True))
    return Forecast(scope, first, last, spent, expected, lo_end, hi_end, budget if budget else None,
                    breach, probability, history, path, rest.windows, MIN_WINDOWS)


def _history(days: np.ndarray, values: np.ndarray, first: dt.date, last: dt.date) -> tuple[tuple[dt.date, float], ...]:
    n = (last - first).days + 1
    per_day = np.zeros(n)
    np.add.at(per_day, (days - np.datetime64(first, "D")).astype(int), values)
    cumulative = np.cumsum(per_day)
    return tuple((first + dt.timedelta(days=i), float(c)) for i, c in enumerate(cumulative))


def _breach(history: Sequence[tuple[dt.date, float]], path: Sequence[tuple[dt.date, float]],
            budget: float) -> dt.date | None:
    for day, total in (*history, *path):
        if total > budget:
            return day
    return None


def forecast_lake(lake: Lake, budgets: Budgets, *, cost: str = "BilledCost", month: dt.date | None = None,
                  as_of: dt.date | None = None, unbudgeted: bool = False) -> list[Forecast]:
    """Forecasts for every budget scope ``budgets`` declares (all spend too when ``unbudgeted`` or
    when nothing is declared)."""
    from plangate.lake import MISSING, daily_costs

    end = as_of
    out: list[Forecast] = []
    if budgets.stack or unbudgeted or not budgets.tags:
        frame = daily_costs(lake, [], cost=cost, end=end)
        if not frame.empty:
            out.append(forecast_month(frame["date"].dt.date.tolist(), frame["cost"].tolist(), scope="stack",
                                      budget=budgets.stack or None, month=month, as_of=as_of))
    for key in budgets.tags or {}:
        frame = daily_costs(lake, [f"tag:{key}"], cost=cost, end=end)
        for value, group in frame.groupby(f"tag:{key}", sort=True):
            ceiling = budgets.ceiling(key, str(value))
            if value == MISSING or (ceiling is None and not unbudgeted):
                continue
            out.append(forecast_month(group["date"].dt.date.tolist(), group["cost"].tolist(),
                                      scope=f"{key}={value}", budget=ceiling, month=month, as_of=as_of))
    return out
