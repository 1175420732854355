"""Ingest of the real FOCUS and CUR samples and metric series: what lands in the lake, and that
re-ingesting a billing period replaces it."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict

import duckdb
import pytest
from conftest import needs_data
from lake_testing import CUR_SAMPLE, FOCUS_SAMPLE, MSFT_SERIES, NAB_SERIES, lake_digest

from plangate.cli import main
from plangate.lake.ingest import ingest

pytestmark = needs_data


def raw_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(text):
    return 0.0 if text in ("", "NULL") else float(text)


def query(lake, sql, *params):
    con = duckdb.connect(str(lake), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_focus_sample_lands_with_focus_names_types_and_tags(tmp_path):
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [FOCUS_SAMPLE])
    rows = raw_rows(FOCUS_SAMPLE)
    assert report.files[0].kind == "focus" and report.files[0].rows == len(rows) == 1000

    # money: every row's BilledCost, NULL tokens read as NULL (not the text "NULL")
    (count, total, effective), = query(lake, "SELECT count(*), sum(BilledCost), sum(EffectiveCost) FROM costs")
    assert count == 1000
    assert total == pytest.approx(math.fsum(number(r["BilledCost"]) for r in rows), rel=1e-12)
    assert effective == pytest.approx(math.fsum(number(r["EffectiveCost"]) for r in rows), rel=1e-12)
    nulls = sum(r["ChargeClass"] == "NULL" for r in rows)
    assert query(lake, "SELECT count(*) FROM costs WHERE ChargeClass IS NULL") == [(nulls,)]
    assert query(lake, "SELECT count(*) FROM costs WHERE ChargeClass = 'NULL'") == [(0,)]

    # timestamps 'YYYY-MM-DD HH:MM:SS' are TIMESTAMPs in the lake; the periods are named
    first = min(r["ChargePeriodStart"] for r in rows)
    assert str(query(lake, "SELECT min(ChargePeriodStart) FROM costs")[0][0]) == first
    assert sorted((p[0], str(p[2])[:10]) for p in report.files[0].periods) == sorted(
        {(r["ProviderName"], r["BillingPeriodStart"][:10]) for r in rows})

    # tags: costs roll up by any tag key, as the JSON says
    expected = defaultdict(float)
    for r in rows:
        tags = json.loads(r["Tags"]) if r["Tags"] not in ("", "NULL") else {}
        expected[tags.get("business_unit")] += number(r["BilledCost"])
    got = dict(query(lake, "SELECT Tags['business_unit'], sum(BilledCost) FROM costs GROUP BY 1"))
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-15)


def test_cur_sample_totals_equal_the_sum_of_its_cost_column(tmp_path):
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [CUR_SAMPLE])
    rows = raw_rows(CUR_SAMPLE)
    truth = math.fsum(float(r["lineItem/UnblendedCost"]) for r in rows)
    assert report.files[0].kind == "cur" and report.files[0].rows == len(rows) == 1281
    assert report.files[0].billed_cost == pytest.approx(truth, rel=1e-12)
    (total,), = query(lake, "SELECT sum(BilledCost) FROM costs")
    assert total == pytest.approx(truth, rel=1e-12)

    # mapped onto FOCUS names: per product, per line item type, per account
    per_product = defaultdict(float)
    for r in rows:
        per_product[r["lineItem/ProductCode"]] += float(r["lineItem/UnblendedCost"])
    got = dict(query(lake, "SELECT x_ServiceCode, sum(BilledCost) FROM costs GROUP BY 1"))
    assert got == pytest.approx(dict(per_product), rel=1e-9, abs=1e-15)
    taxes = sum(r["lineItem/LineItemType"] == "Tax" for r in rows)
    assert query(lake, "SELECT count(*) FROM costs WHERE ChargeCategory = 'Tax'") == [(taxes,)]
    assert query(lake, "SELECT DISTINCT ProviderName, BillingAccountId, BillingCurrency FROM costs") == [
        ("AWS", rows[0]["bill/PayerAccountId"], "USD")]
    # ServiceCategory from the FinOps Foundation's product-code table
    assert dict(query(lake, "SELECT DISTINCT x_ServiceCode, ServiceCategory FROM costs WHERE x_ServiceCode IN "
                            "('AmazonS3', 'AWSGlue', 'AWSQueueService')")) == {
        "AmazonS3": "Storage", "AWSGlue": "Analytics", "AWSQueueService": "Integration"}
    assert query(lake, "SELECT count(*) FROM costs WHERE ServiceName IS NULL OR ChargePeriodStart IS NULL") == [(0,)]


def test_reingesting_a_period_replaces_it_never_doubles_it(tmp_path):
    lake = tmp_path / "lake.duckdb"
    ingest(lake, [FOCUS_SAMPLE, CUR_SAMPLE])
    per_provider = "SELECT ProviderName, count(*), round(sum(BilledCost), 9) FROM costs GROUP BY 1 ORDER BY 1"
    once = query(lake, per_provider)
    digest = lake_digest(lake)
    again = ingest(lake, [CUR_SAMPLE])
    assert again.replaced_rows == 1281
    assert query(lake, per_provider) == once
    assert lake_digest(lake)["costs"][0] == digest["costs"][0]
    ingest(lake, [FOCUS_SAMPLE])
    assert query(lake, "SELECT count(*) FROM costs") == [(2281,)]
    # the history says what each period was last loaded from
    assert query(lake, "SELECT count(DISTINCT ingest_id) FROM ingests") == [(3,)]


def test_the_same_file_twice_in_one_run_is_loaded_once(tmp_path):
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [CUR_SAMPLE, CUR_SAMPLE, str(CUR_SAMPLE.parent / ".." / "aws_cur" / CUR_SAMPLE.name)])
    assert len(report.files) == 1
    assert query(lake, "SELECT count(*) FROM costs") == [(1281,)]


def test_two_parts_of_one_period_in_one_run_are_both_kept(tmp_path):
    # a CUR delivers a period in several files: one run loads them all, the period is their union
    rows = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    part1, part2 = tmp_path / "part1.csv", tmp_path / "part2.csv"
    part1.write_text("".join(rows[:501]), encoding="utf-8")
    part2.write_text(rows[0] + "".join(rows[501:]), encoding="utf-8")
    lake = tmp_path / "lake.duckdb"
    ingest(lake, [part1, part2])
    assert query(lake, "SELECT count(*) FROM costs") == [(1000,)]
    ingest(lake, [part1])  # one part alone restates its periods: the other part's rows of them go
    assert query(lake, "SELECT count(*) FROM costs WHERE x_SourceFile = ?", str(part2))[0][0] < 500


def test_parquet_ingests_like_csv(tmp_path):
    parquet = tmp_path / "focus.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * REPLACE (TRY_CAST(BilledCost AS DOUBLE) AS BilledCost) FROM read_csv("
                f"'{FOCUS_SAMPLE}', nullstr='NULL', all_varchar=true)) TO '{parquet}' (FORMAT parquet)")
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest(a, [FOCUS_SAMPLE])
    report = ingest(b, [parquet])
    assert report.files[0].kind == "focus"
    sql = "SELECT ServiceName, Tags['environment'], count(*), sum(BilledCost) FROM costs GROUP BY ALL ORDER BY ALL"
    assert query(a, sql) == query(b, sql)


def test_metric_series_ingest_and_replace_by_name(tmp_path):
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [NAB_SERIES, MSFT_SERIES])
    assert [f.kind for f in report.files] == ["metric", "metric"]
    nab = raw_rows(NAB_SERIES)
    got = query(lake, "SELECT count(*), sum(value), min(timestamp) FROM metrics WHERE name = ?", NAB_SERIES.stem)
    assert got[0][0] == len(nab)
    assert got[0][1] == pytest.approx(math.fsum(float(r["value"]) for r in nab))
    assert str(got[0][2]) == nab[0]["timestamp"]
    # Microsoft's series say "2018-04-25T00:00:00Z": UTC
    assert str(query(lake, "SELECT min(timestamp) FROM metrics WHERE name = 'ingress-01'")[0][0]) == \
        "2018-04-25 00:00:00"
    ingest(lake, [NAB_SERIES])
    assert query(lake, "SELECT count(*) FROM metrics WHERE name = ?", NAB_SERIES.stem) == [(len(nab),)]


def test_cli_ingest_json_summary_and_audit_log(tmp_path, capsys):
    lake, audit = tmp_path / "deep" / "lake.duckdb", tmp_path / "audit.jsonl"
    assert main(["ingest", str(FOCUS_SAMPLE), str(CUR_SAMPLE), "--lake", str(lake), "--format", "json",
                 "--audit-log", str(audit)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [(f["kind"], f["rows"]) for f in summary["files"]] == [("focus", 1000), ("cur", 1281)]
    assert lake_digest(lake)["costs"][0] == 2281
    from plangate.audit.log import verify

    assert verify(str(audit)).intact
    entry = json.loads(audit.read_text(encoding="utf-8").splitlines()[0])
    assert "ingest" in json.dumps(entry) and "1281" in json.dumps(entry)


def test_cli_table_names_the_replaced_rows(tmp_path, capsys):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(CUR_SAMPLE), "--lake", str(lake)]) == 0
    assert main(["ingest", str(CUR_SAMPLE), "--lake", str(lake)]) == 0
    out = capsys.readouterr().out
    assert "replacing 1281 rows" in out and "cur" in out


def test_progress_bar_on_a_terminal_and_not_when_piped(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    header, *rows = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    big = tmp_path / "big.csv"
    big.write_text(header + "".join(rows * 5), encoding="utf-8")
    cmd = [sys.executable, "-m", "plangate", "ingest", str(big), "--lake", str(tmp_path / "lake.duckdb")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}

    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    assert piped.returncode == 0 and piped.stderr == ""

    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    proc.stdout.read()
    assert proc.wait() == 0
    os.close(master)
    assert b"ingest big.csv" in drawn
