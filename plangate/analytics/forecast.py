"""Month-end spend per budget scope: a point forecast, an 80 % interval and the expected breach date.

The model, fitted on the last `FIT_DAYS` days up to the as-of day with weights that halve every
`HALF_LIFE` days back (recent days count more), is a weekday profile plus a linear trend,
fitted robustly: scikit-learn's `HuberRegressor` finds the outlying days (a spike does not bend
the fit), then weighted least squares on the other days gives the coefficients and their
covariance.  The trend is kept only when it is significant (more than two standard errors,
allowing for day-to-day correlation), so a noisy month is not extrapolated as a ramp; there is
no weekday profile under two weeks of history and no trend under a week.  The remaining days of
the month are the model's predictions (never below zero).

The 80 % interval: the sum of h future days has variance σ²·h·(1+ρ)/(1-ρ) + aₕᵀ·C·aₕ — the
residuals' own noise (σ, with their lag-1 correlation ρ) plus the coefficients' uncertainty
(C, aₕ the sum of the days' feature rows).

The breach date is the first day whose expected cumulative spend passes the budget (or, when the
month to date has passed it already, the day it did).

Budgets are the ones ``plangate.yaml`` declares for the monthly-budget rule (PG-BUD-001):
``stack`` for all spend, ``tags: {Project: {fraud: 500}, Team: {"*": 2000}}`` per tag value.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from plangate.analytics.records import Forecast
from plangate.errors import PlangateError

if TYPE_CHECKING:
    from plangate.lake import Lake

FIT_DAYS = 56
TREND_MIN_DAYS = 7  # no trend is fitted on less history
HALF_LIFE = 14.0  # days: how fast old days lose weight in the fit
Z80 = NormalDist().inv_cdf(0.9)  # an 80 % interval leaves 10 % on each side


@dataclass(frozen=True)
class Budgets:
    """Monthly ceilings: for all spend (``stack``) and per tag key, per tag value (``'*'``: any other)."""

    stack: float = 0.0
    tags: Mapping[str, Mapping[str, float]] | None = None

    @classmethod
    def from_policy(cls, path: str | None) -> Budgets:
        from plangate import policy
        from plangate.rules import RULES

        pol = policy.load(path, RULES)
        rule = next(r for r in RULES if r.slug == "monthly-budget")
        cfg = pol.config(rule).settings
        return cls(float(cfg.stack), {k: dict(v) for k, v in cfg.tags.items()})

    def ceiling(self, key: str, value: str) -> float | None:
        ceilings = (self.tags or {}).get(key, {})
        return ceilings.get(value, ceilings.get("*"))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_days(first: dt.date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def _design(t: np.ndarray, weekday: np.ndarray, trend: bool, weekly: bool) -> np.ndarray:
    columns = [t[:, None]] if trend else []
    if weekly:
        columns.append((weekday[:, None] == np.arange(1, 7)[None, :]).astype(float))  # Monday is the base
    return np.hstack(columns) if columns else np.zeros((len(t), 0))


def forecast_month(days: Sequence[dt.date], cost: Sequence[float], *, scope: str = "stack",
                   budget: float | None = None, month: dt.date | None = None,
                   as_of: dt.date | None = None) -> Forecast:
    """Forecast month-end spend from a daily cost series (``days`` consecutive or not; missing days are 0).

    ``month`` (its first day) defaults to the month of ``as_of``, which defaults to the last day given.
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
    start = max(day_index[0], np.datetime64(last, "D") - FIT_DAYS + 1)
    grid = np.arange(start, np.datetime64(last, "D") + 1)
    dense = np.zeros(len(grid))
    keep = (day_index >= start) & (day_index <= grid[-1])
    np.add.at(dense, (day_index[keep] - start).astype(int), values[keep])
    in_month = (day_index >= np.datetime64(first, "D")) & (day_index <= np.datetime64(last, "D"))
    spent = float(values[in_month].sum())
    predict = _fit(grid, dense)
    end = first + dt.timedelta(days=month_days(first) - 1)
    future = np.arange(np.datetime64(last, "D") + 1, np.datetime64(end, "D") + 1)
    daily, sd = predict(future)
    daily = np.maximum(daily, 0.0)
    cumulative = spent + np.cumsum(daily)
    low = np.maximum(cumulative - Z80 * sd, spent)
    high = cumulative + Z80 * sd
    expected = float(cumulative[-1]) if len(future) else spent
    lo_end = float(low[-1]) if len(future) else spent
    hi_end = float(high[-1]) if len(future) else spent
    history = _history(day_index[in_month], values[in_month], first, last)
    breach, probability = None, None
    if budget is not None and budget > 0:
        breach = _breach(history, tuple(zip(future.astype(dt.date).tolist(), cumulative.tolist(), strict=True)),
                         budget)
        final_sd = float(sd[-1]) if len(future) else 0.0
        if final_sd > 0:
            probability = 1 - NormalDist(expected, final_sd).cdf(budget)
        else:
            probability = float(expected > budget)
    path = tuple((d, float(a), float(b), float(c)) for d, a, b, c in
                 zip(future.astype(dt.date).tolist(), low, cumulative, high, strict=True))
    return Forecast(scope, first, last, spent, expected, lo_end, hi_end, budget if budget else None,
                    breach, probability, history, path)


