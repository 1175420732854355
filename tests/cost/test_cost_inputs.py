"""Usage files, the usage tag and the price table: what they accept and how they refuse."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from conftest import needs_corpus
from test_cost_fixtures import FIXTURES, INFRACOST

from plangate.cli import main
from plangate.cost import prices, usage
from plangate.errors import ConfigError
from plangate.model import Resource

BAD = FIXTURES / "bad"

# -- the price table ------------------------------------------------------------------------


def test_shipped_table_loads_and_every_row_is_dated_and_sourced():
    table = prices.load()
    assert table.source == "plangate/data/prices.csv"
    with prices.DEFAULT_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert len(rows) > 100
    for row in rows:
        assert row["source"].startswith("https://aws.amazon.com/"), row
        assert dt.date.fromisoformat(row["as_of"]) <= dt.date.today(), row
        assert row["unit"], row


def test_both_regions_are_covered():
    table = prices.load()
    assert {"us-east-1", "eu-west-1"} <= set(table.regions)
    keys = {key for key, _ in table.prices}
    for key in keys:
        if key.startswith(("bedrock.", "sagemaker.hosting.", "ec2.")):
            continue  # instance types and models: the table's header lists those not priced in a region
        assert table.get(key, "us-east-1") and table.get(key, "eu-west-1"), key


def test_month_is_730_hours():
    assert prices.HOURS_PER_MONTH == 730


def test_rows_checked_against_infracost_name_the_golden():
    with prices.DEFAULT_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    checked = {row["key"] for row in rows if row["checked_by"]}
    assert {"lambda.requests", "lambda.duration.x86_64", "lambda.duration.arm64", "apigateway.rest.requests",
            "apigateway.http.requests", "apigateway.websocket.messages", "logs.ingestion.standard"} <= checked


@pytest.mark.parametrize("name,problem", [
    ("negative.prices.csv", "negative.prices.csv:3: column usd: expected a number >= 0, got '-0.20'"),
    ("no-date-column.prices.csv", "no-date-column.prices.csv:2: header: missing column 'as_of' "
                                  "(expected key,region,tier_start,tier_name,unit,usd,source,as_of)"),
    ("bad-date.prices.csv", "bad-date.prices.csv:3: column as_of: expected a date YYYY-MM-DD, got 'last week'"),
])
def test_bad_price_tables_name_file_line_and_column(name, problem):
    with pytest.raises(ConfigError) as err:
        prices.load(BAD / name)
    assert str(err.value).endswith(problem)
    assert str(BAD / name) in str(err.value)


def test_tiers_must_start_at_zero_and_not_repeat():
    head = "key,region,tier_start,tier_name,unit,usd,source,as_of\n"
    row = "k,us-east-1,{},t{},GB,1,https://aws.amazon.com/x,2026-01-01\n"
    with pytest.raises(ConfigError, match=r"t.csv:2: column tier_start: the first tier of k in us-east-1 "
                                          r"must start at 0"):
        prices.parse(head + row.format(5, 1), "t.csv")
    with pytest.raises(ConfigError, match=r"t.csv:3: duplicate price for k in us-east-1 at tier_start 0 "
                                          r"\(also on line 2\)"):
        prices.parse(head + row.format(0, 1) + row.format(0, 2), "t.csv")
    with pytest.raises(ConfigError, match="no such price table"):
        prices.load(BAD / "absent.csv")


def test_cli_bad_price_table_exits_2(capsys):
    code = main(["cost", str(FIXTURES / "budget" / "plan.json"), "--prices", str(BAD / "negative.prices.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("plangate: error: ") and "column usd" in err and err.count("\n") == 1


# -- usage files ----------------------------------------------------------------------------


@needs_corpus
def test_infracost_usage_files_load_with_wildcards():
    u = usage.load(INFRACOST / "cloudwatch_log_group_test" / "cloudwatch_log_group_test.usage.yml")
    res = Resource("aws_cloudwatch_log_group", "aws_cloudwatch_log_group.logs_count_withUsage[2]", "t")
    values, origins = u.lookup(res)
    assert values == {"monthly_data_ingested_gb": Decimal(1000), "storage_gb": Decimal(500),
                      "monthly_data_scanned_gb": Decimal(250)}
    assert origins[0].endswith("(wildcard)")
    keyed = Resource("aws_cloudwatch_log_group", 'aws_cloudwatch_log_group.logs_count_withUsage["a"]', "t")
    assert u.lookup(keyed)[0]
    assert u.lookup(Resource("aws_cloudwatch_log_group", "aws_cloudwatch_log_group.logs", "t"))[0] == {}


@needs_corpus
def test_every_infracost_usage_file_in_the_corpus_parses():
    for path in sorted(INFRACOST.rglob("*.usage.yml")):
        assert usage.load(path).exact or usage.load(path).patterns, path


def test_precedence_type_default_tag_wildcard_exact():
    text = """
