"""Month-end forecasts on series with known answers, budgets from plangate.yaml, and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from conftest import DATA, needs_data

from plangate.analytics.forecast import Budgets, forecast_month
from plangate.analytics.forecast_model import (
    MIN_WINDOWS,
    PAST_PATHS,
    SEED,
    DailyModel,
    calibrate,
    conformal_rank,
    fit_daily,
    simulate,
)
from plangate.cli import main

OCT1, NOV1, NOV30 = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def _days(first: dt.date, n: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(n)]


def _true_breach(days: list[dt.date], cost: list[float], budget: float) -> dt.date | None:
    total = 0.0
    for d, c in zip(days, cost, strict=True):
        if d.month == NOV1.month:
            total += c
            if total > budget:
                return d
    return None


def _within_a_day(got: dt.date | None, want: dt.date | None) -> bool:
    if got is None or want is None:
        return got is want
    return abs((got - want).days) <= 1


def test_flat_spend_breaches_on_the_day_the_budget_is_passed():
    days = _days(OCT1, 41)  # Oct 1 to Nov 10
    f = forecast_month(days, [100.0] * 41, budget=2500)
    assert (f.month, f.as_of, f.spent) == (NOV1, dt.date(2026, 11, 10), 1000.0)
    assert f.expected == pytest.approx(3000) and f.low == pytest.approx(3000) and f.high == pytest.approx(3000)
    assert f.breach_date == dt.date(2026, 11, 26)  # 100/day passes 2500 on day 26
    assert f.breach_probability == pytest.approx(1.0)
    assert forecast_month(days, [100.0] * 41, budget=3500).breach_date is None


def test_linear_trend_is_extrapolated():
    full = _days(OCT1, 61)
    cost = [50.0 + 2 * i for i in range(61)]
    f = forecast_month(full[:41], cost[:41], budget=4000)
    assert f.expected == pytest.approx(sum(c for d, c in zip(full, cost, strict=True) if d.month == 11), rel=1e-6)
    assert f.breach_date == _true_breach(full, cost, 4000) == dt.date(2026, 11, 29)


def test_weekday_profile_is_learned():
    full = _days(OCT1, 61)
    cost = [120.0 if d.weekday() < 5 else 40.0 for d in full]
    f = forecast_month(full[:41], cost[:41], budget=2800)
    assert f.expected == pytest.approx(2880, rel=1e-6)
    assert f.breach_date == _true_breach(full, cost, 2800) == NOV30


def test_noisy_series_breach_within_a_day_and_the_interval_covers_about_80_percent():
    # from Aug 15: enough history before Nov 14 for past 16-day windows after four weeks each (a
    # trend model's) to calibrate the interval
    rng = np.random.default_rng(7)
    full = _days(dt.date(2026, 8, 15), 108)  # .. Nov 30
    hits = covered = 0
    runs = 40
    for _ in range(runs):
        base = np.array([150.0 if d.weekday() < 5 else 90.0 for d in full]) + 1.2 * np.arange(108)
        cost = (base + rng.normal(0, 12, 108)).tolist()
        budget = 6000.0
        f = forecast_month(full[:92], cost[:92], budget=budget)  # as of Nov 14
        assert f.as_of == dt.date(2026, 11, 14) and f.bounded
        truth = sum(c for d, c in zip(full, cost, strict=True) if d.month == 11)
        hits += _within_a_day(f.breach_date, _true_breach(full, cost, budget))
        covered += f.low <= truth <= f.high
    assert hits / runs >= 0.95
    assert 0.7 <= covered / runs <= 0.92


def test_a_first_week_burst_is_not_extrapolated_as_a_trend():
    days = _days(NOV1, 7)
    f = forecast_month(days, [10.0, 10.0, 10.0, 10.0, 10.0, 60.0, 80.0], budget=1e6)
    # a trend through these days would forecast more than 80 a day for the 23 days left
    assert f.spent == 190 and f.spent + 23 * 10 < f.expected < f.spent + 23 * 80


def test_the_forecast_reads_nothing_after_the_as_of_day_and_is_reproducible():
    rng = np.random.default_rng(3)
    days = _days(OCT1, 61)
    cost = (100 + rng.normal(0, 15, 61)).tolist()
    cut = forecast_month(days[:45], cost[:45], budget=3000)
    assert forecast_month(days, cost, as_of=days[44], budget=3000) == cut
    assert forecast_month(days[:45], cost[:45], budget=3000) == cut
    assert forecast_month(days[:45], cost[:45], budget=3000, seed=1).expected == cut.expected


def test_month_end_paths_keep_the_days_dependence():
    # residuals in week-long runs (a level that sits high, then low): independent days would
    # give a 21-day sum a spread of about sqrt(21) * 10; runs of seven add up to more
    runs = np.repeat(np.tile([10.0, -10.0], 4), 7)
    model = DailyModel(np.datetime64("2026-10-01"), 56, False, False, np.array([100.0]), np.zeros((1, 1)), runs)
    sums = simulate(model, np.arange(np.datetime64("2026-11-10"), np.datetime64("2026-12-01")),
                    np.random.default_rng(0))
    assert sums.shape == (1000, 21)
    assert sums[:, -1].std() > 1.5 * np.sqrt(21) * 10
    assert sums[:, -1].mean() == pytest.approx(2100, rel=0.02)


def test_breach_probability_grows_as_the_budget_falls():
    rng = np.random.default_rng(5)
    days = _days(OCT1, 45)
    cost = (100 + rng.normal(0, 20, 45)).tolist()
    expected = forecast_month(days, cost).expected
    chances = [forecast_month(days, cost, budget=b).breach_probability
               for b in (expected * 0.5, expected * 0.99, expected * 1.01, expected * 2)]
    assert chances[0] == 1.0 and chances[-1] == 0.0
    assert 1.0 >= chances[1] > 0.5 > chances[2] >= 0.0


def test_a_spike_in_the_history_does_not_move_the_forecast():
    days = _days(OCT1, 41)
    clean = forecast_month(days, [100.0 + (i % 3) for i in range(41)], budget=5000)
    spiky = [100.0 + (i % 3) for i in range(41)]
    spiky[30] += 5000  # Oct 31: before the month, so month to date is the same
    f = forecast_month(days, spiky, budget=5000)
    assert f.spent == clean.spent
    assert f.expected == pytest.approx(clean.expected, rel=0.02)


def test_spend_already_over_budget_breached_in_the_past():
    days = _days(NOV1, 12)
    f = forecast_month(days, [300.0] * 12, budget=1000)
    assert f.breach_date == dt.date(2026, 11, 4) and f.over_budget


def test_budgets_come_from_the_monthly_budget_rule(tmp_path):
    cfg = tmp_path / "plangate.yaml"
    cfg.write_text("rules:\n  monthly-budget:\n    stack: 5000\n    tags:\n      Project: {fraud: 500}\n"
                   "      Team: {'*': 2000}\n")
    b = Budgets.from_policy(str(cfg))
    assert b.stack == 5000 and b.ceiling("Project", "fraud") == 500 and b.ceiling("Project", "x") is None
    assert b.ceiling("Team", "ml") == 2000


def _daily_csv(tmp_path, days, cost):
    path = tmp_path / "daily.csv"
    path.write_text("timestamp,value\n" + "".join(f"{d},{c}\n" for d, c in zip(days, cost, strict=True)))
    return path


def test_cli_fails_on_a_breach_as_likely_as_the_threshold(tmp_path, capsys):
    rng = np.random.default_rng(5)
    days = _days(OCT1, 45)
    cost = (100 + rng.normal(0, 20, 45)).tolist()
    budget = round(forecast_month(days, cost).expected)
    f = forecast_month(days, cost, budget=budget)
    assert 0.05 < f.breach_probability < 0.95
    path = _daily_csv(tmp_path, days, cost)
    argv = ["forecast", "--daily", str(path), "--budget", str(budget), "-f", "json", "--fail-on-breach"]
    assert main([*argv, "--breach-probability", str(f.breach_probability)]) == 1
    assert main([*argv, "--breach-probability", str(f.breach_probability + 0.01)]) == 0
    cfg = tmp_path / "plangate.yaml"
    cfg.write_text(f"rules:\n  monthly-budget:\n    breach_probability: {f.breach_probability}\n")
    capsys.readouterr()
    assert main([*argv, "-c", str(cfg)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["forecasts"][0]["breach_probability"] == round(f.breach_probability, 3)


@pytest.mark.parametrize("value", ["nan", "-0.1", "1.5", "x"])
def test_cli_bad_breach_probability_is_one_line_and_exit_2(tmp_path, capsys, value):
    path = _daily_csv(tmp_path, _days(OCT1, 41), [100.0] * 41)
    with pytest.raises(SystemExit) as exit_:  # argparse's usage error
        main(["forecast", "--daily", str(path), "--budget", "2500", "--breach-probability", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "breach-probability" in err and "Traceback" not in err


@pytest.mark.parametrize("value", [".nan", "-1", "1.5", "high"])
def test_bad_breach_probability_in_plangate_yaml_is_one_line_and_exit_2(tmp_path, capsys, value):
    path = _daily_csv(tmp_path, _days(OCT1, 41), [100.0] * 41)
    cfg = tmp_path / "plangate.yaml"
    cfg.write_text(f"rules:\n  monthly-budget:\n    breach_probability: {value}\n")
    assert main(["forecast", "--daily", str(path), "--budget", "2500", "-c", str(cfg), "--fail-on-breach"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(cfg) in err and "breach_probability" in err


def test_cli_daily_json_and_fail_on_breach(tmp_path, capsys):
    path = _daily_csv(tmp_path, _days(OCT1, 41), [100.0] * 41)
    assert main(["forecast", "--daily", str(path), "--budget", "2500", "-f", "json", "--fail-on-breach"]) == 1
    doc = json.loads(capsys.readouterr().out)
    (f,) = doc["forecasts"]
    assert f["breach_date"] == "2026-11-26" and f["expected"] == 3000 and f["interval_80"] == [3000, 3000]
    assert main(["forecast", "--daily", str(path), "--budget", "9000", "--fail-on-breach"]) == 0


@needs_data
def test_cli_lake_forecasts_the_budget_scopes(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(DATA / "focus" / "focus_1_0_sample_1000.csv"), "--lake", str(lake)]) == 0
    cfg = tmp_path / "plangate.yaml"
    cfg.write_text("rules:\n  monthly-budget:\n    stack: 15\n    tags:\n      environment: {'*': 5}\n")
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake), "-c", str(cfg), "-f", "json", "--as-of", "2024-09-20"]) == 0
    doc = json.loads(capsys.readouterr().out)["forecasts"]
    scopes = {f["scope"]: f for f in doc}
    assert "stack" in scopes and any(s.startswith("environment=") for s in scopes)
    stack = scopes["stack"]
    assert stack["budget"] == 15 and stack["month"] == "2024-09-01" and stack["as_of"] == "2024-09-20"
    # 20 days of bill: no past 10-day window after two weeks of history has happened yet, so no
    # upper bound and no breach probability; the lower bound is the month to date
    assert stack["interval_80"] == [stack["spent"], None] and stack["past_windows"] == 0
    assert stack["spent"] <= stack["expected"] and stack["breach_probability"] is None
    assert stack["unbounded"] == ("upper bound: none — 0 past 10-day windows, 4 needed; "
                                  "breach probability not bounded by history")
    assert main(["forecast", "--lake", str(lake), "-c", str(cfg), "-f", "html", "-o", str(tmp_path / "f.html")]) == 0
    assert "<svg" in (tmp_path / "f.html").read_text()


@needs_data
def test_cli_lake_without_billing_rows_is_exit_2(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(DATA / "nab" / "realAWSCloudwatch" / "ec2_cpu_utilization_24ae8d.csv"),
                 "--lake", str(lake)]) == 0
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no billing rows to forecast from" in err


def test_a_spike_after_the_as_of_day_changes_neither_the_forecast_nor_its_interval():
    rng = np.random.default_rng(11)
    days = _days(OCT1, 61)
    cost = (100 + rng.normal(0, 15, 61)).tolist()
    spiked = list(cost)
    spiked[50] += 10_000  # Nov 20, after the as-of day: a backtest must not see it
    as_of = days[44]
    assert forecast_month(days, spiked, as_of=as_of, budget=3000) == forecast_month(days, cost, as_of=as_of,
                                                                                    budget=3000)


def test_the_interval_narrows_as_the_series_history_grows():
    # one stationary weekday-and-noise process, as of Nov 14 (16 days left): two weeks of history hold
    # no past 16-day window (no upper bound); six weeks hold a few (the 80 % quantile is one of the
    # largest of them: wide); twelve weeks hold 56
    rng = np.random.default_rng(4)
    days = _days(dt.date(2026, 8, 22), 85)  # Aug 22 .. Nov 14
    cost = [(120.0 if d.weekday() < 5 else 60.0) + e for d, e in zip(days, rng.normal(0, 15, 85), strict=True)]
    thin, short, long = (forecast_month(days[-n:], cost[-n:]) for n in (14, 42, 85))
    assert thin.as_of == short.as_of == long.as_of == dt.date(2026, 11, 14) and thin.spent == long.spent
    assert (thin.bounded, thin.past_windows, short.bounded, long.past_windows) == (False, 0, True, 56)
    assert 4 <= short.past_windows < 56
    assert long.high - long.low < 0.8 * (short.high - short.low)


def test_a_changed_weekday_pattern_is_forecast_by_the_last_week_when_that_backtests_better():
    # five weeks peaking on Mondays, then Fridays (the same weekly total: no trend): the weighted fit
    # still mixes the two patterns; the last week repeated has scored better since the change
    days = _days(dt.date(2026, 9, 28), 64)  # a Monday .. Nov 30
    old, new = [300.0, 100, 100, 100, 100, 50, 50], [100.0, 100, 100, 100, 300, 50, 50]
    cost = [(old if i < 35 else new)[i % 7] for i in range(64)]
    f = forecast_month(days[:52], cost[:52])  # as of Wednesday Nov 18
    assert f.as_of == dt.date(2026, 11, 18)
    truth = sum(c for d, c in zip(days, cost, strict=True) if d.month == 11)
    assert f.expected == pytest.approx(truth)
    grid = np.array([np.datetime64(d, "D") for d in days[:52]])
    model = fit_daily(grid, np.array(cost[:52]))
    assert abs(f.spent + model.mean(grid[-1] + np.arange(1, 13)).sum() - truth) > 50  # the model alone misses


def _weekday_series(seed: int, n: int = 70) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    grid = np.arange(np.datetime64("2026-11-09") - n + 1, np.datetime64("2026-11-10"))  # .. Nov 9
    dense = np.array([120.0 if (i + 1) % 7 < 5 else 60.0 for i in range(n)]) + rng.normal(0, 20, n)
    horizon = np.arange(grid[-1] + 1, np.datetime64("2026-12-01"))
    return grid, dense, horizon


def test_with_enough_past_windows_the_interval_is_the_normalised_split_conformal_one():
    # 112 days of weekday-and-noise, as of Nov 9 (21 days left): the 56 latest past origins whose next
    # 21 days have all happened; each day's interval is the point forecast ± q × that day's spread, q
    # the ceil(0.8 (n + 1))-th smallest past |error| / spread
    grid, dense, horizon = _weekday_series(1, 112)
    h = len(horizon)
    c = calibrate(grid, dense, horizon)
    n = len(c.scores)
    assert h == 21 and n == c.windows == 56 and c.bounded
    # the model forecasts (its past origins summed the days better than the last week repeated)
    np.testing.assert_allclose(c.expected, np.cumsum(fit_daily(grid, dense).mean(horizon)))
    assert len(c.spread) == h and np.all(np.diff(c.spread) > 0)
    q = np.sort(np.abs(c.scores))[int(np.ceil(0.8 * (n + 1))) - 1]
    assert 0.5 < q < 3  # the paths' own spread is of the right size on a series the model describes
    np.testing.assert_allclose(c.low, c.expected - q * c.spread)
    np.testing.assert_allclose(c.high, c.expected + q * c.spread)
    # the last score by hand: the origin 21 days back, its fit's error over the 21 days that followed
    # (up to the as-of day) over half the 10-90 % range of that fit's own simulated sums
    o = len(grid) - 1 - h
    past = fit_daily(grid[: o + 1], dense[: o + 1])
    ahead = grid[o + 1:]
    assert len(ahead) == h
    sums = simulate(past, ahead, np.random.default_rng([SEED, o]), PAST_PATHS)[:, -1]
    lo, hi = np.quantile(sums, [0.1, 0.9])
    error = dense[o + 1:].sum() - past.mean(ahead).sum()
    assert c.scores[-1] == pytest.approx(error / ((hi - lo) / 2))


def test_past_windows_are_as_long_as_the_days_left_and_end_by_the_as_of_day():
    grid, dense, horizon = _weekday_series(1, 112)
    c = calibrate(grid, dense, horizon)
    # a spike on the as-of day is inside the last window (so that score moves) ...
    spiked = dense.copy()
    spiked[-1] += 5000
    moved = calibrate(grid, spiked, horizon)
    assert moved.scores[-1] != pytest.approx(c.scores[-1])
    # ... and a window one day shorter (from Nov 10, 20 days left) has other origins: one more of them
    shorter = calibrate(np.r_[grid, grid[-1] + 1], np.r_[dense, 100.0], horizon[1:])
    assert shorter.windows == 56 and len(shorter.expected) == 20


def test_the_conformal_rank_needs_four_windows_for_80_percent():
    assert MIN_WINDOWS == 4
    assert [conformal_rank(n) for n in (1, 2, 3, 4, 9, 56)] == [2, 3, 4, 4, 8, 46]


def test_thin_history_gives_no_upper_bound_and_says_why():
    # the FOCUS bill's shape: a week of history, 23 days left; no 23-day window has happened: there is
    # no finite 80 % quantile, so no upper bound (not a narrower stand-in) and no breach probability
    days = _days(NOV1, 7)
    f = forecast_month(days, [10.0, 10.0, 10.0, 10.0, 10.0, 60.0, 80.0], budget=1e6)
    assert (f.spent, f.low, f.high, f.past_windows, f.breach_probability) == (190.0, 190.0, np.inf, 0, None)
    assert not f.bounded and all(high == np.inf for _, _, _, high in f.path)
    assert f.unbounded_reason == ("upper bound: none — 0 past 23-day windows, 4 needed; "
                                  "breach probability not bounded by history")
    # without a budget, no probability is missing; with three windows, still none
    assert forecast_month(days, [10.0] * 6 + [80.0]).unbounded_reason == (
        "upper bound: none — 0 past 23-day windows, 4 needed")
    # spend already over the budget: a breach is certain, bounded or not
    assert forecast_month(days, [300.0] * 7, budget=1000).breach_probability == 1.0


def test_too_few_windows_of_the_days_left_are_not_stood_in_for_by_shorter_ones():
    # the purchase-rate series' shape: 24 days of weekday-and-noise, as of Nov 7 (23 days left).  Four
    # past 7-day windows (and one 10-day one) have happened since two weeks of history, no 23-day one.
    # Calibrating on the shorter windows was measured (the backtest's 14 such intervals held 7 of
    # their month-ends; README): the interval stays unbounded, its reason names today's length
    rng = np.random.default_rng(3)
    days = _days(dt.date(2026, 10, 15), 24)
    cost = [(120.0 if d.weekday() < 5 else 60.0) + e for d, e in zip(days, rng.normal(0, 10, 24), strict=True)]
    f = forecast_month(days, cost, budget=5000)
    assert f.as_of == dt.date(2026, 11, 7) and len(f.path) == 23
    assert (f.bounded, f.past_windows, f.breach_probability) == (False, 0, None)
    assert f.unbounded_reason == ("upper bound: none — 0 past 23-day windows, 4 needed; "
                                  "breach probability not bounded by history")


def test_an_unbounded_forecast_in_the_table_and_json(tmp_path, capsys):
    path = _daily_csv(tmp_path, _days(NOV1, 7), [10.0, 10.0, 10.0, 10.0, 10.0, 60.0, 80.0])
    assert main(["forecast", "--daily", str(path), "--budget", "5000"]) == 0
    out = capsys.readouterr().out
    assert "$190.00 – none" in out
    assert out.endswith("\nstack: upper bound: none — 0 past 23-day windows, 4 needed; "
                        "breach probability not bounded by history\n")
    assert main(["forecast", "--daily", str(path), "--budget", "5000", "-f", "json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)["forecasts"]
    assert doc["interval_80"] == [190, None] and doc["breach_probability"] is None and doc["past_windows"] == 0
    assert doc["unbounded"].startswith("upper bound: none — 0 past 23-day windows, 4 needed")


def test_the_gate_on_an_unbounded_forecast_is_the_point_forecast_against_the_budget(tmp_path, capsys):
    # no probability to compare with --breach-probability: the gate fails when the point forecast is
    # over the budget, and passes when it is under (even at a threshold of 0)
    path = _daily_csv(tmp_path, _days(NOV1, 7), [100.0] * 7)
    f = forecast_month(_days(NOV1, 7), [100.0] * 7, budget=2500)
    assert not f.bounded and f.expected == pytest.approx(3000) and f.over_budget
    gate = ["forecast", "--daily", str(path), "--fail-on-breach", "--breach-probability", "0"]
    assert main([*gate, "--budget", "2500"]) == 1
    assert main([*gate, "--budget", "3500"]) == 0


def test_the_scores_are_scale_free_and_the_interval_scales_with_the_series():
    # × 1024, a power of two: exact in floating point, so the paths draw the same numbers too (another
    # factor draws other paths from the same distribution: the same scores up to simulation noise)
    grid, dense, horizon = _weekday_series(5)
    c, scaled = calibrate(grid, dense, horizon), calibrate(grid, 1024 * dense, horizon)
    np.testing.assert_allclose(scaled.scores, c.scores, rtol=1e-6)
    np.testing.assert_allclose((scaled.expected, scaled.low, scaled.high), 1024 * np.array((c.expected, c.low, c.high)),
                               rtol=1e-6)


def test_origins_whose_history_was_constant_are_scored_against_the_others_spread():
    # $50 a day for four weeks, then noise around $80: the earliest past fits saw a constant history
    # and stated no spread; their misses count (against the spread the other origins stated), finitely
    rng = np.random.default_rng(2)
    grid = np.arange(np.datetime64("2026-09-01"), np.datetime64("2026-11-11"))
    dense = np.r_[np.full(28, 50.0), 80 + rng.normal(0, 10, len(grid) - 28)]
    horizon = np.arange(grid[-1] + 1, np.datetime64("2026-12-01"))
    c = calibrate(grid, dense, horizon)
    assert c.windows >= 4 and c.bounded
    assert np.all(np.isfinite(c.scores)) and np.all(np.isfinite(c.low)) and np.all(np.isfinite(c.high))
    assert np.max(np.abs(c.scores)) > 3  # the level shift is a large miss in the constant fits' scale
    assert c.low[-1] < c.expected[-1] < c.high[-1]
    flat = calibrate(grid, np.full(len(grid), 50.0), horizon)  # never a miss: no spread, no interval
    assert not np.any(flat.scores) and flat.low[-1] == flat.high[-1] == pytest.approx(50.0 * len(horizon))


def test_an_unbounded_forecast_in_the_html_report(tmp_path):
    # the fan runs to the top of the chart (no infinite coordinate) and the reason is written under the table
    path = _daily_csv(tmp_path, _days(NOV1, 7), [100.0] * 7)
    out = tmp_path / "f.html"
    assert main(["forecast", "--daily", str(path), "--budget", "2500", "-f", "html", "-o", str(out)]) == 0
    page = out.read_text()
    assert "<svg" in page and "inf" not in page.lower().replace("info", "") and "nan" not in page.lower()
    assert "upper bound: none — 0 past 23-day windows, 4 needed" in page and "– none</td>" in page


@pytest.mark.parametrize("probability,expected,high,threshold,fails", [
    (0.8, 90.0, 120.0, 0.8, True),  # bounded: the probability decides
    (0.79, 110.0, 120.0, 0.8, False),  # … even with the point forecast over budget
    (None, 110.0, float("inf"), 0.8, True),  # unbounded: the point forecast against the budget
    (None, 90.0, float("inf"), 0.0, False),  # … and never the unbounded tail alone
])
def test_a_forecast_says_whether_the_breach_gate_fails(probability, expected, high, threshold, fails) -> None:
    from plangate.analytics.records import Forecast

    day = dt.date(2024, 9, 1)
    f = Forecast("stack", day, day, 10.0, expected, 50.0, high, budget=100.0, breach_probability=probability)
    assert f.likely_breach(threshold) is fails
