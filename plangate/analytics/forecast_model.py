"""The daily model behind ``plangate forecast``: a robust level + weekday profile (+ a trend only on
enough history), simulated daily paths, and intervals calibrated on the series' own past.

* **Fit** (`fit_daily`): on the last `FIT_DAYS` days, weights halving every `HALF_LIFE` days back.
  A Huber regression (iteratively reweighted least squares) finds the outlying days (a spike does
  not bend the fit), then
  weighted least squares on the other days gives the coefficients and their covariance.  A weekday
  profile needs two weeks of history; a trend needs `TREND_MIN_DAYS` (four weeks) *and* must be
  significant — one first-week burst is not a trend.
* **Paths** (`simulate`): month-end totals are sums of daily paths, not sums of daily intervals.
  Each path adds to the model's days a moving-block bootstrap of the fit's residuals (blocks of a
  week keep the days' dependence: a bad Tuesday comes with the Wednesday that followed it) and one
  draw of the coefficients (a level that is off is off every day); days never go below zero.
* **Calibration** (`calibrate`): normalised (locally adaptive) split-conformal on rolling-origin
  backtests of the same series (Lei et al. 2018).  Today's horizon is h days (those left in the
  month); every past origin whose window of the next h days has fully happened by the as-of day,
  with the history today's model form needs before it (the latest `CALIBRATION_ORIGINS` of them), is
  scored: the model refitted on the days up to it, the error of its sum over that window divided by
  that origin's own spread, half its paths' 10-90 % range.  The interval is the point forecast ±
  q × today's spread, q the finite-sample conformal quantile, the ⌈0.8 (n + 1)⌉-th smallest of the
  n |scores|.  Under `MIN_WINDOWS` (4) windows that rank is past n: there is no finite quantile
  (Vovk et al. 2005; Angelopoulos & Bates 2021, §1), so the interval has no upper bound (the lower:
  nothing more spent) and no breach probability is stated — never a narrower stand-in.  (Measured and
  not kept: calibrating on the longest shorter windows, a week at least, with four of them — on the
  assumption that the normalised error does not grow with the horizon.  On the backtest those
  intervals held 7 of 14 month-end totals, 3 of 8 as of day 7: four windows from consecutive origins
  overlap almost wholly, and where the level moved over the longer horizon the error outgrew the
  spread.  Nor with that growth fitted on the series' own past, q(k) = a k^b over k from a week to the
  longest with four windows, b in [0, 1], read at h: 4 of 6 such intervals held, 67 %; see the README.)
  Only days up to the as-of day are read, so a backtest of this function is honest.
* **Selection** (`calibrate`): the latest past origins (each over up to h days after it; cruder
  origins join when fewer than `MIN_SCORES` took today's form) also score seasonal-naive (the last
  week repeated, over the same spreads); where its mean absolute score is the smaller and the fit has
  no trend, it forecasts the days left and its same-length window scores calibrate the interval.
  Chosen per series, on its past only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FIT_DAYS = 56
TREND_MIN_DAYS = 28  # four weeks: less history supports a level and a weekday profile, not a slope
WEEKLY_MIN_DAYS = 14
HALF_LIFE = 14.0  # days: how fast old days lose weight in the fit
BLOCK_DAYS = 7  # bootstrap block: a week of consecutive residuals
PATHS = 1000
SEED = 20240901  # fixed: the same input gives the same interval, run after run
CALIBRATION_ORIGINS = 56  # past origins scored, at most (for the interval: the latest with a whole window)
MIN_HISTORY = 7  # a past origin is scored only with this many days before it
SHORT_HISTORY = 3  # a level from three days: the crudest past origin the model-or-last-week choice reads
MIN_SCORES = 9  # fewer origins of today's form say too little to choose on: cruder origins join them
COVERAGE = 0.8
PAST_PATHS = 200  # per past origin: enough for a 10-90 % range, cheap enough for 56 origins


@dataclass(frozen=True)
class DailyModel:
    """A fitted daily model: mean spend of any day, and what the paths are drawn from."""

    t0: np.datetime64  # the first fitted day
    span: int  # fitted days (the time unit of the trend)
    trend: bool
    weekly: bool
    coef: np.ndarray  # intercept, [trend], [Tuesday..Sunday]
    covariance: np.ndarray
    residuals: np.ndarray  # every fitted day's, oldest first (outlying days included: spikes recur)

    def features(self, days: np.ndarray) -> np.ndarray:
        columns = [np.ones((len(days), 1))]
        if self.trend:
            columns.append(((days - self.t0).astype(float) / self.span)[:, None])
        if self.weekly:
            weekday = (days.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
            columns.append((weekday[:, None] == np.arange(1, 7)[None, :]).astype(float))  # Monday is the base
        return np.hstack(columns)

    def mean(self, days: np.ndarray) -> np.ndarray:
        """Expected spend of each of ``days`` (never below zero)."""
        return np.maximum(self.features(days) @ self.coef, 0.0) if len(days) else np.zeros(0)


def fit_daily(grid: np.ndarray, dense: np.ndarray) -> DailyModel:
    """Fit on consecutive days ``grid`` (datetime64[D]) with spend ``dense``: the last `FIT_DAYS` count."""
    grid, dense = grid[-FIT_DAYS:], np.asarray(dense[-FIT_DAYS:], float)
    n = len(grid)
    return _fit(grid, dense, trend=n >= TREND_MIN_DAYS, weekly=n >= WEEKLY_MIN_DAYS)


def _fit(grid: np.ndarray, dense: np.ndarray, *, trend: bool, weekly: bool) -> DailyModel:
    n = len(grid)
    shell = DailyModel(grid[0], n, trend, weekly, np.zeros(0), np.zeros((0, 0)), np.zeros(0))
    X = shell.features(grid)
    if n < X.shape[1] + 2 or np.ptp(dense) == 0:
        if trend or weekly:
            return _fit(grid, dense, trend=False, weekly=False)
        level = float(np.mean(dense))
        residual = dense - level
        var = float(residual.var(ddof=1)) / n if n > 1 else 0.0
        return DailyModel(grid[0], n, False, False, np.array([level]), np.array([[var]]), residual)
    # recent days count more: weights halve every HALF_LIFE days back from the as-of day
    weight = 0.5 ** ((n - 1 - np.arange(n)) / HALF_LIFE)
    # Huber finds the outlying days (more than 3.5 MADs off its fit); least squares on the others
    off = dense - X @ _huber(X, dense, weight)
    mad = 1.4826 * float(np.median(np.abs(off - np.median(off))))
    inliers = np.abs(off) <= 3.5 * mad if mad > 0 else np.ones(n, bool)
    if inliers.sum() <= X.shape[1] + 1:
        inliers = np.ones(n, bool)
    design, w = X[inliers], weight[inliers]
    root = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design * root, dense[inliers] * root[:, 0], rcond=None)[0]
    inlier_residual = dense[inliers] - design @ coef
    dof = max(float(w.sum() ** 2 / (w**2).sum()) - design.shape[1], 1.0)  # Kish's effective sample size
    sigma2 = float((w * inlier_residual**2).sum() / w.sum() * (dof + design.shape[1]) / dof)
    bread = np.linalg.pinv(design.T @ (design * w[:, None]))
    covariance = sigma2 * bread @ (design.T @ (design * (w**2)[:, None])) @ bread  # weighted LS sandwich
    if trend:
        # residuals that follow each other make a slope look surer than it is: AR(1) inflation
        rho = (float(np.clip(np.corrcoef(inlier_residual[:-1], inlier_residual[1:])[0, 1], 0.0, 0.9))
               if len(inlier_residual) > 3 and np.ptp(inlier_residual) > 0 else 0.0)
        if abs(coef[1]) <= 2 * math.sqrt(max(covariance[1, 1], 0.0) * (1 + rho) / (1 - rho)):
            return _fit(grid, dense, trend=False, weekly=weekly)
    return DailyModel(grid[0], n, trend, weekly, coef, covariance, dense - X @ coef)


def _huber(X: np.ndarray, y: np.ndarray, weight: np.ndarray, epsilon: float = 1.35, steps: int = 30) -> np.ndarray:
    """Huber regression coefficients by iteratively reweighted least squares (scale: the residuals'
    MAD).  A few small solves: cheap enough to refit at every past as-of day the calibration scores."""
    coef = np.linalg.lstsq(X * np.sqrt(weight)[:, None], y * np.sqrt(weight), rcond=None)[0]
    for _ in range(steps):
        residual = y - X @ coef
        scale = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
        if scale <= 0:
            break
        w = weight * np.minimum(1.0, epsilon * scale / np.maximum(np.abs(residual), 1e-300))
        root = np.sqrt(w)
        new = np.linalg.lstsq(X * root[:, None], y * root, rcond=None)[0]
        if np.allclose(new, coef, rtol=1e-6, atol=1e-9 * (1 + float(np.abs(y).max()))):
            return new
        coef = new
    return coef


def simulate(model: DailyModel, days: np.ndarray, rng: np.random.Generator, paths: int = PATHS) -> np.ndarray:
    """Cumulative spend over ``days`` along ``paths`` simulated paths: shape (paths, len(days))."""
    h = len(days)
    if h == 0:
        return np.zeros((paths, 0))
    F = model.features(days)
    level = F @ model.coef
    cov = (model.covariance + model.covariance.T) / 2
    if np.any(cov):
        draws = rng.multivariate_normal(np.zeros(len(model.coef)), cov, size=paths, method="eigh")
        level = level[None, :] + draws @ F.T
    else:
        level = np.broadcast_to(level, (paths, h))
    return np.cumsum(np.maximum(level + _block_bootstrap(model.residuals, h, paths, rng), 0.0), axis=1)


def _block_bootstrap(residuals: np.ndarray, h: int, paths: int, rng: np.random.Generator) -> np.ndarray:
    m = len(residuals)
    if m == 0 or not np.any(residuals):
        return np.zeros((paths, h))
    block = min(BLOCK_DAYS, m)
    blocks = -(-h // block)
    starts = rng.integers(0, m - block + 1, size=(paths, blocks))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(paths, -1)[:, :h]
    return residuals[index]


@dataclass(frozen=True)
class Calibrated:
    """The remaining days' cumulative spend: point, interval, and the predictive distribution at month end.

    With fewer than `MIN_WINDOWS` past windows there is no finite 80 % quantile: ``high`` is +inf
    every day, ``low`` 0 (spend is never negative) and ``outcomes`` empty (no breach probability)."""

    expected: np.ndarray  # per remaining day, cumulative
    low: np.ndarray
    high: np.ndarray
    outcomes: np.ndarray  # month-end remaining-spend samples the breach probability is read from
    scores: np.ndarray  # past same-length windows' errors of the forecast, each over that origin's own spread
    spread: np.ndarray  # per remaining day: half the paths' 10-90 % range (what a score of 1 means today)

    @property
    def windows(self) -> int:
        """How many past windows of today's length the interval was calibrated on."""
        return len(self.scores)

    @property
    def bounded(self) -> bool:
        return bool(np.all(np.isfinite(self.high)))


