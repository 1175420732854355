"""Configuration outliers against a fleet of real plans, previews and state exports (../shared/corpus),
and ``plangate scan --baseline-fleet``."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT, needs_corpus

from plangate import loaders
from plangate.analytics.outliers import RULE_ID, FleetProfile, settings_of
from plangate.cli import main
from plangate.errors import PlangateError
from plangate.model import Outcome, Resource

FLEET_FILES = [
    "pulumi/pulumi__pulumi/pkg/operations/testdata/todo.json",
    "pulumi/pulumi__pulumi/pkg/resource/stack/testdata/checkpoint-v3.json",
    "pulumi/pulumi__pulumi/pkg/resource/stack/testdata/checkpoint-v4.json",
    "tfplan/terraform-compliance__cli/tests/functional/test-it_must_be_in-pass/plan.out.json",
    "tfplan/terraform-compliance__cli/tests/functional/test-it_must_not_be_in-pass/plan.out.json",
    "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "tfplan/terraform-compliance__cli/tests/functional/test_multi-module-referencing/plan.out.json",
]


def _corpus() -> list[Resource]:
    out = []
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            out.extend(loaders.load(str(path)))
        except PlangateError:
            continue  # the corpus keeps invalid inputs on purpose
    return out


@pytest.fixture(scope="module")
def fleet():
    resources = _corpus()
    return resources, FleetProfile().fit(resources)


def _lambda(fleet_resources):
    return next(r for r in fleet_resources if r.type == "aws_lambda_function" and "memory_size" in r.properties
                and r.properties.get("timeout") in (None, 180, 30, 60))


@needs_corpus
def test_an_extreme_numeric_setting_is_flagged_and_explained(fleet):
    resources, profile = fleet
    fn = _lambda(resources)
    odd = dataclasses.replace(fn, address="aws_lambda_function.odd", properties={**fn.properties, "memory_size": 10240})
    found = profile.findings([odd])
    assert [f.address for f in found] == ["aws_lambda_function.odd"]
    (f,) = found
    assert f.rule_id == RULE_ID and f.outcome is Outcome.WARNING and not f.gating
    assert f.message.startswith("memory_size = 10240 (fleet median ") and "unlike the fleet's" in f.message


@needs_corpus
def test_a_rare_categorical_value_is_flagged(fleet):
    resources, profile = fleet
    bucket = next(r for r in resources if r.type == "aws_s3_bucket" and r.properties.get("acl") == "private")
    odd = dataclasses.replace(bucket, address="aws_s3_bucket.odd", properties={**bucket.properties,
                                                                                "acl": "public-read-write"})
    messages = [f.message for f in profile.findings([odd])]
    assert any(m.startswith("acl = 'public-read-write' is rare in the fleet (0 of") for m in messages), messages
    assert profile.findings([bucket]) == []


@needs_corpus
def test_most_of_the_fleet_is_not_an_outlier_of_itself(fleet):
    resources, profile = fleet
    flagged = {f.address for f in profile.findings(resources)}
    judged = [r for r in resources if r.type in profile.models_]
    assert judged and len(flagged) <= 0.1 * len(judged)


def test_values_that_may_be_secrets_are_never_read():
    res = Resource("aws_db_instance", "aws_db_instance.d", "tfplan",
                   {"instance_class": "db.t3.micro", "master_password": "hunter2-unmarked",
                    "environment": [{"variables": {"API": "sk-unmarked"}}], "auth_token": "t0k3n",
                    "user_data": "#!/bin/sh\necho hi"})
    numeric, categorical = settings_of(res)
    assert categorical == {"instance_class": "db.t3.micro"} and numeric == {}


def test_names_secrets_unknowns_and_tags_are_not_settings():
    res = Resource("aws_lambda_function", "aws_lambda_function.f", "tfplan",
                   {"function_name": "f", "runtime": "python3.12", "memory_size": 512, "role": "arn:aws:iam::1:role/x",
                    "environment": [{"variables": {"TOKEN": "[secret]"}}], "timeout": 30, "tags": {"team": "ml"}},
                   secret=frozenset({"environment.0.variables.TOKEN"}), unknown=frozenset({"timeout"}))
    numeric, categorical = settings_of(res)
    assert numeric == {"memory_size": 512.0} and categorical == {"runtime": "python3.12"}


def _plan(tmp_path, memory: int):
    after = {"function_name": "scorer", "runtime": "python3.12", "memory_size": memory, "timeout": 30,
             "tags": {"team": "ml"}}
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [
        {"address": "aws_lambda_function.scorer", "mode": "managed", "type": "aws_lambda_function", "name": "scorer",
         "change": {"actions": ["create"], "after": after, "after_unknown": {}}}]}
    path = tmp_path / f"plan-{memory}.json"
    path.write_text(json.dumps(plan))
    return path


@needs_corpus
def test_scan_with_a_baseline_fleet_adds_advisory_findings(tmp_path, capsys):
    fleet_args = [a for f in FLEET_FILES for a in ("--baseline-fleet", str(CORPUS / f))]
    plain = main(["scan", str(_plan(tmp_path, 10240)), "-f", "json"])
    capsys.readouterr()
    assert main(["scan", str(_plan(tmp_path, 10240)), "-f", "json", *fleet_args]) == plain
    doc = json.loads(capsys.readouterr().out)
    fleet = [f for f in doc["findings"] if f["rule_id"] == RULE_ID]
    assert len(fleet) == 1 and fleet[0]["address"] == "aws_lambda_function.scorer"
    assert "memory_size = 10240" in fleet[0]["message"]
    main(["scan", str(_plan(tmp_path, 128)), "-f", "json", *fleet_args])
    assert not [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule_id"] == RULE_ID]


def test_scan_without_a_fleet_imports_no_analytics():
    code = ("import sys; from plangate.cli import main; "
            f"main(['scan', {str(ROOT / 'examples' / 'terraform-plan' / 'plan.json')!r}, '-f', 'json', "
            "'-o', '/dev/null']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'pandas', 'duckdb', 'ibis') "
            "or m.startswith('plangate.analytics')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_bad_fleet_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "fleet.json"
    bad.write_text("{not json")
    assert main(["scan", str(_plan(tmp_path, 512)), "--baseline-fleet", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fleet.json" in err


@needs_corpus
def test_sarif_describes_the_fleet_rule_its_results_name(tmp_path, capsys):
    fleet_args = [a for f in FLEET_FILES for a in ("--baseline-fleet", str(CORPUS / f))]
    main(["scan", str(_plan(tmp_path, 10240)), "-f", "sarif", *fleet_args])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    ids = [d["id"] for d in run["tool"]["driver"]["rules"]]
    fleet = [r for r in run["results"] if r["ruleId"] == RULE_ID]
    assert len(fleet) == 1 and ids[fleet[0]["ruleIndex"]] == RULE_ID
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