version: 0.1
resource_type_default_usage:
  aws_lambda_function: {monthly_requests: 1, request_duration_ms: 1}
resource_usage:
  aws_lambda_function.f[*]: {monthly_requests: 3}
  aws_lambda_function.f[0]: {request_duration_ms: 4}
"""
    u = usage.parse(text, "u.yml")
    res = Resource("aws_lambda_function", "aws_lambda_function.f[0]", "t",
                   tags={"plangate:usage": "monthly_requests=2 request_duration_ms=2"})
    values, origins = u.lookup(res)
    assert values == {"monthly_requests": Decimal(3), "request_duration_ms": Decimal(4)}
    assert origins == ["u.yml (type default)", "tag plangate:usage", "u.yml (wildcard)", "u.yml"]


def test_usage_tag_forms():
    res = Resource("aws_lambda_function", "f", "t",
                   tags={"plangate:usage": "monthly_requests=1e6;request_duration_ms=250"})
    assert usage.from_tag(res) == {"monthly_requests": Decimal("1e6"), "request_duration_ms": Decimal(250)}
    pc = Resource("aws_lambda_provisioned_concurrency_config", "p", "t",
                  tags={"plangate:usage": "memory_mb=512, architecture=arm64"})
    assert usage.from_tag(pc) == {"memory_mb": Decimal(512), "architecture": "arm64"}
    with pytest.raises(ConfigError, match=r"^f: tag plangate:usage: expected key=value pairs like "
                                          r"monthly_requests=1e6, got 'lots'$"):
        usage.from_tag(Resource("aws_lambda_function", "f", "t", tags={"plangate:usage": "lots"}))
    with pytest.raises(ConfigError, match=r"^f: tag plangate:usage.monthly_requests: expected a number, got 'many'$"):
        usage.from_tag(Resource("aws_lambda_function", "f", "t", tags={"plangate:usage": "monthly_requests=many"}))


def test_infracost_s3_storage_class_blocks():
    u = usage.parse("version: 0.1\nresource_usage:\n  aws_s3_bucket.b:\n    standard:\n      storage_gb: 10\n"
                    "    glacier_deep_archive:\n      storage_gb: 99\n", "u.yml")
    assert u.exact["aws_s3_bucket.b"] == {"standard.storage_gb": Decimal(10)}


@pytest.mark.parametrize("name,problem", [
    ("not-a-number.usage.yml", ":5: resource_usage.aws_lambda_function.x.monthly_requests: expected a number, "
                               "got 'lots'"),
    ("unknown-key.usage.yml", ":5: resource_usage.aws_lambda_function.x.monthly_request: unknown usage key for "
                              "aws_lambda_function (known: monthly_requests, request_duration_ms)"),
    ("version.usage.yml", ":2: version: expected 0.1, got 2"),
    ("syntax.usage.yml", ":5:1: invalid YAML: did not find expected ',' or ']'"),  # libyaml's words
])
def test_bad_usage_files_name_file_key_and_problem(name, problem):
    with pytest.raises(ConfigError) as err:
        usage.load(BAD / name)
    assert str(err.value) == f"{BAD / name}{problem}"


def test_cli_bad_usage_file_exits_2(capsys):
    code = main(["cost", str(FIXTURES / "budget" / "plan.json"), "--usage-file", str(BAD / "unknown-key.usage.yml")])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown-key.usage.yml:5: resource_usage.aws_lambda_function.x.monthly_request: unknown usage key" in err
    assert main(["cost", str(FIXTURES / "budget" / "plan.json"), "--usage-file", str(BAD / "nope.yml")]) == 2