def conformal_rank(n: int, coverage: float = COVERAGE) -> int:
    """The finite-sample split-conformal rank: the ⌈coverage (n + 1)⌉-th smallest of n scores bounds
    ``coverage`` of the next one (Vovk et al. 2005; Angelopoulos & Bates 2021, §1).  Over n: no finite bound."""
    return math.ceil(coverage * (n + 1) - 1e-9)  # 1e-9: 0.8 × 5 is 4.000000000000001 in floating point


# the fewest past windows with a finite 80 % quantile (4: the 4th smallest of 4)
MIN_WINDOWS = next(n for n in range(1, 1000) if conformal_rank(n) <= n)


def calibrate(grid: np.ndarray, dense: np.ndarray, horizon: np.ndarray, seed: int = SEED) -> Calibrated:
    """Forecast the cumulative spend over ``horizon`` (the days after ``grid[-1]``) from ``dense``,
    with an 80 % interval calibrated on rolling backtests of the same series before ``grid[-1]``:
    every past origin whose window of ``len(horizon)`` days has fully happened by ``grid[-1]``."""
    model = fit_daily(grid, dense)
    h = len(horizon)
    modelled = np.cumsum(model.mean(horizon))
    if h == 0:
        return Calibrated(modelled, modelled, modelled, np.zeros(1), np.zeros(0), np.zeros(0))
    # past origins are scored where the model could take today's form (a trend, a weekday profile):
    # a shorter history fits a cruder model, whose errors are not today's
    history = TREND_MIN_DAYS if model.trend else WEEKLY_MIN_DAYS if model.weekly else MIN_HISTORY
    last = len(grid) - 1
    # the interval's evidence: the windows of today's length that have fully happened by the as-of day
    windows = range(max(history - 1, last - h - CALIBRATION_ORIGINS + 1), last - h + 1)
    # the model-or-last-week choice's evidence: the latest origins, each over the days up to today's
    # horizon that followed it (which method has summed this series' days better, lately)
    recent = range(max(history - 1, last - CALIBRATION_ORIGINS), last)
    if len(recent) < MIN_SCORES:  # too few to choose on: cruder origins join (the choice only)
        recent = range(max(SHORT_HISTORY - 1, last - CALIBRATION_ORIGINS), last)
    scored = _score_origins(grid, dense, h, sorted({*windows, *recent}), seed)
    past, lately = _backtest(scored, windows), _backtest(scored, recent)
    expected, scores = modelled, past.model
    # model selection on the series' own past: where repeating the last week has summed the days
    # after past origins better than the model, it forecasts the days left (a level the weighted fit
    # is slow to follow; a weekday pattern that changed) — not where the fit found a supported slope:
    # a repeated week cannot follow one.  (An equal-weight mean of the two instead, measured: worse
    # month-end error at as-of days 7, 14 and 21; see the README.)
    if (not model.trend and len(dense) >= 7 and len(lately.naive) >= MIN_SCORES
            and np.mean(np.abs(lately.naive)) < np.mean(np.abs(lately.model))):
        expected, scores = np.cumsum(seasonal_naive(dense, h)), past.naive
    # the paths around the chosen point forecast
    sums = simulate(model, horizon, np.random.default_rng(seed)) + (expected - modelled)[None, :]
    spread = np.diff(np.quantile(sums, [(1 - COVERAGE) / 2, (1 + COVERAGE) / 2], axis=0), axis=0)[0] / 2
    n = len(scores)
    rank = conformal_rank(n)
    if rank > n:
        # no finite quantile from so few windows: no upper bound, and no probability either
        return Calibrated(expected, np.zeros(h), np.full(h, np.inf), np.zeros(0), scores, spread)
    # normalised split-conformal: the ceil(0.8 (n + 1))-th smallest past |error| / spread bounds 80 %
    # of the next ones, in units of the spread the model states today (calibrated for the month-end
    # total; the days before it carry the same q over their own spread)
    q = float(np.sort(np.abs(scores))[rank - 1])
    low, high = expected - q * spread, expected + q * spread
    outcomes = expected[-1] + spread[-1] * np.concatenate([scores, -scores])  # past errors, either way round
    return Calibrated(expected, np.maximum(low, 0.0), high, np.maximum(outcomes, 0.0), scores, spread)


