"""The adversarial trial's analytics cases (issue 21): each was an internal error (exit 3) or a wrong
answer, and is now one line on stderr with exit 2 — or the right answer."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import time

import numpy as np
import pytest
from analytics_testing import plan_file, report_lines, series_file

from plangate.analytics.anomalies import METRIC_SPIKE
from plangate.cli import main

FIRST_DAY = dt.date(2024, 8, 1)
DAYS = 60  # 2024-08-01 .. 2024-09-29
LAST_DAY = FIRST_DAY + dt.timedelta(days=DAYS - 1)


def focus_csv(path, days: int = DAYS) -> None:
    """Two services billed about $10 a day each, tagged env=prod, no team tag."""
    rng = np.random.default_rng(0)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["BilledCost", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
                    "ChargePeriodEnd", "ProviderName", "ServiceName", "ResourceId", "Tags", "BillingAccountId"])
        for i in range(days):
            day = FIRST_DAY + dt.timedelta(days=i)
            period = day.replace(day=1)
            for service in ("AWS Lambda", "Amazon S3"):
                w.writerow([f"{10 + rng.random():.4f}", "USD", f"{period} 00:00:00", f"{period} 00:00:00",
                            f"{day} 00:00:00", f"{day} 23:59:59", "AWS", service, f"r-{service[-2:]}",
                            '{"env":"prod"}', "123"])


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lake")
    focus_csv(folder / "bill.csv")
    path = folder / "lake.duckdb"
    assert main(["ingest", str(folder / "bill.csv"), "--lake", str(path)]) == 0
    return path


def one_error(capsys) -> str:
    """The one line on stderr (nothing on stdout), without its 'plangate: error: ' prefix."""
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured
    assert captured.err.startswith("plangate: error: "), captured.err
    return captured.err.removeprefix("plangate: error: ").rstrip("\n")


# -- internal errors that are now bad input -----------------------------------------------------------

def test_an_empty_folder_is_not_a_lake(tmp_path, capsys):
    assert main(["anomalies", "--lake", str(tmp_path)]) == 2
    assert one_error(capsys) == (f"{tmp_path}: not a lake (a .duckdb file from `plangate ingest`, or a folder with "
                                 "costs/*.parquet and metrics/*.parquet): no costs/*.parquet")


@pytest.mark.parametrize("command", ["anomalies", "forecast"])
def test_a_cost_column_of_text_is_refused(lake, capsys, command):
    capsys.readouterr()
    assert main([command, "--lake", str(lake), "--cost", "ServiceName"]) == 2
    assert one_error(capsys) == ("cost column 'ServiceName': holds string, not amounts "
                                 "(BilledCost, EffectiveCost, ListCost, …)")


def test_forecasting_a_month_after_the_data_is_refused(lake, capsys):
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake), "--month", "2030-01"]) == 2
    assert one_error(capsys) == (f"forecast stack: the month 2030-01 starts after the as-of day {LAST_DAY}: "
                                 "nothing of it is observed yet (forecast it once its first day has data)")


def test_a_headroom_past_the_bound_is_a_usage_error(lake, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["suggest", "--lake", str(lake), "--headroom", "1e308", "-c", str(tmp_path / "plangate.yaml")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.endswith("argument --headroom: expected a share between 0 and 10, got '1e308'\n")


# -- wrong answers that are now exit 2 or right -----------------------------------------------------

def test_an_as_of_after_the_data_is_refused_not_forecast_as_zero(lake, capsys):
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake), "--as-of", "2099-01-01"]) == 2
    assert one_error(capsys) == f"forecast stack: --as-of 2099-01-01 is after the last day with data ({LAST_DAY})"


def test_budget_with_lake_is_the_stack_ceiling(lake, capsys):
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake), "--budget", "100", "-f", "json", "--fail-on-breach"]) == 1
    (stack,) = json.loads(capsys.readouterr().out)["forecasts"]
    assert stack["scope"] == "stack" and stack["budget"] == 100.0
    assert stack["breach_date"] == "2024-09-05"  # about $21 a day: the fifth day passes $100
    assert main(["forecast", "--lake", str(lake), "--budget", "1000000", "--fail-on-breach", "-f", "json"]) == 0


def test_a_month_before_the_as_of_day_is_what_was_spent(lake, capsys):
    capsys.readouterr()
    assert main(["forecast", "--lake", str(lake), "--month", "2024-08", "-f", "json"]) == 0
    (august,) = json.loads(capsys.readouterr().out)["forecasts"]
    assert august["month"] == "2024-08-01" and august["as_of"] == "2024-08-31"
    assert august["expected"] == august["spent"] == august["interval_80"][0] == august["interval_80"][1]


def test_repeated_timestamps_are_not_a_time_series(tmp_path, capsys):
    path = tmp_path / "same.csv"
    values = np.r_[np.full(499, 10.0), 10.5]
    path.write_text("timestamp,value\n" + "".join(f"2024-01-01 00:00:00,{v}\n" for v in values))
    assert main(["anomalies", "--metric", str(path)]) == 2
    assert one_error(capsys) == (f"{path}: 499 of 500 rows repeat an earlier timestamp: not a time series "
                                 "(aggregate it to one value per timestamp first)")


def test_a_flat_series_with_a_tiny_change_does_not_score_in_the_trillions(tmp_path, capsys):
    path = tmp_path / "flat.csv"
    times = np.arange(np.datetime64("2024-01-01T00:00"), np.datetime64("2024-01-04T00:00"), np.timedelta64(5, "m"))
    values = np.full(len(times), 50.0)
    values[600] = 50.000001  # a rounding difference, not an incident
    values[700] = 80.0  # an incident
    path.write_text("timestamp,value\n" + "".join(f"{t},{float(v)!r}\n" for t, v in zip(times, values, strict=True)))
    assert main(["anomalies", "--metric", str(path), "-f", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["anomalies"]
    assert [a["start"] for a in found] == [str(times[700].astype("datetime64[s]"))]
    # the scale floor; a lone sample above everything before it scores its own z over METRIC_SPIKE
    assert found[0]["score"] == pytest.approx(30.0 / (50.0 * 1e-6) / METRIC_SPIKE, rel=1e-6)


def test_a_missing_tag_is_said_not_shown_as_one_none_series(lake, capsys):
    capsys.readouterr()
    assert main(["anomalies", "--lake", str(lake), "--by", "tag:team"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "No anomaly found.\n"
    assert captured.err == (f"plangate: warning: tag 'team': no billing row in {lake} carries it, "
                            "so all spend is one scope '(none)'\n")


# -- waste ---------------------------------------------------------------------------------------------

def test_max_memory_used_above_the_memory_size_is_refused(tmp_path, capsys):
    log = tmp_path / "scorer.log"
    lines = report_lines(200, used=lambda i: 4000 if i == 57 else 300)
    log.write_text("\n".join(lines) + "\n")
    assert main(["waste", str(plan_file(tmp_path)), "--lambda-logs", f"scorer={log}"]) == 2
    assert one_error(capsys) == f"{log}:58: Max Memory Used 4000 MB is above the Memory Size 3008 MB"


def test_negative_invocations_are_refused(tmp_path, capsys):
    counts = np.zeros(14 * 24)
    counts[30] = -5
    path = series_file(tmp_path, "inv.csv", counts)
    assert main(["waste", str(plan_file(tmp_path)), "--invocations", f"ep={path}"]) == 2
    assert one_error(capsys) == f"{path}: Invocations: -5 at 2026-11-02T06:00:00 is a negative count"


def test_utilisation_outside_0_to_100_percent_is_refused(tmp_path, capsys):
    path = series_file(tmp_path, "pc.csv", np.r_[np.full(14 * 24 - 1, 0.2), 250.0])
    assert main(["waste", str(plan_file(tmp_path)), "--pc-utilization", f"live={path}"]) == 2
    assert one_error(capsys) == (f"{path}: ProvisionedConcurrencyUtilization: values must be a share 0-1 or a "
                                 "percentage 0-100, found 0.2 to 250")


# -- a lake another process holds -----------------------------------------------------------------------

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold(lake, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(lake), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_locked_lake_fails_after_the_timeout_naming_the_holder(lake, capsys):
    capsys.readouterr()
    proc = hold(lake, 60)
    try:
        started = time.monotonic()
        assert main(["anomalies", "--lake", str(lake), "--lock-timeout", "0.5"]) == 2
        assert time.monotonic() - started < 20
        assert one_error(capsys) == (f"{lake}: the lake is locked by another process (held by "
                                     f"{_program()}, PID {proc.pid}); waited 0.5 s (--lock-timeout or "
                                     "PLANGATE_LOCK_TIMEOUT to wait longer)")
    finally:
        proc.kill()
        proc.wait()


def test_a_lake_released_within_the_timeout_is_read(lake, capsys, monkeypatch):
    capsys.readouterr()
    monkeypatch.setenv("PLANGATE_LOCK_TIMEOUT", "60")
    proc = hold(lake, 1.5)
    try:
        assert main(["anomalies", "--lake", str(lake)]) == 0
        assert capsys.readouterr().out == "No anomaly found.\n"
    finally:
        proc.wait()


def _program() -> str:
    import os

    return os.path.basename(os.path.realpath(sys.executable))
