"""Allocation coverage (`plangate coverage`, PG-COV-001) on the real FOCUS 1.0 sample, against the same
shares computed independently with DuckDB SQL straight from the CSV (not from the lake)."""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import needs_data
from focus_files import USAGE, focus_rows, write_parquet
from lake_testing import FOCUS_SAMPLE

from plangate.cli import main
from plangate.rules.coverage import COVERAGE_RULES

SAMPLE_KEYS = ["environment", "application", "business_unit"]


def policy_file(tmp_path, required, min_share=None, key_case=None):
    lines = ["rules:", "  cost-allocation-tags:", f"    required: [{', '.join(required)}]"]
    if key_case:
        lines.append(f"    key_case: {key_case}")
    if min_share is not None:
        lines += ["assurance:", "  coverage:", f"    min_share: {min_share}"]
    path = tmp_path / "plangate.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(tmp_path, capsys, *args):
    code = main(["coverage", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err


def sql_coverage(required, by=None, insensitive=False):
    """[(period, currency, value, usage, tagged)] from the CSV with DuckDB SQL alone."""
    def has(key):
        if insensitive:
            return (f"coalesce(trim(list_filter(map_entries(CAST(CAST(Tags AS JSON) AS MAP(VARCHAR, VARCHAR))), "
                    f"lambda e: lower(e.key) = '{key.lower()}')[1].value), '') <> ''")
        return f"coalesce(trim(json_extract_string(Tags, '$.\"{key}\"')), '') <> ''"

    tagged = " AND ".join(has(k) for k in required)
    value = f"coalesce({by}, '(none)')" if by else "NULL"
    con = duckdb.connect()
    try:
        return con.execute(f"""
            SELECT strftime(CAST(BillingPeriodStart AS TIMESTAMP), '%Y-%m-%d'), BillingCurrency, {value},
                   sum(CAST(EffectiveCost AS DOUBLE)),
                   coalesce(sum(CAST(EffectiveCost AS DOUBLE)) FILTER (WHERE {tagged}), 0)
            FROM read_csv('{FOCUS_SAMPLE}', all_varchar = true, nullstr = ['NULL', ''])
            WHERE ChargeCategory = 'Usage' GROUP BY ALL""").fetchall()
    finally:
        con.close()


def as_rows(rows, by=None):
    return sorted((r["period"], r["currency"], r.get("value"), r["usage_cost"], r["tagged_cost"]) for r in rows)


def close(got, want):
    assert len(got) == len(want)
    for g, w in zip(sorted(got, key=lambda r: r[:3]), sorted(want, key=lambda r: r[:3]), strict=True):
        assert g[:3] == w[:3]
        assert g[3:] == pytest.approx(w[3:], rel=1e-9, abs=1e-12)


@needs_data
@pytest.mark.parametrize("required,key_case", [(SAMPLE_KEYS, None), (["CostCenter", "Project"], None),
                                               (["Environment", "Application"], "insensitive")])
def test_coverage_of_the_focus_sample_equals_duckdb_sql(tmp_path, capsys, required, key_case):
    config = policy_file(tmp_path, required, min_share=0.0, key_case=key_case)
    code, report, err = run_json(tmp_path, capsys, str(FOCUS_SAMPLE), "-c", str(config), "--top", "1000")
    assert code == 0, err
    insensitive = key_case == "insensitive"
    assert report["required"] == required
    close(as_rows(report["periods"]), sql_coverage(required, insensitive=insensitive))
    for name, column in (("provider", "ProviderName"), ("service", "ServiceName"), ("account", "SubAccountId")):
        close(as_rows(report["by"][name]), sql_coverage(required, column, insensitive))
    for row in report["periods"]:
        assert row["share"] == (pytest.approx(row["tagged_cost"] / row["usage_cost"]) if row["usage_cost"] > 0
                                else None)
    # the untagged list, with --top large enough to hold every untagged resource, adds up to the untagged spend
    for row in report["periods"]:
        untagged = [u for u in report["untagged"] if (u["period"], u["currency"]) == (row["period"], row["currency"])]
        assert sum(u["cost"] for u in untagged) == pytest.approx(row["usage_cost"] - row["tagged_cost"], abs=1e-9)
    assert report["findings"] == []


@needs_data
def test_the_sample_share_and_the_gate(tmp_path, capsys):
    (period, currency, _, usage, tagged), = [r for r in sql_coverage(SAMPLE_KEYS) if r[0] == "2024-09-01"]
    share = tagged / usage
    assert 0.85 < share < 0.9  # the sample: all AWS spend carries the three keys, no Azure spend does
    code, report, _ = run_json(tmp_path, capsys, str(FOCUS_SAMPLE), "-c", str(policy_file(tmp_path, SAMPLE_KEYS,
                                                                                          min_share=0.85)))
    assert code == 0 and report["findings"] == []
    code, report, _ = run_json(tmp_path, capsys, str(FOCUS_SAMPLE), "--top", "2",
                               "-c", str(policy_file(tmp_path, SAMPLE_KEYS, min_share=0.95)))
    top = report["untagged"][:2]
    assert code == 1
    assert report["findings"] == [
        f"violation: allocation coverage {share:.1%} of {usage:,.2f} USD usage spend in the billing period from "
        f"2024-09-01 is below 95%: {usage - tagged:,.2f} USD lacks one of environment, application, business_unit; "
        f"largest untagged: {top[0]['resource']} ({top[0]['cost']:,.2f} USD), "
        f"{top[1]['resource']} ({top[1]['cost']:,.2f} USD)"]
    assert [u["period"] for u in report["untagged"]] == ["2024-09-01", "2024-09-01"]
    assert top[0]["cost"] >= top[1]["cost"]


@needs_data
def test_defaults_and_a_lake_give_the_same_report(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./plangate.yaml: PG-TAG-001's default keys, min_share 0.8
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(FOCUS_SAMPLE), "--lake", str(lake)]) == 0
    capsys.readouterr()
    code_files, from_files, _ = run_json(tmp_path, capsys, str(FOCUS_SAMPLE))
    code_lake, from_lake, _ = run_json(tmp_path, capsys, "--lake", str(lake))
    assert from_files == from_lake and code_files == code_lake == 1  # the sample carries none of the default keys
    assert from_files["required"] == ["CostCenter", "Owner", "Environment", "Project"]
    assert [p["tagged_cost"] for p in from_files["periods"]] == [0.0, 0.0]


@needs_data
def test_html_has_the_coverage_section(tmp_path, capsys):
    out = tmp_path / "coverage.html"
    code = main(["coverage", str(FOCUS_SAMPLE), "-c", str(policy_file(tmp_path, SAMPLE_KEYS, min_share=0.5)),
                 "--format", "html", "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    assert code == 0
    for text in ("<h2>Allocation coverage</h2>", "environment, application, business_unit", "<h3>By provider</h3>",
                 "<h3>By service</h3>", "<h3>By account</h3>", "<h3>Largest untagged usage spend</h3>",
                 "PG-COV-001: every billing period meets its threshold"):
        assert text in page


def test_a_focus_1_3_file_is_measured_too(tmp_path, capsys):
    rows = [*focus_rows("1.3"), *focus_rows("1.3", Tags=json.dumps({"Owner": "ml"}), ResourceId="fn-2",
                                            EffectiveCost=2.5, BilledCost=2.5)]
    path = write_parquet(tmp_path / "focus_1_3.parquet", rows)
    code, report, _ = run_json(tmp_path, capsys, str(path), "-c", str(policy_file(tmp_path, ["CostCenter", "Owner"])))
    assert code == 0
    assert report["periods"] == [{"period": "2026-10-01", "currency": "USD", "usage_cost": 15.0,
                                  "tagged_cost": USAGE["EffectiveCost"], "share": 12.5 / 15.0}]
    assert report["untagged"] == [{"period": "2026-10-01", "currency": "USD", "resource": "fn-2",
                                   "service": "AWS Lambda", "account": USAGE["SubAccountId"], "cost": 2.5,
                                   "missing": ["CostCenter"]}]


@pytest.mark.parametrize("rule,example", [(r, e) for r in COVERAGE_RULES for e in r.examples],
                         ids=lambda x: getattr(x, "id", None) or getattr(x, "name", None) or "example")
def test_rule_examples(rule, example):
    says, undecided = rule.run_example(example)
    assert says == list(example.says) and undecided == list(example.undecided)


def bad(tmp_path, capsys, *args):
    code = main(["coverage", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    wrong = write_parquet(tmp_path / "wrong.parquet", focus_rows("1.2", EffectiveCost=None))
    no_usage = write_parquet(tmp_path / "credit.parquet", focus_rows("1.2", ChargeCategory="Credit"))
    text = tmp_path / "text.csv"
    text.write_text("BilledCost,BillingCurrency\nabc,USD\n", encoding="utf-8")
    config = tmp_path / "bad.yaml"
    config.write_text("assurance:\n  coverage:\n    min_share: 1.5\n", encoding="utf-8")
    cases = [
        ((), "give billing FILEs or --lake LAKE"),
        ((str(empty),), f"{empty}: empty file"),
        ((str(wrong),), f"{wrong}: column 'EffectiveCost': 1 usage charges have no value"),
        ((str(no_usage),), "no usage charges (ChargeCategory = Usage)"),
        ((str(text),), f"{text}: missing mandatory FOCUS column 'BillingPeriodStart'"),
        ((str(no_usage), "-c", str(config)), "assurance.coverage.min_share: expected a number between 0 and 1"),
        ((str(no_usage), "--lake", str(tmp_path / "lake.duckdb")), "give billing FILEs or --lake LAKE"),
    ]
    for args, says in cases:
        code, out, err = bad(tmp_path, capsys, *args)
        assert (code, out) == (2, ""), (args, err)
        assert err.count("\n") == 1 and says in err and "Traceback" not in err, (args, err)
