"""``plangate prices import``: AWS Price List bulk offer CSV -> rows of plangate's price table,
tested on a real excerpt of AWS's EC2 offer (tests/fixtures/prices/README.md)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES

from plangate.cli import main
from plangate.cost import prices

EXCERPT = FIXTURES / "prices" / "aws-ec2-offer-excerpt.csv"
SOURCE = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20250912225308/index.csv"


def _import(tmp_path: Path, src: Path, capsys) -> tuple[prices.PriceTable, str]:
    out = tmp_path / "imported.csv"
    assert main(["prices", "import", str(src), "-o", str(out)]) == 0
    return prices.load(out), capsys.readouterr().err


def _on_demand_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[5]
    return [dict(zip(header, r)) for r in rows[6:] if r and r[header.index("TermType")] == "OnDemand"]


def test_the_real_excerpt_becomes_a_table_plangate_loads(tmp_path, capsys):
    table, err = _import(tmp_path, EXCERPT, capsys)
    dedicated = table.get("aws.amazonec2.APN1-DedicatedUsage.c6i.large.RunInstances.0202", "ap-northeast-1")
    assert dedicated is not None and dedicated.first == Decimal("0.2773") and dedicated.unit == "hours"
    assert dedicated.source == SOURCE and dedicated.as_of.isoformat() == "2025-09-12"
    rhel = table.get("aws.amazonec2.BoxUsage.c5d.2xlarge.RunInstances.0210", "us-east-1")
    assert rhel is not None and rhel.first == Decimal("0.634")
    assert "13 prices from AmazonEC2 20250912225308" in err and "30 not on-demand" in err


def test_every_on_demand_price_of_an_aws_region_is_kept_and_nothing_else(tmp_path, capsys):
    table, _ = _import(tmp_path, EXCERPT, capsys)
    rows = _on_demand_rows(EXCERPT)
    in_regions = [r for r in rows if r["Region Code"] != "us-east-1-nyc-1"]  # a Local Zone
    assert len(rows) == 14 and len(table.prices) == len(in_regions) == 13
    got = sorted((p.region, p.first) for p in table.prices.values())
    assert got == sorted((r["Region Code"], Decimal(r["PricePerUnit"])) for r in in_regions)


def _synthetic(tmp_path: Path, offer: str, header: list[str], rows: list[list[str]]) -> Path:
    """An offer file in AWS's shape around hand-written rows (columns as in AWS's files)."""
    path = tmp_path / f"{offer}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, quoting=csv.QUOTE_ALL)
        for line in (["FormatVersion", "v1.0"], ["Disclaimer", "test"], ["Publication Date", "2026-11-30T10:00:00Z"],
                     ["Version", "20261130100000"], ["OfferCode", offer], header, *rows):
            w.writerow(line)
    return path


_EC2 = ["SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate", "StartingRange",
        "EndingRange", "Unit", "PricePerUnit", "Currency", "Product Family", "Instance Type", "Tenancy",
        "Operating System", "Pre Installed S/W", "CapacityStatus", "Region Code", "usageType", "operation"]


def test_plangates_own_keys_for_ec2_linux_and_sagemaker_hosting(tmp_path, capsys):
    ec2 = _synthetic(tmp_path, "AmazonEC2", _EC2, [
        ["A", "JRTCKXETXF", "A.1", "OnDemand", "g5.xlarge Linux", "2026-11-01", "0", "Inf", "Hrs", "1.0060000000",
         "USD", "Compute Instance", "g5.xlarge", "Shared", "Linux", "NA", "Used", "us-east-1", "BoxUsage:g5.xlarge",
         "RunInstances"]])
    table, _ = _import(tmp_path, ec2, capsys)
    assert table.get("ec2.g5.xlarge", "us-east-1").first == Decimal("1.006")
    sm_header = ["SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
                 "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "Product Family", "Component",
                 "Instance Name", "Region Code", "usageType", "operation"]
    sm = _synthetic(tmp_path, "AmazonSageMaker", sm_header, [
        ["B", "JRTCKXETXF", "B.1", "OnDemand", "Hosting ml.p2.xlarge", "2026-11-01", "0", "Inf", "Hrs", "1.125",
         "USD", "ML Instance", "Hosting", "ml.p2.xlarge", "us-east-1", "USE1-Host:ml.p2.xlarge", "RunInstance"],
        ["C", "JRTCKXETXF", "C.1", "OnDemand", "Training ml.p2.xlarge", "2026-11-01", "0", "Inf", "Hrs", "1.125",
         "USD", "ML Instance", "Training", "ml.p2.xlarge", "us-east-1", "USE1-Train:ml.p2.xlarge", "RunInstance"]])
    table, _ = _import(tmp_path, sm, capsys)
    assert table.get("sagemaker.hosting.ml.p2.xlarge", "us-east-1").first * 730 == Decimal("821.25")
    assert table.get("aws.amazonsagemaker.USE1-Train.ml.p2.xlarge.RunInstance", "us-east-1") is not None


def test_tiered_dimensions_become_named_tiers(tmp_path, capsys):
    rows = [["D", "JRTCKXETXF", f"D.{i}", "OnDemand", "requests", "2026-11-01", start, end, "Requests", usd, "USD",
             "API Calls", "", "", "", "", "", "us-east-1", "USE1-ApiGatewayRequest", "ApiGatewayRequest"]
            for i, (start, end, usd) in enumerate([("0", "333000000", "0.0000035"),
                                                   ("333000000", "Inf", "0.0000028")])]
    table, _ = _import(tmp_path, _synthetic(tmp_path, "AmazonApiGateway", _EC2, rows), capsys)
    price = table.get("aws.amazonapigateway.USE1-ApiGatewayRequest.ApiGatewayRequest", "us-east-1")
    assert [(t.start, t.usd) for t in price.tiers] == [(0, Decimal("0.0000035")), (333000000, Decimal("0.0000028"))]
    assert [t.name for t in price.tiers] == ["0 to 333000000", "333000000 to Inf"]


@pytest.mark.parametrize("content, problem", [
    ("key,region\n", 'not an AWS Price List offer CSV: no header line starting "SKU","OfferTermCode","RateCode"'),
    ('"OfferCode","AmazonEC2"\n"Publication Date","2026-01-01T00:00:00Z"\n"SKU","OfferTermCode","RateCode"\n',
     "offer CSV header has no 'TermType' column"),
])
def test_a_file_that_is_not_an_offer_is_one_line_exit_2(tmp_path, capsys, content, problem):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    assert main(["prices", "import", str(bad), "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err == f"plangate: error: {bad}: {problem}\n"
    assert not (tmp_path / "out.csv").exists()


def test_a_bad_price_names_the_line(tmp_path, capsys):
    rows = [["A", "T", "A.1", "OnDemand", "x", "2026-11-01", "0", "Inf", "Hrs", "lots", "USD", "Compute Instance",
             "g5.xlarge", "Shared", "Linux", "NA", "Used", "us-east-1", "BoxUsage:g5.xlarge", "RunInstances"]]
    path = _synthetic(tmp_path, "AmazonEC2", _EC2, rows)
    assert main(["prices", "import", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"plangate: error: {path}:7: PricePerUnit 'lots'")
