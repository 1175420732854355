"""Generated bad inputs for the analytics commands (ingest, anomalies, forecast, waste, suggest, drift,
fairness): exit 0, 1 or 2 only, exactly one stderr line on 2, never a traceback.

The inputs are small good files broken one way a user's file gets broken — emptied, truncated,
binary, another format, NaN / inf / huge / negative numbers, out-of-range dates, a column twice —
so each example is quick; the lake the read-only commands fuzz is built once per module.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plangate.cli import main

FUZZ = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NASTY = ["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e400", "-5", "-0", "0", "9999-12-31 00:00:00",
         "1900-01-01", "0000-00-00", "", "oops", "\x00", "\ufeff", '"', ",", "2024-02-30 00:00:00", "1" * 400]
cell = st.sampled_from(NASTY) | st.text(max_size=8)

FOCUS_HEADER = ["BilledCost", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
                "ChargePeriodEnd", "ProviderName", "ServiceName", "Tags", "BillingAccountId"]


def focus_rows(days: int = 35) -> list[list[str]]:
    first = dt.date(2024, 8, 1)
    rows = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        period = day.replace(day=1)
        for service, cost in (("AWS Lambda", 10 + i % 3), ("Amazon S3", 4 + i % 5)):
            rows.append([str(cost), "USD", f"{period} 00:00:00", f"{period} 00:00:00", f"{day} 00:00:00",
                         f"{day} 23:59:59", "AWS", service, '{"team":"ml"}', "123"])
    return rows


def metric_rows(n: int = 400) -> list[list[str]]:
    start = np.datetime64("2024-08-01T00:00")
    return [[str(start + np.timedelta64(5 * i, "m")), f"{50 + 5 * np.sin(i / 12):.3f}"] for i in range(n)]


def daily_rows(n: int = 40) -> list[list[str]]:
    return [[str(dt.date(2024, 8, 1) + dt.timedelta(days=i)), str(100 + i % 7)] for i in range(n)]


def table_rows(n: int = 120) -> list[list[str]]:
    rng = np.random.default_rng(0)
    return [[f"{rng.normal():.4f}", str(int(rng.integers(0, 2))), str(int(rng.integers(0, 2))), "ab"[i % 2]]
            for i in range(n)]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    def quote(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v
    return "".join(",".join(map(quote, r)) + "\n" for r in [header, *rows])


@st.composite
def broken(draw, header: list[str], rows: list[list[str]]) -> bytes:
    """A good CSV broken one way (or a few ways at once)."""
    how = draw(st.sampled_from(["cells", "cells", "truncate", "empty", "binary", "json", "duplicate", "header-only"]))
    if how == "empty":
        return b""
    if how == "binary":
        return draw(st.binary(min_size=1, max_size=200))
    if how == "json":
        return b'{"BilledCost": [1, 2], "timestamp": null}'
    if how == "header-only":
        return csv_text(header, []).encode()
    header, rows = list(header), [list(r) for r in rows]
    if how == "duplicate":
        col = draw(st.integers(0, len(header) - 1))
        header.append(header[col])
        for r in rows:
            r.append(draw(cell) if draw(st.booleans()) else r[col])
        return csv_text(header, rows).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(1, 4))):
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        rows[r][c] = draw(cell)
    text = csv_text(header, rows).encode("utf-8", "surrogatepass")
    if how == "truncate":
        text = text[: draw(st.integers(1, len(text)))]
    return text


def run(capsys, argv: list[str]) -> int:
    """The command's exit code, checked against the house rules."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's usage error
        code = stop.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, captured.err)
    assert "Traceback" not in captured.err and "RuntimeWarning" not in captured.err, captured.err
    if code == 2:
        lines = [line for line in captured.err.splitlines() if not line.startswith("plangate: warning:")]
        assert len(lines) == 1, captured.err
    return code


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-lake")
    bill = folder / "bill.csv"
    bill.write_text(csv_text(FOCUS_HEADER, focus_rows()))
    path = folder / "lake.duckdb"
    assert main(["ingest", str(bill), "--lake", str(path)]) == 0
    return path


