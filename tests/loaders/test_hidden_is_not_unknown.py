"""Hidden is not unknown: a secret or sensitive value decides its rule exactly as the same value
in the clear does — on a Terraform plan, HCL, a Pulumi preview and Pulumi state — and never
appears in any output format.  The issue's reproductions, each against its clear twin."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from plangate.cli import main
from plangate.loaders.pulumi_wire import SECRET_SIG, SIG_KEY

TODAY = "2026-12-01"
SECRET_TEXT = "ZZSEKRET5"  # in a key and in a value: neither may reach any output
TAGS = {"CostCenter": "cc-42", "Owner": "ml", "Environment": "prod", "Project": "vision",
        "app": "ai-model-inference", "ai.plangate.dev/risk-tier": "unacceptable",
        f"{SECRET_TEXT}key": f"{SECRET_TEXT}value"}
PARTIAL_TAGS = {"app": "ai-model-inference", f"{SECRET_TEXT}key": "x"}  # no cost tags at all


def _secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


# -- Pulumi --------------------------------------------------------------------------------

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"


def _urn(token: str, name: str) -> str:
    return f"urn:pulumi:dev::vision::{token}::{name}"


def _preview(tags: Any, variants: Any = None) -> dict[str, Any]:
    variants = variants if variants is not None else [
        {"variantName": "v", "modelName": "m", "instanceType": "ml.p4d.24xlarge", "initialInstanceCount": 40}]
    steps = []
    for token, name, inputs in (
        (CONFIG, "cfg", {"name": "cfg", "productionVariants": variants, "tags": tags}),
        (ENDPOINT, "ep", {"name": "ep", "endpointConfigName": "cfg", "tags": tags}),
    ):
        steps.append({"op": "create", "urn": _urn(token, name),
                      "newState": {"type": token, "urn": _urn(token, name), "inputs": inputs}})
    return {"steps": steps}


def _state(preview: dict[str, Any]) -> dict[str, Any]:
    return {"version": 3, "deployment": {"resources": [
        {"urn": s["urn"], "type": s["newState"]["type"], "inputs": s["newState"]["inputs"],
         "outputs": s["newState"]["inputs"]} for s in preview["steps"]]}}


# -- Terraform -----------------------------------------------------------------------------

def _plan(tags: dict[str, str], sensitive: dict[str, Any] | None = None) -> dict[str, Any]:
    def change(rtype: str, name: str, after: dict[str, Any]) -> dict[str, Any]:
        marks = (sensitive or {}).get(rtype, {})
        return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {},
                           "after_sensitive": marks}}

    config = "aws_sagemaker_endpoint_configuration"
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [
        change(config, "cfg", {"name": "cfg", "tags": tags, "production_variants": [
            {"variant_name": "v", "model_name": "m", "instance_type": "ml.p4d.24xlarge",
             "initial_instance_count": 40}]}),
        change("aws_sagemaker_endpoint", "ep", {"name": "ep", "endpoint_config_name": "cfg", "tags": tags}),
    ]}


def _hcl(folder: Path, sensitive: bool) -> Path:
    folder.mkdir()
    flag = "  sensitive = true\n" if sensitive else ""
    lines = "\n".join(f'    "{k}" = "{v}"' for k, v in TAGS.items())
    (folder / "main.tf").write_text(
        f'variable "tags" {{\n  type = map(string)\n{flag}  default = {{\n{lines}\n  }}\n}}\n\n'
        'variable "count_of_instances" {\n  type = number\n' + flag + '  default = 40\n}\n\n'
        'resource "aws_sagemaker_endpoint_configuration" "cfg" {\n  name = "cfg"\n'
        '  production_variants {\n    variant_name = "v"\n    model_name = "m"\n'
        '    instance_type = "ml.p4d.24xlarge"\n    initial_instance_count = var.count_of_instances\n  }\n'
        '  tags = var.tags\n}\n\n'
        'resource "aws_sagemaker_endpoint" "ep" {\n  name = "ep"\n  endpoint_config_name = "cfg"\n'
        '  tags = var.tags\n}\n', encoding="utf-8")
    return folder


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _cases(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """(hidden, clear) inputs of every kind, hiding the tag map and the instance count."""
    variants = [{"variantName": "v", "modelName": "m", "instanceType": _secret("ml.p4d.24xlarge"),
                 "initialInstanceCount": _secret(40)}]
    nested = [_secret({"variantName": "v", "modelName": "m", "instanceType": "ml.p4d.24xlarge",
                       "initialInstanceCount": 40})]
    plan_marks = {"aws_sagemaker_endpoint_configuration": {"tags": True, "production_variants": [
        {"instance_type": True, "initial_instance_count": True}]}, "aws_sagemaker_endpoint": {"tags": True}}
    clear_preview = _preview(TAGS)
    cases = {
        "pulumi preview, whole map and leaves": (_preview(_secret(TAGS), variants), clear_preview),
        "pulumi preview, secret list of objects": (_preview(_secret(TAGS), _secret(nested)), clear_preview),
        "pulumi preview, secret inside a secret": (_preview(_secret({**TAGS, "Owner": _secret("ml")}), nested),
                                                   clear_preview),
        "pulumi state": (_state(_preview(_secret(TAGS), variants)), _state(clear_preview)),
        "terraform plan": (_plan(TAGS, plan_marks), _plan(TAGS)),
    }
    out = {name: (_write(tmp_path, f"h{i}.json", hidden), _write(tmp_path, f"c{i}.json", clear))
           for i, (name, (hidden, clear)) in enumerate(cases.items())}
    out["hcl"] = (_hcl(tmp_path / "hidden", True), _hcl(tmp_path / "clear", False))
    return out


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--today", TODAY] if args[0] in ("scan", "cost") else list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _verdicts(capsys, path: Path, *extra: str) -> tuple[int, set[tuple[str, str, str]]]:
    code, out, _ = _run(capsys, "scan", str(path), "-f", "json", *extra)
    return code, {(f["address"], f["rule_id"], f["outcome"]) for f in json.loads(out)["findings"]}


@pytest.fixture
def cases(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    return _cases(tmp_path)


def test_a_hidden_value_decides_its_rule_as_the_clear_value_does(cases, capsys) -> None:
    for name, (hidden, clear) in cases.items():
        assert _verdicts(capsys, hidden) == _verdicts(capsys, clear), name
        code, found = _verdicts(capsys, hidden, "--rule", "PG-RAI-002")
        assert code == 1 and ("aws_sagemaker_endpoint.ep", "PG-RAI-002", "violation") in found, (name, found)


def test_a_secret_tag_map_missing_the_cost_tags_is_a_violation_not_unknown(tmp_path, capsys) -> None:
    preview = _write(tmp_path, "p.json", _preview(_secret(PARTIAL_TAGS)))
    code, found = _verdicts(capsys, preview, "--rule", "cost-allocation-tags")
    assert code == 1
    assert {o for _, r, o in found if r == "PG-TAG-001"} == {"violation"}


def test_a_sensitive_instance_count_is_priced_and_closes_a_budget(cases, tmp_path, capsys) -> None:
    """The $1M/month plan against a $100 budget: priced as in the clear, on every path."""
    policy = tmp_path / "budget.yaml"
    policy.write_text("rules:\n  monthly-budget:\n    stack: 100\n", encoding="utf-8")
    for name, (hidden, clear) in cases.items():
        totals = []
        for path in (hidden, clear):
            code, out, _ = _run(capsys, "cost", str(path), "-f", "json", "-c", str(policy))
            assert code == 1, name
            totals.append(json.loads(out)["totals"]["monthly_cost"])
            assert _run(capsys, "scan", str(path), "-c", str(policy), "--rule", "monthly-budget")[0] == 1, name
        assert totals[0] == totals[1] == "1100489.6", (name, totals)


FORMATS = [("scan", f) for f in ("table", "json", "sarif", "junit", "markdown")] + [
    ("cost", f) for f in ("table", "json", "infracost-json", "markdown")]


@pytest.mark.parametrize("command,fmt", FORMATS)
def test_no_secret_reaches_any_format(cases, command, fmt, capsys) -> None:
    for name, (hidden, _) in cases.items():
        code, out, err = _run(capsys, command, str(hidden), "-f", fmt, "--by", "Owner") if command == "cost" \
            else _run(capsys, command, str(hidden), "-f", fmt)
        assert code in (0, 1), (name, err)
        for text in (out, err):
            assert SECRET_TEXT not in text, (name, fmt)
            assert "ml.p4d" not in text or name == "hcl", (name, fmt)  # the HCL tree hides no instance type


def test_the_plan_and_the_preview_hide_the_same_way(tmp_path, capsys) -> None:
    """Deep copies keep their secrets: a resource loaded twice never loses the stand-in."""
    from plangate import loaders

    path = _write(tmp_path, "p.json", _preview(_secret(TAGS)))
    [config, endpoint] = loaders.load(path)
    again = copy.deepcopy(endpoint)
    assert str(again.tags["Owner"]) == "[secret]" and "tags" in again.secret
