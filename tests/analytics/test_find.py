"""`find_anomalies`: what a source holds decides how it is scored and which alert policy judges it;
the result carries the policy it applied.  Real data: a NAB CloudWatch series and the FOCUS 1.0
sample (../shared/data)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DATA, needs_data

from plangate.analytics.alerts import COST_ALERTS, METRIC_ALERTS, AlertPolicy
from plangate.analytics.find import find_anomalies
from plangate.analytics.series import read_metric_csv
from plangate.errors import PlangateError

NAB = DATA / "nab" / "realAWSCloudwatch" / "ec2_cpu_utilization_24ae8d.csv"
FOCUS = DATA / "focus" / "focus_1_0_sample_1000.csv"


def _lake(tmp_path, *files):
    from plangate.lake import open_lake
    from plangate.lake.ingest import ingest

    target = tmp_path / "lake.duckdb"
    ingest(target, list(files))
    return open_lake(target)


@needs_data
def test_metric_series_are_judged_by_the_metric_policy_unless_told():
    series = [read_metric_csv(NAB)]
    found = find_anomalies(series)
    assert (found.kind, found.policy, found.scored, found.series) == ("metric", METRIC_ALERTS, (str(NAB),), ())
    assert found.anomalies and all(a.alert for a in found.anomalies)
    told = find_anomalies(series, min_impact_pct=1e9, with_series=True)
    assert told.policy == AlertPolicy(0.0, 1e9) and not told.alerting
    assert [s.name for s in told.series] == [str(NAB)]


@needs_data
def test_a_lake_of_metric_series_is_scored_as_those_series(tmp_path):
    lake = _lake(tmp_path, NAB)
    try:
        from_lake = find_anomalies(lake)
    finally:
        lake.close()
    from_file = find_anomalies([read_metric_csv(NAB)])
    assert (from_lake.kind, from_lake.policy) == ("metric", METRIC_ALERTS)
    assert [(a.start, a.end, a.score, a.alert) for a in from_lake.anomalies] == [
        (a.start, a.end, a.score, a.alert) for a in from_file.anomalies]


@needs_data
def test_a_billing_lake_is_scored_per_scope_by_the_cost_policy(tmp_path):
    lake = _lake(tmp_path, FOCUS)
    try:
        found = find_anomalies(lake, by=["RegionId", "tag:no-such-key"], with_series=True)
        overridden = find_anomalies(lake, min_impact=0)
        with pytest.raises(PlangateError, match="no billing rows in the window and no metric series"):
            find_anomalies(lake, start=dt.date(2030, 1, 1))
    finally:
        lake.close()
    assert (found.kind, found.policy, found.scored) == ("cost", COST_ALERTS, ("RegionId", "tag:no-such-key"))
    assert found.notes == (f"tag 'no-such-key': no billing row in {tmp_path / 'lake.duckdb'} carries it, so all "
                           "spend is one scope '(none)'",)
    assert found.anomalies and found.series
    assert overridden.policy == AlertPolicy(0.0, COST_ALERTS.min_impact_pct)
    assert [a.alert for a in overridden.anomalies] == [overridden.policy.passes(a) for a in overridden.anomalies]


@needs_data
def test_daily_cost_is_fitted_once_per_scope(tmp_path, monkeypatch):
    from plangate.analytics.costs import daily_scores
    from plangate.analytics.detector import SeasonalRobustDetector

    fits = []
    real_fit = SeasonalRobustDetector.fit
    monkeypatch.setattr(SeasonalRobustDetector, "fit", lambda self, X, y=None: fits.append(X.shape) or
                        real_fit(self, X, y))
    lake = _lake(tmp_path, FOCUS)
    try:
        drawn = daily_scores(lake, ["RegionId"], limit=100)
    finally:
        lake.close()
    assert len(drawn) > 1 and len(fits) == len(drawn)