def _write(folder: str, name: str, content: bytes) -> str:
    path = Path(folder) / name
    path.write_bytes(content)
    return str(path)


@FUZZ
@given(content=broken(FOCUS_HEADER, focus_rows(8)) | broken(["timestamp", "value"], metric_rows(30)))
def test_ingest(capsys, content):
    with tempfile.TemporaryDirectory() as folder:
        run(capsys, ["ingest", _write(folder, "bill.csv", content), "--lake", str(Path(folder) / "lake.duckdb")])


@FUZZ
@given(content=broken(["timestamp", "value"], metric_rows()))
def test_anomalies_metric(capsys, content):
    with tempfile.TemporaryDirectory() as folder:
        run(capsys, ["anomalies", "--metric", _write(folder, "m.csv", content), "-f", "json"])


dates = (st.sampled_from(["2024-08-10", "2024-09-04", "2099-01-01", "1999-01-01", "2024-02-30", "x"])
         | st.text(max_size=6))
keys = st.sampled_from(["ServiceName", "tag:team", "tag:nope", "tag:", "Tags", "Nope", "BilledCost", "RegionId"])


@FUZZ
@given(by=st.lists(keys, max_size=2), cost=st.sampled_from(["BilledCost", "ServiceName", "EffectiveCost", "x_IngestId",
                                                              "nope"]),
       start=st.none() | dates, end=st.none() | dates, fmt=st.sampled_from(["table", "json", "html"]))
@example(by=["ServiceName", "ServiceName"], cost="BilledCost", start=None, end=None, fmt="table")  # found once: exit 3
def test_anomalies_lake_options(capsys, lake, tmp_path, by, cost, start, end, fmt):
    argv = ["anomalies", "--lake", str(lake), "--cost", cost, "-f", fmt, "-o", str(tmp_path / "out")]
    argv += [a for k in by for a in ("--by", k)]
    argv += ["--start", start] if start is not None else []
    argv += ["--end", end] if end is not None else []
    run(capsys, argv)


@FUZZ
@given(month=st.none() | st.sampled_from(["2024-08", "2024-09", "2030-01", "1999-12", "2024-13", "x"]),
       as_of=st.none() | dates, budget=st.none() | st.sampled_from(["0", "10", "1e308", "-1", "nan", "inf"]),
       cost=st.sampled_from(["BilledCost", "ServiceName"]))
def test_forecast_lake_options(capsys, lake, tmp_path, month, as_of, budget, cost):
    argv = ["forecast", "--lake", str(lake), "--cost", cost, "-c", str(tmp_path / "none.yaml"), "-f", "json",
            "-o", str(tmp_path / "out")]
    argv += ["--month", month] if month is not None else []
    argv += ["--as-of", as_of] if as_of is not None else []
    argv += ["--budget", budget] if budget is not None else []
    run(capsys, argv)


@FUZZ
@given(content=broken(["timestamp", "value"], daily_rows()), budget=st.sampled_from(["100", "1e308", "0"]))
def test_forecast_daily(capsys, content, budget):
    with tempfile.TemporaryDirectory() as folder:
        run(capsys, ["forecast", "--daily", _write(folder, "d.csv", content), "--budget", budget, "-f", "json",
                     "-o", str(Path(folder) / "out")])


@FUZZ
@given(headroom=st.sampled_from(["0.2", "1e308", "-1", "nan", "10", "x"]), as_of=st.none() | dates)
def test_suggest(capsys, lake, tmp_path, headroom, as_of):
    argv = ["suggest", "--lake", str(lake), "--headroom", headroom, "-c", str(tmp_path / "plangate.yaml"),
            "-o", str(tmp_path / "out.diff")]
    run(capsys, argv + (["--as-of", as_of] if as_of is not None else []))


