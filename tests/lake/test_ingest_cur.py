"""AWS CUR shapes beyond the legacy sample: CUR 2.0 column names with a ``resource_tags`` map,
legacy ``resourceTags/user:…`` columns, gzipped delivery.  Every file is the real legacy sample,
re-shaped the way AWS would deliver it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections import defaultdict

import duckdb
import pytest
from conftest import needs_data
from lake_testing import CUR_SAMPLE

from plangate.lake.ingest import ingest

pytestmark = needs_data

#: CUR 2.0 names of the legacy columns (AWS's data dictionary), written out here rather than derived.
CUR2_NAMES = {
    "bill/PayerAccountId": "bill_payer_account_id",
    "bill/BillingPeriodStartDate": "bill_billing_period_start_date",
    "bill/BillingPeriodEndDate": "bill_billing_period_end_date",
    "bill/InvoicingEntity": "bill_invoicing_entity",
    "lineItem/UsageAccountId": "line_item_usage_account_id",
    "lineItem/LineItemType": "line_item_line_item_type",
    "lineItem/UsageStartDate": "line_item_usage_start_date",
    "lineItem/UsageEndDate": "line_item_usage_end_date",
    "lineItem/ProductCode": "line_item_product_code",
    "lineItem/UsageType": "line_item_usage_type",
    "lineItem/UsageAmount": "line_item_usage_amount",
    "lineItem/CurrencyCode": "line_item_currency_code",
    "lineItem/UnblendedCost": "line_item_unblended_cost",
    "lineItem/LineItemDescription": "line_item_line_item_description",
    "product/ProductName": "product_product_name",
    "product/regionCode": "product_region_code",
    "pricing/publicOnDemandCost": "pricing_public_on_demand_cost",
}
TEAMS = ("ml", "data", "")


def legacy_rows():
    with open(CUR_SAMPLE, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path, fields, rows, opener=open):
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def query(lake, sql):
    con = duckdb.connect(str(lake), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def expected_by_team(rows, team_of):
    out = defaultdict(float)
    for i, r in enumerate(rows):
        out[team_of(i) or None] += float(r["lineItem/UnblendedCost"])
    return out


def test_cur2_names_and_resource_tags_map(tmp_path):
    rows = legacy_rows()
    cur2 = [{**{new: r[old] for old, new in CUR2_NAMES.items()},
             "resource_tags": json.dumps({"user_team": TEAMS[i % 3]} if TEAMS[i % 3] else {})}
            for i, r in enumerate(rows)]
    path = write_csv(tmp_path / "cur2.csv", [*CUR2_NAMES.values(), "resource_tags"], cur2)
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [path])
    assert report.files[0].kind == "cur"
    truth = math.fsum(float(r["lineItem/UnblendedCost"]) for r in rows)
    assert query(lake, "SELECT count(*), sum(BilledCost) FROM costs")[0] == (len(rows), pytest.approx(truth, rel=1e-12))
    # user_<key> tags are keyed <key>, as the console shows them
    got = dict(query(lake, "SELECT Tags['team'], sum(BilledCost) FROM costs GROUP BY 1"))
    want = expected_by_team(rows, lambda i: TEAMS[i % 3])
    assert got == pytest.approx(dict(want), rel=1e-9, abs=1e-15)
    assert query(lake, "SELECT DISTINCT ProviderName, BillingAccountId FROM costs") == [
        ("AWS", rows[0]["bill/PayerAccountId"])]


def test_legacy_resource_tag_columns(tmp_path):
    rows = legacy_rows()
    fields = [*rows[0], "resourceTags/user:team", "resourceTags/aws:createdBy"]
    tagged = [{**r, "resourceTags/user:team": TEAMS[i % 3], "resourceTags/aws:createdBy": "root" if i % 2 else ""}
              for i, r in enumerate(rows)]
    lake = tmp_path / "lake.duckdb"
    ingest(lake, [write_csv(tmp_path / "cur.csv", fields, tagged)])
    got = dict(query(lake, "SELECT Tags['team'], sum(BilledCost) FROM costs GROUP BY 1"))
    assert got == pytest.approx(dict(expected_by_team(rows, lambda i: TEAMS[i % 3])), rel=1e-9, abs=1e-15)
    assert query(lake, "SELECT count(*) FROM costs WHERE Tags['aws:createdBy'] = 'root'") == [(len(rows) // 2,)]
    # an empty tag cell is no tag, not a tag with an empty value
    assert query(lake, "SELECT count(*) FROM costs WHERE Tags['team'] = ''") == [(0,)]


def test_gzipped_cur_as_aws_delivers_it(tmp_path):
    gz = tmp_path / "cur-00001.csv.gz"
    gz.write_bytes(gzip.compress(CUR_SAMPLE.read_bytes()))
    lake = tmp_path / "lake.duckdb"
    report = ingest(lake, [gz])
    truth = math.fsum(float(r["lineItem/UnblendedCost"]) for r in legacy_rows())
    assert report.files[0].rows == 1281
    assert query(lake, "SELECT sum(BilledCost) FROM costs")[0][0] == pytest.approx(truth, rel=1e-12)


def test_parquet_cur_with_text_in_the_cost_column_names_row_and_column(tmp_path, capsys):
    from plangate.cli import main

    rows = legacy_rows()
    rows[3]["lineItem/UnblendedCost"] = "twelve"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = tmp_path / "cur.csv"
    text.write_text(buf.getvalue(), encoding="utf-8")
    parquet = tmp_path / "cur.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{text}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)")
    assert main(["ingest", str(parquet), "--lake", str(tmp_path / "lake.duckdb")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"plangate: error: {parquet}: column 'lineItem/UnblendedCost', row 4: 'twelve' is not a number"
