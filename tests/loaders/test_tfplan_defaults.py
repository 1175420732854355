"""Arguments the AWS provider plans as computed although the configuration never set them
take AWS's default (plans from Terraform 1.11 + AWS provider 5.100 in tests/fixtures/hcl_plan/)."""

from __future__ import annotations

import copy
import json

from conftest import FIXTURES

from plangate.engine import scan
from plangate.loaders import tfplan
from plangate.policy import defaults
from plangate.rules import RULES

PLANS = FIXTURES / "hcl_plan"


def _plan(name: str) -> dict:
    return json.loads((PLANS / f"{name}.plan.json").read_text(encoding="utf-8"))


def _load(data: dict) -> dict:
    return {r.address: r for r in tfplan.from_data(data, "plan.json", None)}


def _tel002(data: dict) -> dict[str, list[tuple[str, str]]]:
    result = scan(list(_load(data).values()), defaults(RULES), ["plan.json"])
    out: dict[str, list[tuple[str, str]]] = {}
    for f in result.findings:
        if f.rule_id == "PG-TEL-002":
            out.setdefault(f.address, []).append((f.outcome.value, f.message))
    return out


def _change(data: dict, address: str) -> dict:
    return next(rc for rc in data["resource_changes"] if rc["address"] == address)["change"]


def test_the_provider_marks_an_unset_logging_config_unknown():
    change = _change(_plan("nested_modules"), "module.scorer.aws_lambda_function.this")
    assert change["after_unknown"]["logging_config"] is True  # what the fix is for
    assert "logging_config" not in change["after"]


def test_an_unset_logging_config_is_the_default_log_group():
    fn = _load(_plan("nested_modules"))["module.scorer.aws_lambda_function.this"]
    assert not fn.is_unknown("logging_config")
    assert fn.get("logging_config.log_group") == "/aws/lambda/fraud-scorer"
    assert fn.get("architectures") == ["x86_64"] and fn.get("ephemeral_storage.size") == 512


def test_log_retention_is_decided_from_the_plan():
    found = _tel002(_plan("nested_modules"))
    assert "module.scorer.aws_lambda_function.this" not in found  # 30 days: passes
    assert found["module.explainer.aws_lambda_function.this"] == [
        ("violation", "log group /aws/lambda/fraud-explainer keeps logs forever (retention_in_days not set)")]
    assert not any(outcome == "unknown" for answers in found.values() for outcome, _ in answers)


def test_a_name_unknown_until_apply_stays_unknown():
    data = _plan("unknown_input")
    fn = _load(data)["module.nightly.aws_lambda_function.this"]
    assert fn.is_unknown("function_name") and fn.is_unknown("logging_config")
    assert [o for o, _ in _tel002(data)["module.nightly.aws_lambda_function.this"]] == ["unknown"]
    assert "module.online.aws_lambda_function.this" not in _tel002(data)


def test_a_block_the_configuration_sets_stays_as_planned():
    data = copy.deepcopy(_plan("nested_modules"))
    module = data["configuration"]["root_module"]["module_calls"]["scorer"]["module"]
    block = next(r for r in module["resources"] if r["address"] == "aws_lambda_function.this")
    block["expressions"]["logging_config"] = [{"log_group": {"references": ["var.log_group"]}}]
    fn = _load(data)["module.scorer.aws_lambda_function.this"]
    assert fn.is_unknown("logging_config")
    assert _load(data)["module.explainer.aws_lambda_function.this"].get("logging_config.log_group") == (
        "/aws/lambda/fraud-explainer")


def test_without_configuration_nothing_is_assumed():
    data = _plan("nested_modules")
    del data["configuration"]
    assert _load(data)["module.scorer.aws_lambda_function.this"].is_unknown("logging_config")


def test_an_unset_log_group_class_is_standard():
    group = _load(_plan("counts"))["aws_cloudwatch_log_group.shard[0]"]
    assert _change(_plan("counts"), "aws_cloudwatch_log_group.shard[0]")["after_unknown"]["log_group_class"] is True
    assert group.get("log_group_class") == "STANDARD" and not group.is_unknown("log_group_class")


def test_an_argument_set_to_a_null_variable_is_unset():
    """``log_group_class = var.x`` with x null — a root variable, a module input passed one, or a
    module input left at its null default — is unset to Terraform: STANDARD, as when left out.
    A variable the plan does not show as null (or an expression of several values) stays unknown."""
    data = _plan("null_argument")
    got = {a: (r.get("log_group_class"), r.is_unknown("log_group_class")) for a, r in _load(data).items()}
    assert got == {a: ("INFREQUENT_ACCESS" if "infrequent" in a else "STANDARD", False) for a in got}
    assert len(got) == 5
    changed = copy.deepcopy(data)
    changed["variables"]["log_group_class"] = {"value": "STANDARD"}  # a value, yet the plan says unknown
    calls = changed["configuration"]["root_module"]["module_calls"]
    calls["default_null"]["module"]["variables"]["log_group_class"] = {}  # no default shown
    calls["passed_null"]["module"] = ["not a module"]  # a malformed configuration: nothing assumed, no crash
    got = {a: r.is_unknown("log_group_class") for a, r in _load(changed).items()}
    assert got == {"aws_cloudwatch_log_group.unset": False, "aws_cloudwatch_log_group.null_variable": True,
                   "module.passed_null.aws_cloudwatch_log_group.this": True,
                   "module.default_null.aws_cloudwatch_log_group.this": True,
                   "module.infrequent.aws_cloudwatch_log_group.this": False}


def test_an_unset_tracing_config_is_pass_through():
    """The provider plans an unset ``tracing_config`` unknown; Lambda's mode is then PassThrough (X-Ray off), so
    PG-TEL-001 is a violation on the plan as on the HCL, which sees no block (the downloaded_module case)."""
    data = _plan("downloaded_module")
    address = "module.service.aws_lambda_function.proxy"
    assert _change(data, address)["after_unknown"]["tracing_config"] is True  # what the default is for
    fn = _load(data)[address]
    assert fn.get("tracing_config.mode") == "PassThrough" and not fn.is_unknown("tracing_config")
    result = scan(list(_load(data).values()), defaults(RULES), ["plan.json"])
    assert [f.outcome.value for f in result.findings if f.rule_id == "PG-TEL-001" and f.address == address] == [
        "violation"]
