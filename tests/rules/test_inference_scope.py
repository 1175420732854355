"""Which Lambda functions are AI inference: the tag opts in or out, and an untagged function
that calls a model is found by its execution role's policies or its environment."""

from __future__ import annotations

import json

import pytest

from plangate import loaders
from plangate.cli import main
from plangate.model import Resource
from plangate.notes import role_actions
from plangate.rules.scope import Detection, inference_signals, is_inference

SELECT = {"app": "ai-model-inference"}
ROLE_ARN = "arn:aws:iam::123456789012:role/scorer-role"


def _change(type_: str, name: str, after: dict, unknown: dict | None = None, action: str = "create") -> dict:
    return {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
            "change": {"actions": [action], "after": after, "after_unknown": unknown or {}}}


def _policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def _plan(tmp_path, *changes: dict):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": list(changes)}))
    return loaders.load_all([str(path)]).resources


def _by_address(resources):
    return {r.address: r for r in resources}


def test_a_role_policy_on_an_existing_role_makes_the_function_inference(tmp_path):
    res = _by_address(_plan(
        tmp_path,
        _change("aws_iam_role", "scorer", {"name": "scorer-role", "arn": ROLE_ARN}, action="no-op"),
        _change("aws_iam_role_policy", "invoke", {"role": "scorer-role",
                                                  "policy": _policy("sagemaker:InvokeEndpoint")}),
        _change("aws_lambda_function", "scorer", {"function_name": "scorer", "role": ROLE_ARN}),
        _change("aws_lambda_function", "billing", {"function_name": "billing", "role": "arn:aws:iam::1:role/other"}),
    ))
    assert role_actions(res["aws_lambda_function.scorer"]) == ("sagemaker:InvokeEndpoint",)
    assert inference_signals(res["aws_lambda_function.scorer"]) == [
        "execution role may call sagemaker:InvokeEndpoint"]
    assert is_inference(res["aws_lambda_function.scorer"], SELECT)
    assert not is_inference(res["aws_lambda_function.billing"], SELECT)


