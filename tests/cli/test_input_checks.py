"""Bad input is bad whichever rules run, and options that contradict each other are usage
errors: the issue's reproductions, each with the one line the user gets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from plangate.cli import main

PLAN = FIXTURES / "hcl_plan" / "sagemaker_costs.plan.json"
ALIASED = FIXTURES / "hcl_plan" / "aliased_regions.plan.json"


def _with_count(tmp_path: Path, count: object, raw: str | None = None) -> Path:
    data = json.loads(ALIASED.read_text(encoding="utf-8"))
    for change in data["resource_changes"]:
        for variant in change["change"]["after"].get("production_variants") or []:
            variant["initial_instance_count"] = count
    path = tmp_path / "plan.json"
    text = json.dumps(data)
    path.write_text(text.replace('"RAW"', raw) if raw else text, encoding="utf-8")
    return path


@pytest.mark.parametrize("count,raw,problem", [
    (-1, None, "= -1 is negative"),
    (1e30, None, "is larger than 1,000,000,000,000"),
    ("RAW", "1e400", "= inf is not a number the model can hold"),
    ("abc", None, "= abc is not a number"),
    (2.5, None, "= 2.5 is not a whole number"),
])
@pytest.mark.parametrize("args", [["scan", "--rule", "cost-allocation-tags"], ["scan"], ["cost"]])
def test_a_bad_count_is_bad_input_whatever_runs(tmp_path, capsys, count, raw, problem, args) -> None:
    path = _with_count(tmp_path, count, raw)
    assert main([args[0], str(path), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"plangate: error: {path}:")
    assert "initial_instance_count" in err and problem in err, err


def test_a_malformed_region_is_bad_input_and_a_region_without_prices_is_not_priced(tmp_path, capsys) -> None:
    assert main(["cost", str(ALIASED), "--region", "mars-1"]) == 2
    assert "'mars-1' is not an AWS region name" in capsys.readouterr().err
    plan = tmp_path / "plan.json"
    plan.write_text(ALIASED.read_text(encoding="utf-8").replace("eu-west-1", "ap-east-2"), encoding="utf-8")
    assert main(["cost", str(plan), "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    status = {r["address"]: r["status"] for r in report["resources"]}
    assert status["aws_sagemaker_endpoint_configuration.home"] == "not-priced"
    assert status["aws_sagemaker_endpoint_configuration.east"] == "priced"


def test_contradicting_options_are_usage_errors(tmp_path, capsys) -> None:
    out = tmp_path / "r"
    assert main(["scan", str(PLAN), "-f", "json", "-o", str(out), "-f", "sarif", "-o", str(out)]) == 2
    assert "is given for two reports" in capsys.readouterr().err
    assert not out.exists()
    assert main(["scan", str(PLAN), "--rule", "PG-TAG-001", "--skip-rule", "cost-allocation-tags"]) == 2
    assert "--rule and --skip-rule both name PG-TAG-001" in capsys.readouterr().err


def test_skip_path_leaves_out_a_templated_manifest(tmp_path, capsys) -> None:
    tree = tmp_path / "deploy"
    (tree / "charts" / "templates").mkdir(parents=True)
    shutil.copy(PLAN, tree / "plan.json")
    (tree / "charts" / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{ toYaml . }}\n",
        encoding="utf-8")
    assert main(["scan", str(tree)]) == 2  # the template is not YAML
    assert "deployment.yaml" in capsys.readouterr().err
    code = main(["scan", str(tree), "--skip-path", "charts/templates", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["inputs"] == [str(tree)]
    assert {f["file"] for f in report["findings"]} == {str(tree / "plan.json")}
    assert main(["scan", str(tree), "--skip-path", "("]) == 2
    assert "--skip-path: '(' is not a regular expression" in capsys.readouterr().err


def test_usage_entries_that_match_nothing_are_named(tmp_path, capsys) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text("version: 0.1\nresource_usage:\n  aws_sagemaker_endpoint_configuration.typo:\n"
                     "    monthly_data_processed_in_gb: 10\n", encoding="utf-8")
    assert main(["cost", str(ALIASED), "--usage-file", str(usage)]) == 0
    err = capsys.readouterr().err
    assert err == f"plangate: warning: {usage}: no resource matches aws_sagemaker_endpoint_configuration.typo\n"