PLAN = json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [
    {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n,
     "change": {"actions": ["create"], "after": after, "after_unknown": {}}} for t, n, after in (
        ("aws_lambda_function", "scorer", {"function_name": "scorer", "memory_size": 3008}),
        ("aws_lambda_provisioned_concurrency_config", "live",
         {"function_name": "scorer", "qualifier": "live", "provisioned_concurrent_executions": 50}),
        ("aws_sagemaker_endpoint_configuration", "cfg", {"name": "cfg", "production_variants": [
            {"variant_name": "main", "instance_type": "ml.m5.large", "initial_instance_count": 2}]}),
        ("aws_sagemaker_endpoint", "ep", {"name": "ep", "endpoint_config_name": "cfg"}))]})


def _report(i: int, used: str = "300", size: str = "3008") -> str:
    stamp = np.datetime64("2024-08-01T00:00:00") + np.timedelta64(i * 600, "s")
    return (f"{stamp}.000Z\tREPORT RequestId: r-{i}\tDuration: 101.90 ms\tBilled Duration: 102 ms\t"
            f"Memory Size: {size} MB\tMax Memory Used: {used} MB\t")


@FUZZ
@given(data=st.data(), evidence=st.sampled_from(["--lambda-logs", "--invocations", "--pc-utilization"]))
def test_waste(capsys, data, evidence):
    with tempfile.TemporaryDirectory() as folder:
        plan = _write(folder, "plan.json", PLAN.encode())
        if evidence == "--lambda-logs":
            lines = [_report(i) for i in range(150)]
            for _ in range(data.draw(st.integers(1, 3))):
                i = data.draw(st.integers(0, len(lines) - 1))
                lines[i] = _report(i, data.draw(st.sampled_from(["0", "99999", "4000", "-3", "1e400", "x"])),
                                   data.draw(st.sampled_from(["3008", "0", "128", "1" * 30])))
            content = ("\n".join(lines) + "\n").encode()
            content = data.draw(st.sampled_from([content, content[: len(content) // 3], b"", b"\xff\xfe\x00"]))
            name = "scorer"
        else:
            values = np.full(14 * 24, 0.0 if evidence == "--invocations" else 0.3)
            rows = [[str(np.datetime64("2024-08-01T00:00") + np.timedelta64(h, "h")), str(v)]
                    for h, v in enumerate(values)]
            content = data.draw(broken(["timestamp", "value"], rows))
            name = "ep" if evidence == "--invocations" else "live"
        run(capsys, ["waste", str(plan), evidence, f"{name}={_write(folder, 'evidence.txt', content)}", "-f", "json"])


TABLE_HEADER = ["x", "label", "pred", "group"]


@FUZZ
@given(content=broken(TABLE_HEADER, table_rows()))
@example(content=b"\x80\n")  # found once: Arrow decoded the header only when asked for its names, exit 3
def test_drift(capsys, content):
    with tempfile.TemporaryDirectory() as folder:
        ref = _write(folder, "ref.csv", csv_text(TABLE_HEADER, table_rows()).encode())
        run(capsys, ["drift", "--reference", ref, "--current", _write(folder, "cur.csv", content), "--fail-on-drift",
                     "-f", "json"])


@FUZZ
@given(content=broken(TABLE_HEADER, table_rows()),
       positive=st.none() | st.sampled_from(["1", "yes", "nan", "a"]),
       threshold=st.none() | st.sampled_from(["0.5", "1e308", "nan", "-inf"]))
@example(content=b"\x80\n", positive=None, threshold=None)
def test_fairness(capsys, content, positive, threshold):
    with tempfile.TemporaryDirectory() as folder:
        argv = ["fairness", _write(folder, "d.csv", content), "--y-true", "label", "--y-pred", "pred",
                "--sensitive", "group", "--bootstrap", "20", "--min-group-size", "5", "-f", "json"]
        argv += ["--positive", positive] if positive is not None else []
        argv += ["--y-pred-threshold", threshold] if threshold is not None else []
        run(capsys, argv)
