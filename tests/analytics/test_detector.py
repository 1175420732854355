"""The anomaly detector: scikit-learn conformance and the behaviour costs need."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_estimator

from plangate.analytics.anomalies import METRIC_SPIKE, METRIC_THRESHOLD, metric_detector
from plangate.analytics.detector import EXPECTED_FAILED_CHECKS, SeasonalRobustDetector


def weekly(days: int = 84, seed: int = 0, trend: float = 0.0) -> np.ndarray:
    """Daily spend with a weekday / weekend cycle, noise and an optional daily trend."""
    rng = np.random.default_rng(seed)
    week = np.array([100, 104, 103, 101, 99, 60, 55], float)
    return np.tile(week, days // 7 + 1)[:days] + trend * np.arange(days) + rng.normal(0, 2, days)


def flagged(det: SeasonalRobustDetector, y: np.ndarray) -> list[int]:
    X = y.reshape(-1, 1)
    return np.flatnonzero(det.fit(X).predict(X) == -1).tolist()


def test_passes_the_scikit_learn_checks_that_apply_to_time_series():
    # at the threshold `anomalies` uses for metrics; the outlier checks expect some of 300 shuffled blob
    # rows flagged, which the one-sided cost configuration (robust z 5, spend going up) rightly does not
    results = check_estimator(SeasonalRobustDetector(threshold=METRIC_THRESHOLD),
                              expected_failed_checks=EXPECTED_FAILED_CHECKS,
                              on_fail=None, on_skip=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert failed == []
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(EXPECTED_FAILED_CHECKS)
    assert sum(r["status"] == "passed" for r in results) > 30


def test_fit_stores_learned_state_with_trailing_underscores_only():
    det = SeasonalRobustDetector(period=7, window=28)
    before = dict(vars(det))
    assert det.fit(weekly().reshape(-1, 1)) is det
    learned = set(vars(det)) - set(before)
    assert learned and all(name.endswith("_") for name in learned)
    assert clone(det).get_params() == det.get_params()


def test_clean_weekly_series_with_trend_has_no_anomaly():
    for seed in range(5):
        assert flagged(SeasonalRobustDetector(period=7, window=28, direction="up"), weekly(seed=seed, trend=1.5)) == []


def test_spike_is_found_on_its_day_and_does_not_bend_the_fit():
    y = weekly()
    y[50] += 80
    det = SeasonalRobustDetector(period=7, window=28, direction="up")
    assert flagged(det, y) == [50]
    clean = SeasonalRobustDetector(period=7, window=28, direction="up").fit(weekly().reshape(-1, 1))
    # the robust fit learns the same weekly profile with or without the spike
    assert np.allclose(det.seasonal_, clean.seasonal_, atol=1.0)
    assert det.expected(y.reshape(-1, 1))[50, 0] == pytest.approx(weekly()[50], abs=8)


def test_level_shift_is_caught_on_its_first_day():
    y = weekly()
    y[60:] += 40
    found = flagged(SeasonalRobustDetector(period=7, window=28, direction="up"), y)
    assert found and found[0] == 60


def test_spend_that_appears_from_nothing_is_caught_on_day_one():
    y = np.zeros(40)
    y[30:] = 12.0
    det = SeasonalRobustDetector(period=7, window=28, direction="up", min_scale=0.01)
    assert flagged(det, y)[0] == 30


def test_many_scopes_are_scored_in_one_pass_column_by_column():
    a, b = weekly(seed=1), weekly(seed=2)
    b[40] += 90
    X = np.column_stack([a, b])
    det = SeasonalRobustDetector(period=7, window=28, direction="up").fit(X)
    scores = det.anomaly_scores(X)
    assert scores.shape == X.shape
    assert np.flatnonzero(scores[:, 1] >= det.threshold).tolist() == [40]
    assert not (scores[:, 0] >= det.threshold).any()
    assert np.flatnonzero(det.predict(X) == -1).tolist() == [40]


def test_direction_up_ignores_drops_and_both_sees_them():
    y = weekly()
    y[45] -= 70
    assert flagged(SeasonalRobustDetector(period=7, window=28, direction="up"), y) == []
    assert flagged(SeasonalRobustDetector(period=7, window=28, direction="both"), y) == [45]


@pytest.mark.parametrize("params", [dict(period=-1), dict(window=1), dict(direction="sideways"),
                                    dict(threshold=float("nan")), dict(smooth=0), dict(scale_quantile=1.0),
                                    dict(spike=-1.0), dict(spike=float("inf")), dict(spike_memory=-1),
                                    dict(spike_memory=2.5)])
def test_bad_parameters_are_refused_at_fit(params):
    with pytest.raises(ValueError):
        SeasonalRobustDetector(**params).fit(weekly().reshape(-1, 1))


# -- weekly seasonality, chosen from the data --------------------------------------------------------


def hourly(weeks: float, weekend_lift: float, seed: int = 0) -> np.ndarray:
    """Hourly load: a daily cycle, noise, and ``weekend_lift`` added from midnight to 3 am on
    Saturday and Sunday (the shape of NAB `nyc_taxi`'s weekend nights)."""
    rng = np.random.default_rng(seed)
    n = int(weeks * 168)
    hour = np.arange(n) % 24
    day = np.arange(n) // 24 % 7
    y = 100 + 20 * np.sin(2 * np.pi * hour / 24) + rng.normal(0, 2, n)
    return y + weekend_lift * ((day >= 5) & (hour <= 2))


def metric_like(long_period: int = 168, spike: float = METRIC_SPIKE) -> SeasonalRobustDetector:
    """The product's configuration for an hourly metric (`metric_detector`), with or without the week
    and the spike rule."""
    return SeasonalRobustDetector(period=24, long_period=long_period, window=24, threshold=2.5, smooth=2,
                                  scale_quantile=0.95, spike=spike, spike_memory=48)


def test_metric_like_is_the_product_configuration_for_hourly_metrics():
    assert metric_detector(3600).get_params() == metric_like().get_params()


def test_hour_of_week_is_chosen_when_three_weeks_show_it_and_ends_the_weekly_false_alarms():
    y = hourly(weeks=5, weekend_lift=40)
    assert metric_like().fit(y.reshape(-1, 1)).period_.tolist() == [168]
    assert flagged(metric_like(), y) == []
    # the daily cycle alone flags the weekend nights of every week
    nights = flagged(metric_like(long_period=0), y)
    assert {(i // 168, i // 24 % 7) for i in nights} == {(w, d) for w in range(5) for d in (5, 6)}


def test_the_daily_cycle_is_kept_without_three_weeks_or_without_a_weekly_cycle():
    assert metric_like().fit(hourly(2.9, 40).reshape(-1, 1)).period_.tolist() == [24]
    for seed in range(3):
        assert metric_like().fit(hourly(5, 0, seed=seed).reshape(-1, 1)).period_.tolist() == [24]


def test_day_of_week_is_chosen_per_column_of_daily_cost():
    rng = np.random.default_rng(4)
    # the third column has a low day every fifth day: a cycle, but not a weekly one
    fifth = 100 - 40 * (np.arange(35) % 5 == 0) + rng.normal(0, 2, 35)
    X = np.column_stack([weekly(days=35), rng.normal(100, 2, 35), fifth])
    det = SeasonalRobustDetector(period=1, long_period=7, window=28, direction="up").fit(X)
    assert det.period_.tolist() == [7, 1, 1]
    assert det.fit(X[:20]).period_.tolist() == [1, 1, 1]  # under three weeks: no day-of-week


def test_a_long_period_that_is_not_a_whole_number_of_periods_is_refused():
    with pytest.raises(ValueError, match="long_period"):
        SeasonalRobustDetector(period=24, long_period=100).fit(hourly(5, 0).reshape(-1, 1))


# -- spikes: a lone sample is not averaged away, routine bursts do not page -------------------------


def five_minutes(days: int = 14, seed: int = 5) -> np.ndarray:
    """Five-minute load: a daily cycle and Gaussian noise (sd 2)."""
    rng = np.random.default_rng(seed)
    n = days * 288
    return 100 + 20 * np.sin(2 * np.pi * np.arange(n) / 288) + rng.normal(0, 2, n)


def five_minute_metric(**params) -> SeasonalRobustDetector:
    return metric_detector(300).set_params(**params)


def _lone_spike(height_in_scales: float, sign: float = 1.0) -> tuple[np.ndarray, int]:
    """Two weeks of five-minute load with one sample moved by ``height_in_scales`` times the scale
    the metric configuration learns from the clean series."""
    y = five_minutes()
    scale = float(five_minute_metric().fit(y.reshape(-1, 1)).scale_[0])
    y[2500] += sign * height_in_scales * scale
    return y, 2500


def test_a_lone_spike_alerts_on_its_own_sample_instead_of_being_averaged_away():
    y, at = _lone_spike(8.0)  # over two hours (24 samples) it would average to about 0.3
    assert flagged(five_minute_metric(), y) == [at]
    assert flagged(five_minute_metric(spike=0.0), y) == []
    det = five_minute_metric().fit(y.reshape(-1, 1))
    z = det.zscores(y.reshape(-1, 1))[at, 0]
    assert det.anomaly_scores(y.reshape(-1, 1))[at, 0] == pytest.approx(z / METRIC_SPIKE)


def test_a_drop_is_a_spike_only_where_drops_count():
    y, at = _lone_spike(8.0, sign=-1.0)
    assert flagged(five_minute_metric(), y) == [at]
    assert flagged(five_minute_metric(direction="up"), y) == []


def test_routine_bursts_do_not_page_but_a_burst_above_them_does():
    y = five_minutes(seed=6)
    y[7::35] += 25  # a batch job every 175 minutes (off the daily cycle): the series' normal, z ~ 10
    assert flagged(five_minute_metric(), y) == []
    y[2503] += 40  # one run far heavier than any of the last two days
    assert flagged(five_minute_metric(), y) == [2503]


def test_no_spike_is_judged_before_a_day_of_history():
    y = five_minutes()
    y[5] += 60  # against five earlier samples it would be a record of anything
    X = y.reshape(-1, 1)
    with_spikes = five_minute_metric().fit(X).anomaly_scores(X)
    assert np.array_equal(with_spikes, five_minute_metric(spike=0.0).fit(X).anomaly_scores(X))


def test_a_level_shift_of_a_five_minute_metric_is_flagged_within_three_steps():
    y = five_minutes(seed=7)
    y[2500:] += 10  # five noise standard deviations, lasting
    found = flagged(five_minute_metric(), y)
    assert found and 2500 <= found[0] <= 2503
