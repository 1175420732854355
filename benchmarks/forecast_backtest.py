"""Month-end forecast backtest on real series: plangate's forecast next to a seasonal-naive one.

    .venv/bin/python benchmarks/forecast_backtest.py

Series (../shared/data, see SOURCES.md), each made a daily total:

* the FOCUS 1.0 sample — a real (anonymised) bill, September 2024, daily BilledCost;
* Microsoft Cloud Monitoring ``ecommerce-api-incoming-rps`` (257 days) and the six
  ``consumer-purchase-rate`` series (51 days), NAB ``cpu_utilization_asg_misconfiguration``
  (62 days): service telemetry, not bills — the daily mean of a request rate or of a
  utilisation, which is what usage-priced spend follows.

For every calendar month a series covers completely, and for as-of days 7, 14 and 21 of it,
both methods forecast the month's total from the days up to the as-of day (month to date plus
the forecast of the rest):

* plangate — `plangate.analytics.forecast.forecast_month` (robust trend + weekday profile);
* seasonal-naive — each remaining day repeats the same weekday of the last observed week.

Printed: the absolute percentage error of the month-end total (median and mean over the months),
per as-of day, and how often the truth fell inside plangate's 80 % interval.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plangate.analytics.forecast import forecast_month, month_days  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
AS_OF_DAYS = (7, 14, 21)


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


def seasonal_naive(days: list[dt.date], values: np.ndarray, first: dt.date, as_of: dt.date) -> float:
    known = {d: v for d, v in zip(days, values, strict=True) if d <= as_of}
    total = sum(v for d, v in known.items() if d >= first)
    last_week = [as_of - dt.timedelta(days=i) for i in range(7)]
    end = first + dt.timedelta(days=month_days(first) - 1)
    d = as_of + dt.timedelta(days=1)
    while d <= end:
        same = next((w for w in last_week if w.weekday() == d.weekday() and w in known), None)
        total += known[same] if same is not None else 0.0
        d += dt.timedelta(days=1)
    return total


def months(days: list[dt.date]) -> list[dt.date]:
    out = []
    first = days[0].replace(day=1)
    while first <= days[-1]:
        end = first + dt.timedelta(days=month_days(first) - 1)
        if first >= days[0] and end <= days[-1]:
            out.append(first)
        first = end + dt.timedelta(days=1)
    return out


def main() -> int:
    if not DATA.is_dir():
        print(f"the shared data is not at {DATA}", file=sys.stderr)
        return 2
    print("Month-end total forecasts, backtested on real series (the FOCUS sample is a bill; the others are")
    print("service telemetry made daily: usage, not bills).\n")
    errors = {(m, k): [] for m in ("plangate", "seasonal-naive") for k in AS_OF_DAYS}
    covered = {k: [] for k in AS_OF_DAYS}
    lines = []
    for name, (days, values) in series().items():
        for first in months(days):
            truth = float(sum(v for d, v in zip(days, values, strict=True)
                              if first <= d < first + dt.timedelta(days=month_days(first))))
            if truth <= 0:
                continue
            for k in AS_OF_DAYS:
                as_of = first + dt.timedelta(days=k - 1)
                upto = [i for i, d in enumerate(days) if d <= as_of]
                f = forecast_month([days[i] for i in upto], values[upto], as_of=as_of, month=first)
                naive = seasonal_naive(days, values, first, as_of)
                errors[("plangate", k)].append(abs(f.expected - truth) / truth)
                errors[("seasonal-naive", k)].append(abs(naive - truth) / truth)
                covered[k].append(f.low <= truth <= f.high)
                lines.append(f"{name:<44} {first:%Y-%m} day {k:>2}: truth {truth:>12,.2f}  plangate "
                             f"{f.expected:>12,.2f} [{f.low:,.2f} – {f.high:,.2f}]  naive {naive:>12,.2f}")
    print("\n".join(lines))
    print(f"\n{'as of day':<10} {'months':>6} {'plangate MdAPE':>15} {'naive MdAPE':>12} {'plangate MAPE':>14} "
          f"{'naive MAPE':>11} {'ratio (MAPE)':>12} {'80% cover':>10}")
    for k in AS_OF_DAYS:
        ours, naive = np.array(errors[("plangate", k)]), np.array(errors[("seasonal-naive", k)])
        ratio = ours.mean() / naive.mean() if naive.mean() else float("nan")
        print(f"{k:<10} {len(ours):>6} {100 * np.median(ours):>14.1f}% {100 * np.median(naive):>11.1f}% "
              f"{100 * ours.mean():>13.1f}% {100 * naive.mean():>10.1f}% {ratio:>12.2f} "
              f"{100 * np.mean(covered[k]):>9.0f}%")
    print("\nratio < 1: plangate's month-end error is smaller than the seasonal-naive forecast's.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