def seasonal_naive(dense: np.ndarray, h: int) -> np.ndarray:
    """The next ``h`` days as repeats of the last week's (of the last day's, under a week of history)."""
    week = dense[-7:] if len(dense) >= 7 else dense[-1:]
    return week[np.arange(h) % len(week)] if len(week) else np.zeros(h)


@dataclass(frozen=True)
class Backtest:
    """Past origins' errors of the window sum, each over the spread the model stated there."""

    model: np.ndarray
    naive: np.ndarray


def _score_origins(grid: np.ndarray, dense: np.ndarray, h: int, origins: list[int],
                   seed: int = SEED) -> dict[int, tuple[float, float, float]]:
    """Per past origin: the model refitted on the days up to it, the errors of its sum and of the
    last week repeated over the (up to ``h``) days that followed, and half the 10-90 % range of that
    fit's own simulated sums over those days."""
    last = len(grid) - 1
    out = {}
    for o in origins:
        k = min(h, last - o)
        ahead = grid[o + 1: o + 1 + k]
        actual = float(dense[o + 1: o + 1 + k].sum())
        past = fit_daily(grid[: o + 1], dense[: o + 1])
        # the paths' spread at that origin: a seed of its own, so each origin's scale is reproducible
        sums = simulate(past, ahead, np.random.default_rng([seed, o]), PAST_PATHS)[:, -1]
        lo, hi = np.quantile(sums, [(1 - COVERAGE) / 2, (1 + COVERAGE) / 2])
        out[o] = (actual - float(past.mean(ahead).sum()), actual - float(seasonal_naive(dense[: o + 1], k).sum()),
                  (hi - lo) / 2)
    return out


def _backtest(scored: dict[int, tuple[float, float, float]], origins: range) -> Backtest:
    """The scores of ``origins``: each error over the spread its origin's fit stated."""
    model_err = [scored[o][0] for o in origins]
    naive_err = [scored[o][1] for o in origins]
    spread = [scored[o][2] for o in origins]
    return Backtest(_normalised(model_err, spread), _normalised(naive_err, spread))


def _normalised(errors: list[float], spread: list[float]) -> np.ndarray:
    """Errors over their origins' spreads.  A fit on a constant history states no spread at all: its
    error is measured against the typical spread the other origins stated (none stated any, and
    only an error of 0 scores: 0)."""
    error, scale = np.array(errors, float), np.array(spread, float)
    stated = scale[scale > 0]
    scale = np.where(scale > 0, scale, float(np.median(stated)) if len(stated) else 1.0)
    return np.where(error == 0, 0.0, error / scale) if len(stated) else np.zeros(len(error))
