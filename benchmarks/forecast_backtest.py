"""Month-end forecast backtest on real series: plangate next to seasonal-naive, AutoETS and AutoARIMA.

    .venv/bin/python benchmarks/forecast_backtest.py [--no-peers] [--verbose]

Series (../shared/data, see SOURCES.md), each made a daily total:

* the FOCUS 1.0 sample — a real (anonymised) bill, September 2024, daily BilledCost;
* Microsoft Cloud Monitoring ``ecommerce-api-incoming-rps`` (258 days) and the six
  ``consumer-purchase-rate`` series (52 days), NAB ``cpu_utilization_asg_misconfiguration``
  (63 days): service telemetry, not bills — the daily mean of a request rate or of a
  utilisation, which is what usage-priced spend follows.

These are all of ../shared/data's series that span a whole calendar month: the other Microsoft
domains hold 6 to 46 days with no complete month (application-crash-rate-2: May 10 – June 25;
middle-tier-api-dependency-latency: June 17 – July 16), the NAB AWS series two weeks each.  Hence
16 months; a coverage on 16 months moves by 6 points per month covered.

For every calendar month a series covers completely, and for as-of days 7, 14 and 21 of it, each
method forecasts the rest of the month from the days up to the as-of day only:

* plangate — `plangate.analytics.forecast.forecast_month` (its interval is calibrated on backtests
  of the same series before the as-of day, so nothing after it is seen);
* seasonal-naive — each remaining day repeats the same weekday of the last observed week;
* statsforecast's AutoETS and AutoARIMA (season length 7 from two weeks of history), run in the
  peers' environment (.venv-peers, `benchmarks/peer_statsforecast.py`) on the same histories.

Printed per as-of day and overall: MASE (daily error over the rest of the month, scaled by the
in-sample seasonal-naive error), sMAPE of the daily forecasts, the absolute percentage error of the
month-end total (mean and median), and how often the truth fell inside plangate's 80 % interval
(the peers give daily intervals, not month-end ones: not scored) — with how many of those intervals
had no upper bound (too few past windows as long as the days left: such an interval holds any total
above the month to date, so coverage bought with them shows here) and the coverage of the others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plangate.analytics.forecast import forecast_month, month_days  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEER = ROOT / "benchmarks" / "peer_statsforecast.py"
AS_OF_DAYS = (7, 14, 21)
PEERS = ("autoets", "autoarima")


def daily_from_csv(path: Path, time_col: str, value_col: str, how: str = "mean") -> tuple[list[dt.date], np.ndarray]:
    import pandas as pd

    frame = pd.read_csv(path)
    times = pd.to_datetime(frame[time_col], utc=True).dt.tz_localize(None)
    daily = frame[value_col].astype(float).groupby(times.dt.floor("D")).agg(how)
    full = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    full = full.interpolate(limit_direction="both")  # a day without samples takes its neighbours' level
    return [d.date() for d in full.index], full.to_numpy()


def focus_daily() -> tuple[list[dt.date], np.ndarray]:
    import pandas as pd

    frame = pd.read_csv(DATA / "focus" / "focus_1_0_sample_1000.csv", na_values=["NULL"])
    day = pd.to_datetime(frame["ChargePeriodStart"]).dt.floor("D")
    daily = frame["BilledCost"].astype(float).groupby(day).sum()
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0.0)
    return [d.date() for d in daily.index], daily.to_numpy()


def series() -> dict[str, tuple[list[dt.date], np.ndarray]]:
    out = {"FOCUS sample (bill) BilledCost": focus_daily()}
    msft = DATA / "msft_cloud_monitoring"
    out["msft ecommerce-api-incoming-rps/api-01"] = daily_from_csv(
        msft / "ecommerce-api-incoming-rps" / "api-01.csv", "TimeStamp", "Value")
    for path in sorted((msft / "consumer-purchase-rate").glob("*.csv")):
        out[f"msft consumer-purchase-rate/{path.stem}"] = daily_from_csv(path, "TimeStamp", "Value")
    out["nab cpu_utilization_asg_misconfiguration"] = daily_from_csv(
        DATA / "nab" / "realKnownCause" / "cpu_utilization_asg_misconfiguration.csv", "timestamp", "value")
    return out


def months(days: list[dt.date]) -> list[dt.date]:
    out = []
    first = days[0].replace(day=1)
    while first <= days[-1]:
        end = first + dt.timedelta(days=month_days(first) - 1)
        if first >= days[0] and end <= days[-1]:
            out.append(first)
        first = end + dt.timedelta(days=1)
    return out


@dataclass
class Task:
    """One month of one series, forecast as of one day of it."""

    name: str
    month: dt.date
    as_of_day: int
    history: np.ndarray  # every day up to the as-of day
    spent: float  # month to date
    actual: np.ndarray  # the rest of the month, day by day
    daily: dict[str, np.ndarray] = field(default_factory=dict)  # method → its forecast of `actual`
    interval: tuple[float, float] = (0.0, 0.0)  # plangate's 80 % month-end interval

    @property
    def truth(self) -> float:
        return self.spent + float(self.actual.sum())

    def month_end(self, method: str) -> float:
        return self.spent + float(self.daily[method].sum())


def tasks() -> list[Task]:
    out = []
    for name, (days, values) in series().items():
        for first in months(days):
            start = days.index(first)
            n = month_days(first)
            if values[start: start + n].sum() <= 0:
                continue
            for k in AS_OF_DAYS:
                cut = start + k
                out.append(Task(name, first, k, values[:cut], float(values[start:cut].sum()),
                                values[cut: start + n]))
    return out


def run_plangate(task: Task, days: list[dt.date]) -> None:
    cut = len(task.history)
    f = forecast_month(days[:cut], task.history, month=task.month, as_of=days[cut - 1])
    cumulative = np.array([expected for _, _, expected, _ in f.path])
    task.daily["plangate"] = np.diff(np.r_[f.spent, cumulative])
    task.interval = (f.low, f.high)


def seasonal_naive(history: np.ndarray, h: int) -> np.ndarray:
    week = history[-7:]
    return np.array([week[(i % len(week))] for i in range(h)]) if len(week) == 7 else np.full(h, history[-1])


def run_peers(all_tasks: list[Task]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "tasks.npz", Path(tmp) / "out.npz"
        payload = {}
        for i, t in enumerate(all_tasks):
            payload[f"t{i}_y"], payload[f"t{i}_h"] = t.history, np.array(len(t.actual))
        np.savez(src, **payload)
        subprocess.run([str(PEERS_PYTHON), str(PEER), str(src), str(dst)], check=True)
        got = np.load(dst)
        for i, t in enumerate(all_tasks):
            for peer in PEERS:
                t.daily[peer] = got[f"{peer}|t{i}"]


def mase(t: Task, method: str) -> float:
    lag = 7 if len(t.history) > 7 else 1
    scale = float(np.mean(np.abs(t.history[lag:] - t.history[:-lag])))
    return float(np.mean(np.abs(t.daily[method] - t.actual))) / scale if scale else float("nan")


def smape(t: Task, method: str) -> float:
    f, a = t.daily[method], t.actual
    denominator = np.abs(f) + np.abs(a)
    terms = np.where(denominator > 0, 2 * np.abs(f - a) / np.where(denominator > 0, denominator, 1), 0.0)
    return float(np.mean(terms))


def month_end_ape(t: Task, method: str) -> float:
    return abs(t.month_end(method) - t.truth) / t.truth


def table(all_tasks: list[Task], methods: list[str]) -> str:
    head = (f"{'as of':<6} {'method':<15} {'n':>3} {'MASE':>6} {'sMAPE':>7} {'month-end MAPE':>15} "
            f"{'MdAPE':>7} {'vs naive':>9} {'80% cover':>10} {'no upper':>9} {'bounded cover':>14}")
    lines = [head, "-" * len(head)]
    for k in (*AS_OF_DAYS, None):
        group = [t for t in all_tasks if k is None or t.as_of_day == k]
        naive = np.mean([month_end_ape(t, "seasonal-naive") for t in group])
        for m in methods:
            ape = np.array([month_end_ape(t, m) for t in group])
            lines.append(f"{'all' if k is None else k:<6} {m:<15} {len(group):>3} "
                         f"{np.nanmean([mase(t, m) for t in group]):>6.3f} "
                         f"{100 * np.mean([smape(t, m) for t in group]):>6.1f}% {100 * ape.mean():>14.1f}% "
                         f"{100 * np.median(ape):>6.1f}% {ape.mean() / naive:>9.2f} "
                         f"{_coverage(group) if m == 'plangate' else NOT_SCORED}")
        lines.append("")
    return "\n".join(lines)


NOT_SCORED = f"{'–':>10} {'–':>9} {'–':>14}"  # the peers state no month-end interval


def _coverage(group: list[Task]) -> str:
    """How often plangate's interval held the truth; how many intervals had no upper bound (too few
    past windows of that length: they hold any total above the lower bound); how often the others did."""
    covered = [t.interval[0] <= t.truth <= t.interval[1] for t in group]
    bounded = [c for t, c in zip(group, covered, strict=True) if np.isfinite(t.interval[1])]
    share = f"{100 * np.mean(bounded):>13.0f}%" if bounded else f"{'–':>14}"
    return f"{100 * np.mean(covered):>9.0f}% {f'{len(group) - len(bounded)}/{len(group)}':>9} {share}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast (the peers' environment)")
    ap.add_argument("--verbose", action="store_true", help="print every month's forecasts")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"the shared data is not at {DATA}", file=sys.stderr)
        return 2
    data = series()
    all_tasks = tasks()
    for t in all_tasks:
        run_plangate(t, data[t.name][0])
        t.daily["seasonal-naive"] = seasonal_naive(t.history, len(t.actual))
    methods = ["plangate", "seasonal-naive"]
    if not args.no_peers and PEERS_PYTHON.exists():
        run_peers(all_tasks)
        methods += list(PEERS)
    print("Month-end total forecasts, backtested on real series (the FOCUS sample is a bill; the others are")
    print("service telemetry made daily: usage, not bills).\n")
    if args.verbose:
        for t in all_tasks:
            shown = "  ".join(f"{m} {t.month_end(m):,.2f}" for m in methods)
            upper = f"{t.interval[1]:,.2f}" if np.isfinite(t.interval[1]) else "no upper bound"
            print(f"{t.name:<44} {t.month:%Y-%m} day {t.as_of_day:>2}: truth {t.truth:,.2f}  "
                  f"[{t.interval[0]:,.2f} – {upper}]  {shown}")
        print()
    print(table(all_tasks, methods))
    if len(methods) == 2:
        print("(statsforecast skipped: .venv-peers is missing or --no-peers)")
    print("vs naive: month-end MAPE over seasonal-naive's (< 1: smaller error). MASE and sMAPE: day by day.")
    print("no upper: intervals without an upper bound (fewer than 4 past windows of that length: they hold")
    print("any total above month to date, so they count as covering). bounded cover: the others' coverage.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
