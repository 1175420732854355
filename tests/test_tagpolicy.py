"""`plangate scan --tag-policy`: an AWS Organizations tag policy drives PG-TAG-001 and its
disagreements with plangate.yaml are reported (plangate/tagpolicy.py)."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from plangate import tagpolicy
from plangate.cli import main
from plangate.cli.scan import FORMATS
from plangate.rules.tags import TagPolicy
from plangate.types import TAGGABLE, pulumi_type

HERE = FIXTURES / "tagpolicy"
PLAN, POLICY, YAML = (str(HERE / n) for n in ("plan.json", "effective-policy.json", "plangate.yaml"))
SCAN = ["scan", PLAN, "--tag-policy", POLICY, "--rule", "PG-TAG-001", "--today", "2026-01-01"]
D = "tag policy disagreement: "


def _findings(capsys, *extra: str) -> tuple[int, list[tuple[str, str, str]]]:
    code = main([*SCAN, *extra, "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    return code, sorted((f["outcome"], f["address"], f["message"]) for f in doc["findings"])


def test_the_documented_effective_policy_drives_pg_tag_001_and_names_every_disagreement(capsys):
    code, found = _findings(capsys, "-c", YAML)
    y = YAML
    assert code == 1
    assert found == sorted([
        ("violation", "aws_instance.trainer", "tag CostCenter='900' is not one of: 100, 200, 300* (the tag "
         "policy enforces it on aws_instance: AWS refuses this value at apply)"),
        ("violation", "aws_lambda_function.scorer", "missing tags: Owner"),  # CostCenter 300-fraud matches 300*
        ("violation", "aws_lambda_function.scorer",
         "tag Environment='prod' is not one of: Production, Staging, Development"),
        ("violation", "aws_sqs_queue.jobs", "missing tags: CostCenter, Owner"),
        ("warning", "tag-policy.CostCenter", f"{D}case differs: {y} spells the key costcenter, the tag policy "
         "CostCenter (AWS compliance requires CostCenter; checked as CostCenter)"),
        ("warning", "tag-policy.CostCenter", f"{D}{y} requires CostCenter on every billable type, the tag "
         "policy only on aws_instance, aws_lambda_function, aws_s3_bucket (required on every billable type)"),
        ("warning", "tag-policy.CostCenter", f"{D}the tag policy allows only 100, 200, 300* for CostCenter; "
         f"{y} sets no allowed values (the tag policy's apply)"),
        ("warning", "tag-policy.DataClass", f"{D}the tag policy requires DataClass on aws_s3_bucket; {y} does "
         "not require it (now required there)"),
        ("warning", "tag-policy.DataClass", f"{D}the tag policy names bedrock:guardrail for DataClass: "
         "plangate knows no Terraform type for it, so it is not checked there"),
        ("warning", "tag-policy.Environment", f"{D}allowed values of Environment differ: {y}: prod, staging, "
         "dev; the tag policy: Production, Staging, Development (the tag policy's apply)"),
        ("warning", "tag-policy.Owner", f"{D}{y} requires Owner on every billable type, the tag policy only "
         "on aws_eip, aws_instance, aws_nat_gateway, aws_ebs_volume, aws_lambda_function (required on every "
         "billable type)"),
        ("warning", "tag-policy.Project", f"{D}{y} requires Project; the tag policy does not name it "
         "(still required)"),
    ])


def test_without_a_policy_file_the_tag_policy_is_compared_with_plangates_defaults(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./plangate.yaml
    _, found = _findings(capsys)
    warnings = [m for outcome, _, m in found if outcome == "warning"]
    assert f"{D}plangate's defaults requires Project; the tag policy does not name it (still required)" in warnings
    # the defaults' Environment values give way to the tag policy's
    assert ("violation", "aws_lambda_function.scorer",
            "tag Environment='prod' is not one of: Production, Staging, Development") in found


def test_every_output_format_carries_the_disagreements(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # the table wraps a message to its column: one line here, wherever it runs
    for fmt in FORMATS:
        main([*SCAN, "-c", YAML, "-f", fmt])
        out = capsys.readouterr().out
        assert "tag-policy.Project" in out and "does not name it" in out, fmt


def _content() -> dict:
    return json.loads(json.loads((HERE / "effective-policy.json").read_text())["EffectivePolicy"]["PolicyContent"])


def test_a_policy_document_with_assign_and_the_bare_content_read_as_the_effective_policy():
    content = _content()
    assigned = {"tags": {name: {field: {"@@assign": value} for field, value in body.items()}
                         for name, body in content["tags"].items()}}
    expected = tagpolicy.read(POLICY)
    assert expected.target == "123456789012"
    for data in (content, assigned):
        assert tagpolicy.parse(data, "p.json").keys == expected.keys
    assert expected.keys[1] == tagpolicy.PolicyKey(
        "Owner", None, ("aws_eip", "aws_instance", "aws_nat_gateway", "aws_ebs_volume", "aws_lambda_function"), ())


def test_a_key_without_tag_key_is_lowercase_and_a_star_value_accepts_anything():
    got = tagpolicy.parse({"tags": {"CostCenter": {"tag_value": ["*"]}}}, "p.json")
    assert got.keys == (tagpolicy.PolicyKey("costcenter", None, (), ()),)


def test_merge_into_empty_settings_takes_the_policy_as_is():
    merged, disagreements = tagpolicy.merge(TagPolicy(required=(), allowed_values={}), tagpolicy.read(POLICY), "y")
    assert merged.required == ("CostCenter", "Owner", "DataClass")
    assert merged.required_for["DataClass"] == ("aws_s3_bucket",)
    assert merged.allowed_values == {"CostCenter": ("100", "200", "300*"),
                                     "Environment": ("Production", "Staging", "Development")}
    assert merged.enforced_for == {"CostCenter": ("aws_instance",)}
    assert [d.key for d in disagreements] == ["CostCenter", "CostCenter", "Owner", "Environment", "DataClass",
                                              "DataClass"]


@pytest.mark.parametrize("text,problem", [
    ("{", "invalid JSON"),
    ('{"EffectivePolicy": {"PolicyType": "BACKUP_POLICY", "PolicyContent": "{}"}}', "not TAG_POLICY"),
    ('{"EffectivePolicy": {"PolicyContent": "{\\"tags\\": 1"}}', "EffectivePolicy.PolicyContent"),
    ('{"Policy": {}}', "not a tag policy"),
    ('{"tags": {}}', "names no tag keys"),
    ('{"tags": {"cc": {"tag_value": {"@@append": ["1"]}}}}', "uses @@append"),
    ('{"tags": {"cc": {"tag_key": "Owner"}}}', "must be the policy key"),
    ('{"tags": {"cc": {"tag_value": "100"}}}', "expected a list of strings"),
    ('{"tags": {"cc": {"enforced_for": ["ec2"]}}}', "not an AWS resource type"),
    ('{"tags": {"cc": {"required": ["x"]}}}', "unknown field 'required'"),
])
def test_a_bad_tag_policy_is_one_line_and_exit_2(capsys, tmp_path, text, problem):
    bad = tmp_path / "policy.json"
    bad.write_text(text)
    assert main(["scan", PLAN, "--tag-policy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and problem in err and "Traceback" not in err


def test_an_unreadable_tag_policy_is_exit_2(capsys, tmp_path):
    assert main(["scan", PLAN, "--tag-policy", str(tmp_path / "absent.json")]) == 2
    assert str(tmp_path / "absent.json") in capsys.readouterr().err


def test_the_type_map_names_taggable_terraform_types_and_pulumi_tokens_that_map_onto_them():
    import csv
    from importlib import resources

    text = resources.files("plangate").joinpath("data/aws_tag_policy_types.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows and all(":" in r["tag_type"] for r in rows)
    for row in rows:
        assert row["terraform_type"] in TAGGABLE, row
        if row["pulumi_token"]:
            assert pulumi_type(row["pulumi_token"]) == row["terraform_type"], row
    assert tagpolicy.type_map()["s3:bucket"] == ("aws_s3_bucket",)