@pytest.mark.parametrize("role_props,extra,expected", [
    ({"inline_policy": [{"name": "x", "policy": _policy("bedrock:InvokeModel*")}]}, [], True),
    ({"managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"]}, [], True),
    ({}, [_change("aws_iam_role_policy_attachment", "a", {
        "role": "scorer-role", "policy_arn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"})], True),
    ({}, [_change("aws_iam_policy", "p", {"arn": "arn:aws:iam::1:policy/invoke",
                                          "policy": _policy("bedrock:InvokeModelWithResponseStream")}),
          _change("aws_iam_role_policy_attachment", "a", {"role": "scorer-role",
                                                          "policy_arn": "arn:aws:iam::1:policy/invoke"})], True),
    ({"inline_policy": [{"name": "x", "policy": _policy("s3:GetObject", "sagemaker:ListEndpoints")}]}, [], False),
    ({"managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]}, [], False),
], ids=["inline", "managed-arns", "aws-managed-attachment", "customer-policy-attachment", "no-invoke",
        "unrelated-managed"])
def test_every_way_a_role_gets_its_policies(tmp_path, role_props, extra, expected):
    res = _by_address(_plan(
        tmp_path,
        _change("aws_iam_role", "scorer", {"name": "scorer-role", "arn": ROLE_ARN, **role_props}),
        *extra,
        _change("aws_lambda_function", "scorer", {"function_name": "scorer", "role": "scorer-role"}),
    ))
    assert is_inference(res["aws_lambda_function.scorer"], SELECT) is expected


def test_a_role_known_only_after_apply_is_not_linked(tmp_path):
    res = _by_address(_plan(
        tmp_path,
        _change("aws_iam_role", "scorer", {"name": "scorer-role",
                                           "inline_policy": [{"policy": _policy("bedrock:InvokeModel")}]},
                {"arn": True}),
        _change("aws_lambda_function", "scorer", {"function_name": "scorer"}, {"role": True}),
    ))
    assert role_actions(res["aws_lambda_function.scorer"]) == ()


def _fn(**kw) -> Resource:
    return Resource("aws_lambda_function", "aws_lambda_function.f", "example", **kw)


@pytest.mark.parametrize("variables,expected", [
    ({"SAGEMAKER_ENDPOINT_NAME": "fraud"}, True),
    ({"BEDROCK_MODEL_ID": "anthropic.claude-3-haiku-20240307-v1:0"}, True),
    ({"TARGET": "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/fraud-xgb"}, True),
    ({"URL": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/x/invocations"}, True),
    ({"URL": "https://bedrock-runtime.us-east-1.amazonaws.com"}, True),
    ({"TABLE_NAME": "orders", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q"}, False),
])
def test_an_environment_that_names_an_endpoint_or_model(variables, expected):
    assert is_inference(_fn(properties={"environment": [{"variables": variables}]}), SELECT) is expected


def test_the_tag_opts_in_and_the_opt_out_tag_wins_over_detection():
    named = {"environment": [{"variables": {"SAGEMAKER_ENDPOINT_NAME": "fraud"}}]}
    assert is_inference(_fn(tags=dict(SELECT)), SELECT)
    assert not is_inference(_fn(properties=named, tags={"ai.plangate.dev/inference": "false"}), SELECT)
    assert is_inference(_fn(properties=named, tags={**SELECT, "ai.plangate.dev/inference": "false"}), SELECT)
    assert not is_inference(_fn(properties=named), SELECT, Detection(env_names=()))


def test_the_scan_reports_an_untagged_function_that_calls_a_model(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [
        _change("aws_iam_role", "scorer", {"name": "scorer-role", "arn": ROLE_ARN,
                                           "inline_policy": [{"policy": _policy("bedrock:InvokeModel")}]},
                action="no-op"),
        _change("aws_lambda_function", "scorer", {"function_name": "scorer", "role": ROLE_ARN}),
    ]}))
    main(["scan", str(plan), "-f", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert ("PG-RAI-001", "aws_lambda_function.scorer") in {(f["rule_id"], f["address"]) for f in findings}


def test_a_bad_detection_pattern_is_a_config_error(tmp_path, capsys):
    config = tmp_path / "plangate.yaml"
    config.write_text("rules:\n  responsible-ai-metadata:\n    env_names: ['(unclosed']\n")
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": []}')
    assert main(["scan", str(plan), "-c", str(config)]) == 2
    err = capsys.readouterr().err
    assert "env_names[0]: not a regular expression" in err and err.count("\n") == 1


_AI_RULES = ("PG-RAI-001", "PG-TEL-001", "PG-TEL-002", "PG-TEL-004", "PG-TEL-005")


@pytest.mark.parametrize("unknown", [
    {"environment": [{"variables": True}]},  # Terraform marks the whole map when one value is
    {"environment": [{"variables": {"NONCE": True}}]},
    {"environment": True},
])
def test_a_function_whose_environment_is_unknown_is_unknown_to_the_inference_rules(tmp_path, capsys, unknown):
    plan = tmp_path / "plan.json"
    after = {"function_name": "scorer", "role": ROLE_ARN}
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [
        _change("aws_lambda_function", "scorer", after, unknown)]}))
    assert main(["scan", str(plan), "-f", "json"]) == 1  # untagged: PG-TAG-001
    findings = json.loads(capsys.readouterr().out)["findings"]
    got = {(f["rule_id"], f["outcome"], f["message"]) for f in findings if f["rule_id"] in _AI_RULES}
    why = "whether this is an AI inference workload is unknown until apply (environment.variables)"
    assert {(rule, outcome) for rule, outcome, _ in got} == {(r, "unknown") for r in _AI_RULES}
    assert {message for _, _, message in got} == {why}


def test_classification_is_decided_when_the_known_part_decides(tmp_path):
    from plangate.model import Unknown
    from plangate.rules.scope import classify

    named = _fn(properties={"environment": [{"variables": {"ENDPOINT_NAME": "fraud"}}]},
                unknown=frozenset({"environment.0.variables.NONCE"}))
    assert classify(named, SELECT) is True
    plain = _fn(properties={"environment": [{"variables": {"TABLE": "orders"}}]})
    assert classify(plain, SELECT) is False
    opted_out = _fn(tags={"ai.plangate.dev/inference": "false"}, unknown=frozenset({"environment.0.variables"}))
    assert classify(opted_out, SELECT) is False
    tag_unknown = _fn(unknown=frozenset({"tags.app"}))
    assert classify(tag_unknown, SELECT) == Unknown(
        "whether this is an AI inference workload is unknown until apply (tags.app)", ("tags.app",))
