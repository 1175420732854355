"""``plangate anomalies``: the JSON contract on metric series and on the lake, HTML output, bad input."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest
from conftest import DATA, needs_data

from plangate.cli import main

NAB = DATA / "nab" / "realAWSCloudwatch" / "ec2_cpu_utilization_24ae8d.csv"
FOCUS = DATA / "focus" / "focus_1_0_sample_1000.csv"
WINDOWS = DATA / "nab" / "labels" / "combined_windows.json"


def _one_error_line(capsys, *fragments: str) -> None:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("plangate: error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in captured.err


def _json(capsys) -> dict:
    out = capsys.readouterr().out
    return json.loads(out)


@needs_data
def test_metric_json_contract_finds_the_labelled_window(capsys):
    assert main(["anomalies", "--metric", str(NAB), "--format", "json"]) == 0
    doc = _json(capsys)
    assert set(doc) == {"anomalies", "alert_policy"} and doc["anomalies"]
    assert doc["alert_policy"] == {"min_impact": 0.0, "min_impact_pct": 0.0}
    windows = json.loads(WINDOWS.read_text())["realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv"]
    spans = [(dt.datetime.fromisoformat(a[:19]), dt.datetime.fromisoformat(b[:19])) for a, b in windows]
    for a in doc["anomalies"]:
        start, end = dt.datetime.fromisoformat(a["start"]), dt.datetime.fromisoformat(a["end"])
        assert start <= end and isinstance(a["score"], float)
        assert {"expected", "actual", "impact", "impact_pct"} <= set(a)
    starts = [dt.datetime.fromisoformat(a["start"]) for a in doc["anomalies"]]
    assert any(lo <= s <= hi for s in starts for lo, hi in spans), (starts, spans)


def test_metric_series_with_a_spike(tmp_path, capsys):
    times = np.arange(np.datetime64("2026-11-01T00:00"), np.datetime64("2026-11-08T00:00"), np.timedelta64(1, "h"))
    rng = np.random.default_rng(3)
    values = 100 + 10 * np.sin(np.arange(len(times)) * 2 * np.pi / 24) + rng.normal(0, 1, len(times))
    values[120:123] += 60
    path = tmp_path / "series.csv"
    path.write_text("timestamp,value\n" + "".join(f"{t}:00,{v:.3f}\n" for t, v in zip(times, values, strict=True)))
    assert main(["anomalies", "--metric", str(path), "-f", "json"]) == 0
    found = _json(capsys)["anomalies"]
    assert [a["start"] for a in found] == [f"{times[120]}:00"]


@needs_data
def test_lake_json_contract_and_html(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(FOCUS), "--lake", str(lake)]) == 0
    capsys.readouterr()
    assert main(["anomalies", "--lake", str(lake), "--format", "json", "--min-impact", "0",
                 "--min-impact-pct", "0"]) == 0
    found = _json(capsys)["anomalies"]
    assert found and all(dt.date.fromisoformat(a["start"][:10]) <= dt.date.fromisoformat(a["end"][:10])
                         for a in found)
    assert all(a["unit"] == "USD" and set(a["scope"]) == {"ServiceName"} for a in found)
    assert main(["anomalies", "--lake", str(lake), "--by", "RegionId", "--format", "html",
                 "-o", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 1 and "RegionId=" in page


@needs_data
def test_fail_on_alert_exits_1(tmp_path, capsys):
    assert main(["anomalies", "--metric", str(NAB), "--fail-on-alert", "-f", "json"]) == 1


@pytest.mark.parametrize("text,fragment", [
    ("", "empty file"),
    ("time,val\n2026-01-01,1\n", "missing column 'timestamp'"),
    ("timestamp,value\n", "no rows after the header"),
    ("timestamp,value\n2026-01-01 00:00,1\nyesterday,2\n", ":3: column timestamp: 'yesterday'"),
    ("timestamp,value\n2026-01-01 00:00,1\n2026-01-01 01:00,abc\n", ":3: column value: 'abc'"),
    ("timestamp,value\n2026-01-01 00:00,1\n2026-01-01 01:00,inf\n", "not a finite number"),
    ("timestamp,value\n2026-01-01 00:00,1\n2026-01-01 01:00,1e999\n", "not a finite number"),
])
def test_bad_metric_files_are_one_line_exit_2(tmp_path, capsys, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert main(["anomalies", "--metric", str(path)]) == 2
    _one_error_line(capsys, str(path), fragment)


def test_unreadable_inputs_are_one_line_exit_2(tmp_path, capsys):
    assert main(["anomalies", "--metric", str(tmp_path / "missing.csv")]) == 2
    _one_error_line(capsys, "missing.csv", "cannot read")
    assert main(["anomalies", "--metric", str(tmp_path)]) == 2  # a folder
    _one_error_line(capsys, str(tmp_path))
    assert main(["anomalies", "--lake", str(tmp_path / "none.duckdb")]) == 2
    _one_error_line(capsys, "none.duckdb")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 50)
    assert main(["anomalies", "--metric", str(binary)]) == 2
    _one_error_line(capsys, str(binary))


@pytest.mark.parametrize("flag", ["--min-impact", "--min-impact-pct"])
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "lots"])
def test_bad_thresholds_are_usage_errors(capsys, flag, value):
    with pytest.raises(SystemExit) as exit_:
        main(["anomalies", "--metric", "x.csv", flag, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err


@needs_data
def test_lake_of_metric_series_gives_what_the_file_gives(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(NAB), "--lake", str(lake)]) == 0
    capsys.readouterr()
    assert main(["anomalies", "--lake", str(lake), "-f", "json"]) == 0
    from_lake = _json(capsys)["anomalies"]
    assert main(["anomalies", "--metric", str(NAB), "-f", "json"]) == 0
    from_file = _json(capsys)["anomalies"]
    assert from_lake and [(a["start"], a["end"], a["score"]) for a in from_lake] == [
        (a["start"], a["end"], a["score"]) for a in from_file]


@needs_data
def test_a_window_without_billing_rows_is_exit_2(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(FOCUS), "--lake", str(lake)]) == 0
    capsys.readouterr()
    assert main(["anomalies", "--lake", str(lake), "--start", "2030-01-01"]) == 2
    _one_error_line(capsys, "no billing rows in the window")


def _recorded(tmp_path, capsys, argv: list[str]) -> tuple[dict, dict, str]:
    """What one run records of its alert policy: the audit log's result, the JSON's policy, and the
    HTML subtitle's words."""
    log = tmp_path / "audit.jsonl"
    assert main([*argv, "-f", "json", "--audit-log", str(log)]) == 0
    doc = _json(capsys)
    result = json.loads(log.read_text().splitlines()[-1])["record"]["result"]
    html = tmp_path / "page.html"
    assert main([*argv, "-f", "html", "-o", str(html)]) == 0
    subtitle = re.search(r"alert from impact [^)]*", html.read_text()).group(0)
    return doc["alert_policy"], result, subtitle


@needs_data
@pytest.mark.parametrize("source,flags,applied", [
    ("metric-lake", [], (0.0, 0.0)),  # a lake of metric series is judged as metrics, and recorded so
    ("metric-lake", ["--min-impact", "5", "--min-impact-pct", "12.5"], (5.0, 12.5)),
    ("billing-lake", [], (50.0, 20.0)),
    ("billing-lake", ["--min-impact-pct", "0"], (50.0, 0.0)),
])
def test_what_is_recorded_is_the_policy_that_was_applied(tmp_path, capsys, source, flags, applied):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(NAB if source == "metric-lake" else FOCUS), "--lake", str(lake)]) == 0
    capsys.readouterr()
    policy, audit, subtitle = _recorded(tmp_path, capsys, ["anomalies", "--lake", str(lake), *flags])
    expected = {"min_impact": applied[0], "min_impact_pct": applied[1]}
    assert policy == expected
    assert {k: audit[k] for k in ("kind", *expected)} == {"kind": source.split("-")[0].replace("billing", "cost"),
                                                          **expected}
    assert subtitle == f"alert from impact {applied[0]:g} and {applied[1]:g} %"