def _fit(grid: np.ndarray, dense: np.ndarray, trend: bool = True):
    """(daily predictions, standard deviations of their running sums) for future days, from the
    robust trend + weekday model fitted on ``dense`` over ``grid``.  A trend is kept only when it
    is significant (|slope| > 2 standard errors): a noisy month is not extrapolated as a ramp."""
    n = len(grid)
    t0 = grid[0]
    trend, weekly = trend and n >= TREND_MIN_DAYS, n >= 14

    def features(days: np.ndarray) -> np.ndarray:
        t = (days - t0).astype(float) / n  # in fitted-window lengths: a well-conditioned fit
        weekday = (days.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        return _design(t, weekday, trend, weekly)

    if n < 3 or np.ptp(dense) == 0 or features(grid[:1]).shape[1] == 0:
        level = float(np.mean(dense))
        sigma = float(np.std(dense)) if n > 1 else 0.0

        def flat(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            h = np.arange(1, len(days) + 1)
            return np.full(len(days), level), sigma * np.sqrt(h * (1 + h / max(n, 1)))
        return flat
    from sklearn.linear_model import HuberRegressor

    X = features(grid)
    # recent days count more: weights halve every HALF_LIFE days back from the as-of day
    weight = 0.5 ** ((n - 1 - np.arange(n)) / HALF_LIFE) if HALF_LIFE else np.ones(n)
    unit = float(np.median(np.abs(dense))) or float(np.mean(np.abs(dense))) or 1.0
    huber = HuberRegressor(epsilon=1.35, alpha=1e-6, max_iter=500).fit(X, dense / unit,
                                                                                 sample_weight=weight)
    # Huber finds the outlying days; least squares on the others is as efficient as it gets on clean days
    # (an outlier: more than 3.5 MADs, in standard deviations, off Huber's fit)
    off = dense - huber.predict(X) * unit
    mad = 1.4826 * float(np.median(np.abs(off - np.median(off))))
    inliers = np.abs(off) <= 3.5 * mad if mad > 0 else np.ones(n, bool)
    if inliers.sum() <= X.shape[1] + 1:
        inliers = np.ones(n, bool)
    design = np.hstack([np.ones((n, 1)), X])[inliers]
    w = weight[inliers]
    root = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design * root, dense[inliers] * root[:, 0], rcond=None)[0]
    residual = dense[inliers] - design @ coef
    dof = max(float(w.sum() ** 2 / (w**2).sum()) - design.shape[1], 1.0)  # Kish's effective sample size
    sigma = float(np.sqrt((w * residual**2).sum() / w.sum() * (dof + design.shape[1]) / dof))
    # residuals that follow each other add up faster than independent ones: AR(1) inflation of the sums
    rho = float(np.clip(np.corrcoef(residual[:-1], residual[1:])[0, 1], 0.0, 0.9)) if len(residual) > 3 else 0.0
    inflation = (1 + rho) / (1 - rho)
    bread = np.linalg.pinv(design.T @ (design * w[:, None]))
    covariance = sigma**2 * bread @ (design.T @ (design * (w**2)[:, None])) @ bread  # weighted LS sandwich
    if trend and abs(coef[1]) <= 2 * np.sqrt(max(covariance[1, 1], 0.0) * inflation):
        return _fit(grid, dense, trend=False)

    def predict(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(days) == 0:
            return np.zeros(0), np.zeros(0)
        F = features(days)
        running = np.cumsum(np.hstack([np.ones((len(days), 1)), F]), axis=0)
        h = np.arange(1, len(days) + 1)
        # the running sum's variance: its days' own noise plus the model's coefficient uncertainty
        variance = sigma**2 * h * inflation + np.einsum("ij,jk,ik->i", running, covariance, running)
        return np.hstack([np.ones((len(days), 1)), F]) @ coef, np.sqrt(variance)
    return predict


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
