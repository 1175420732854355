"""FOCUS 1.0 to 1.3 files land in the lake with every column kept: the spec's columns under their
FOCUS names, every other column in ``x_CustomColumns``; the FOCUS 1.2 file the tests build passes
the FinOps Foundation's focus-validator (a test oracle, in its own environment)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import duckdb
import pytest
from conftest import FOCUS_VALIDATOR, needs_focus_validator
from focus_files import EXTRAS, USAGE, focus_rows, write_parquet

from plangate.lake.ingest import ingest
from plangate.lake.schema import FOCUS_SPEC, FOCUS_VERSIONS, create_statements, focus_columns

#: focus-validator 2.2.1's FOCUS 1.2 model holds InvoiceId-C-004-C ("MUST be null when the charge is not
#: associated with an invoice") and InvoiceId-C-005-C ("MUST NOT be null when it is") with their
#: conditions dropped, so every file with an InvoiceId column fails exactly one of the two, null or not.
CONTRADICTORY = {"InvoiceId-C-004-C", "InvoiceId-C-005-C"}


def lake_rows(lake):
    con = duckdb.connect(str(lake), read_only=True)
    try:
        cur = con.execute("SELECT * FROM costs")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def expected_value(column, value):
    if value is None:
        return None
    kind = FOCUS_SPEC[column][0]
    if kind == "TIMESTAMP":
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if column == "Tags":
        return json.loads(value)
    return value


@pytest.mark.parametrize("version", FOCUS_VERSIONS)
def test_every_column_of_each_focus_version_is_kept(tmp_path, version):
    rows = focus_rows(version, InvoiceId="INV-2026-10") if version >= "1.2" else focus_rows(version)
    path = write_parquet(tmp_path / f"focus_{version}.parquet", rows)
    report = ingest(tmp_path / "lake.duckdb", [path])
    assert report.files[0].kind == "focus" and report.files[0].rows == 1
    (got,) = lake_rows(tmp_path / "lake.duckdb")
    for column in focus_columns(version):
        assert got[column] == expected_value(column, rows[0][column]), column
    # the columns the version does not define are in the lake, and empty
    assert {c: got[c] for c in FOCUS_SPEC if c not in focus_columns(version)} == {
        c: None for c in FOCUS_SPEC if c not in focus_columns(version)}
    assert got["x_CustomColumns"] == EXTRAS
    if version >= "1.1":
        assert got["SkuMeter"] == USAGE["SkuMeter"]


def test_csv_keeps_unknown_columns_even_when_empty_and_a_column_named_like_the_lakes_own(tmp_path):
    path = tmp_path / "focus.csv"
    header = [*focus_columns("1.0"), "x_Empty", "x_SourceFile", "Id"]
    values = {**{c: USAGE.get(c) for c in focus_columns("1.0")}, "x_Empty": None, "x_SourceFile": "s3://b/k.csv",
              "Id": "row-1"}

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%dT%H:%M:%SZ")
        return str(v)

    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow([cell(values[c]) for c in header])
    ingest(tmp_path / "lake.duckdb", [path])
    (got,) = lake_rows(tmp_path / "lake.duckdb")
    assert got["x_CustomColumns"] == {"x_Empty": None, "x_SourceFile": "s3://b/k.csv", "Id": "row-1"}
    assert got["x_SourceFile"] == str(path)  # the lake's own bookkeeping is not overwritten


def test_a_focus_1_3_file_without_the_deprecated_provider_name_still_names_its_provider(tmp_path):
    rows = focus_rows("1.3")
    for row in rows:
        del row["ProviderName"], row["PublisherName"]
        row["ServiceProviderName"] = "Acme Cloud"
    path = write_parquet(tmp_path / "focus_1_3.parquet", rows)
    report = ingest(tmp_path / "lake.duckdb", [path])
    assert report.files[0].periods == [("Acme Cloud", USAGE["BillingAccountId"], dt.datetime(2026, 10, 1))]
    (got,) = lake_rows(tmp_path / "lake.duckdb")
    assert (got["ProviderName"], got["ServiceProviderName"], got["PublisherName"]) == ("Acme Cloud", "Acme Cloud",
                                                                                       None)


def test_a_lake_an_earlier_plangate_made_gains_the_new_columns(tmp_path):
    lake = tmp_path / "lake.duckdb"
    old = {c: t for c, (t, since) in FOCUS_SPEC.items() if since == "1.0"}
    con = duckdb.connect(str(lake))
    con.execute("CREATE TABLE costs (" + ", ".join(f'"{c}" {t}' for c, t in old.items())
                + ', "x_UsageType" VARCHAR, "x_Operation" VARCHAR, "x_ServiceCode" VARCHAR, "x_SourceFile" VARCHAR, '
                  '"x_IngestId" BIGINT)')
    con.close()
    ingest(lake, [write_parquet(tmp_path / "focus_1_2.parquet", focus_rows("1.2"))])
    (got,) = lake_rows(lake)
    assert got["SkuMeter"] == USAGE["SkuMeter"] and got["PricingCurrency"] == "USD"
    assert got["x_CustomColumns"] == EXTRAS and got["BilledCost"] == USAGE["BilledCost"]
    con = duckdb.connect(str(lake))
    try:  # the statements are idempotent on the migrated lake
        for ddl in create_statements():
            con.execute(ddl)
    finally:
        con.close()


@needs_focus_validator
def test_the_focus_1_2_file_passes_focus_validator(tmp_path):
    path = write_parquet(tmp_path / "focus_1_2.parquet", focus_rows("1.2"))
    # the validator reads its currency table relative to the working directory: run it from its package's folder
    packages = next(FOCUS_VALIDATOR.parent.parent.glob("lib/python3*/site-packages"))
    done = subprocess.run([str(FOCUS_VALIDATOR), "--data-file", str(path), "--validate-version", "1.2",
                           "--block-download"], cwd=packages, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    totals = re.search(r"Total: (\d+) \| Pass: (\d+) \| Fail: (\d+)", done.stdout)
    assert totals, done.stdout[-2000:]
    failed = set(re.findall(r"^❌ (\S+): FAIL", done.stdout, re.MULTILINE))
    assert len(failed & CONTRADICTORY) == 1 and not failed - CONTRADICTORY, done.stdout[-3000:]
    assert int(totals.group(2)) >= 100  # it checked the columns, not nothing
    ingest(tmp_path / "lake.duckdb", [path])
    (got,) = lake_rows(tmp_path / "lake.duckdb")
    assert {c: got[c] for c in focus_columns("1.2")} == {
        c: expected_value(c, focus_rows("1.2")[0][c]) for c in focus_columns("1.2")}
