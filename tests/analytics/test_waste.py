"""Waste: Lambda memory from REPORT lines, idle functions and endpoints, unused provisioned
concurrency — savings priced by the cost model, checked here against AWS's published prices."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from analytics_testing import CONFIG, ENDPOINT, FN, HOURS, PC, plan_file, report_lines, series_file

from plangate.analytics.series import MetricSeries
from plangate.analytics.waste import idle, lambda_memory, parse_reports, unused_provisioned_concurrency
from plangate.cli import main
from plangate.errors import InputError

GB_SECOND = 0.0000166667  # Lambda x86 duration, us-east-1, first tier (aws.amazon.com/lambda/pricing)
PC_GB_SECOND = 0.0000041667  # provisioned concurrency, x86, us-east-1
M5_LARGE_HOUR = 0.115  # ml.m5.large real-time hosting, us-east-1

def test_report_lines_are_parsed_and_the_span_read_from_their_timestamps():
    lines = ["START RequestId: x Version: $LATEST", *report_lines(500), "END RequestId: x"]
    r = parse_reports("scorer", lines)
    assert len(r) == 500 and r.memory_mb.max() == 3008 and r.max_used_mb.max() == 309
    assert r.days == pytest.approx(14, abs=0.1)
    json_line = json.dumps({"timestamp": 1, "message": lines[1].split("\t", 1)[1]})
    assert len(parse_reports("scorer", [json_line])) == 1
    with pytest.raises(InputError, match="no Lambda REPORT lines"):
        parse_reports("scorer", ["hello"], "log.txt")


def test_memory_right_sizing_saving_is_the_priced_difference():
    reports = parse_reports("scorer", report_lines(30_000))
    item = lambda_memory(FN, reports)
    assert item.kind == "lambda-memory" and item.suggested == {"memory_mb": 448}  # ceil(309 * 1.3 / 64) * 64
    monthly_requests = 30_000 / reports.days * 730 / 24
    expected = monthly_requests * (3008 - 448) / 1024 * 0.102 * GB_SECOND
    assert float(item.monthly_savings) == pytest.approx(expected, rel=1e-3)


def test_memory_near_the_peak_or_too_few_invocations_is_not_waste():
    assert lambda_memory(FN, parse_reports("scorer", report_lines(30))) is None
    busy = parse_reports("scorer", report_lines(500, used=lambda i: 2900, size=3008))
    assert lambda_memory(FN, busy) is None


def test_unused_provisioned_concurrency():
    item = unused_provisioned_concurrency(PC, MetricSeries("u", HOURS, np.full(len(HOURS), 10.0)), [FN, PC])
    assert item.suggested == {"provisioned_concurrency": 7}  # 10 % of 50 = 5, + 30 % -> 7
    expected = (50 - 7) * 3008 / 1024 * 730 * 3600 * PC_GB_SECOND
    assert float(item.monthly_savings) == pytest.approx(expected, rel=1e-3)
    full = MetricSeries("u", HOURS, np.full(len(HOURS), 0.95))
    assert unused_provisioned_concurrency(PC, full, [FN, PC]) is None


def test_idle_endpoint_and_function():
    quiet = MetricSeries("i", HOURS, np.zeros(len(HOURS)))
    item = idle(ENDPOINT, quiet, [ENDPOINT, CONFIG])
    assert item.kind == "idle-endpoint" and float(item.monthly_savings) == pytest.approx(2 * M5_LARGE_HOUR * 730)
    fn_item = idle(FN, quiet, [FN, PC])
    assert fn_item.kind == "idle-function"
    assert float(fn_item.monthly_savings) == pytest.approx(50 * 3008 / 1024 * 730 * 3600 * PC_GB_SECOND, rel=1e-3)
    busy = MetricSeries("i", HOURS, np.r_[np.zeros(len(HOURS) - 1), 1.0])
    assert idle(ENDPOINT, busy, [ENDPOINT, CONFIG]) is None
    short = MetricSeries("i", HOURS[:48], np.zeros(48))
    assert idle(ENDPOINT, short, [ENDPOINT, CONFIG]) is None  # two days are not a week of evidence


def test_cli_json_ranks_by_saving(tmp_path, capsys):
    logs = tmp_path / "scorer.log"
    logs.write_text("\n".join(report_lines(30_000)) + "\n")
    args = ["waste", str(plan_file(tmp_path)), "--lambda-logs", f"scorer={logs}",
            "--invocations", f"ep={series_file(tmp_path, 'inv.csv', np.zeros(len(HOURS)))}",
            "--pc-utilization", f"live={series_file(tmp_path, 'pc.csv', np.full(len(HOURS), 0.1))}", "-f", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    kinds = [w["kind"] for w in doc["waste"]]
    assert kinds == ["unused-provisioned-concurrency", "idle-endpoint", "lambda-memory"]
    total = sum(Decimal(w["monthly_savings"]) for w in doc["waste"])
    assert Decimal(doc["monthly_savings"]) == pytest.approx(total, abs=Decimal("0.02"))
    assert main([*args[:-2], "--fail-over", "100"]) == 1


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    plan = plan_file(tmp_path)
    assert main(["waste", str(plan), "--lambda-logs", "nosuch=x.log"]) == 2
    assert "nosuch: no aws_lambda_function" in capsys.readouterr().err
    assert main(["waste", str(plan), "--lambda-logs", f"scorer={tmp_path / 'missing.log'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.log: cannot read" in err
    assert main(["waste", str(plan)]) == 2
    assert "give usage evidence" in capsys.readouterr().err
