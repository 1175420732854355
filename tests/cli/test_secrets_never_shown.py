"""No secret or sensitive value reaches any output: every command, every format, plans and
previews whose secrets sit under dotted tag keys, in nested blocks, in list items, and look
like numbers.  The gate still looks at them: a sensitive tag outside its allowed values fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangate.cli import main
from plangate.loaders.pulumi_wire import secret

SECRETS = {
    "team": "SECRET-TEAM-7f3a",
    "card": "https://cards.example/SECRET-CARD-91c2",
    "model": "31415926535",  # looks like a number
    "env": "SECRET-ENV-4d2e",
    "token": "SECRET-TOKEN-b81e",
    "layer": "arn:aws:lambda:us-east-1:123456789012:layer:SECRET-LAYER-55:1",
    "kms": "SECRET-KMS-0c9d",
    "base": "SECRET-BASE-66aa",
}
MEMORY = 2718281  # a sensitive number
P = "ai.plangate.dev/"


def _tags(team: str) -> dict:
    return {"app": "ai-model-inference", "CostCenter": "cc-1", "Owner": "ml", "Project": "p",
            "Environment": SECRETS["env"], "team.name": team, P + "model-card-url": SECRETS["card"],
            P + "model-id": SECRETS["model"], P + "risk-tier": "limited"}


_TAGS_SENSITIVE = {"team.name": True, P + "model-card-url": True, P + "model-id": True, "Environment": True}


def _change(type_: str, name: str, after: dict, sensitive: dict) -> dict:
    return {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "after": after, "after_unknown": {}, "after_sensitive": sensitive}}


def _plan(team: str) -> dict:
    tags = _tags(team)
    fn = _change("aws_lambda_function", "scorer", {
        "function_name": "scorer", "memory_size": MEMORY, "runtime": "python3.12",
        "environment": [{"variables": {"API_TOKEN": SECRETS["token"], "SAGEMAKER_ENDPOINT": "ep"}}],
        "layers": [SECRETS["layer"]], "tags": tags, "tags_all": tags,
    }, {"memory_size": True, "environment": [{"variables": {"API_TOKEN": True}}], "layers": [True],
        "tags": _TAGS_SENSITIVE, "tags_all": _TAGS_SENSITIVE})
    cfg = _change("aws_sagemaker_endpoint_configuration", "cfg", {
        "name": "cfg", "kms_key_id": SECRETS["kms"],
        "production_variants": [{"variant_name": "a", "model_name": "m", "instance_type": "ml.g5.xlarge",
                                 "initial_instance_count": 1}],
        "data_capture_config": [{"enable_capture": True, "destination_s3_uri": "s3://b/SECRET-KMS-0c9d"}],
        "tags": tags, "tags_all": tags,
    }, {"kms_key_id": True, "data_capture_config": [{"destination_s3_uri": True}],
        "tags": _TAGS_SENSITIVE, "tags_all": _TAGS_SENSITIVE})
    return {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [fn, cfg]}


def _preview() -> dict:
    tags = {k: secret(v) if k in _TAGS_SENSITIVE else v for k, v in _tags(SECRETS["team"]).items()}
    stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
    fn = {"op": "create", "urn": "urn:pulumi:dev::p::aws:lambda/function:Function::scorer", "newState": {
        "type": "aws:lambda/function:Function", "custom": True, "parent": stack,
        "urn": "urn:pulumi:dev::p::aws:lambda/function:Function::scorer",
        "inputs": {"name": "scorer", "memorySize": secret(MEMORY), "tags": tags,
                   "environment": {"variables": {"API_TOKEN": secret(SECRETS["token"])}},
                   "layers": [secret(SECRETS["layer"])]}}}
    cfg = {"op": "create", "urn": "urn:pulumi:dev::p::aws:sagemaker/endpointConfiguration:EndpointConfiguration::cfg",
           "newState": {"type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "custom": True,
                        "parent": stack,
                        "urn": "urn:pulumi:dev::p::aws:sagemaker/endpointConfiguration:EndpointConfiguration::cfg",
                        "inputs": {"kmsKeyId": secret(SECRETS["kms"]), "tags": tags, "productionVariants": [
                            {"variantName": "a", "modelName": "m", "instanceType": "ml.g5.xlarge",
                             "initialInstanceCount": 1}]}}}
    return {"steps": [fn, cfg], "changeSummary": {"create": 2}}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secrets")
    paths = {"plan": root / "plan.json", "base": root / "base.json", "preview": root / "preview.json"}
    paths["plan"].write_text(json.dumps(_plan(SECRETS["team"])))
    paths["base"].write_text(json.dumps(_plan(SECRETS["base"])))
    paths["preview"].write_text(json.dumps(_preview()))
    return paths


def _assert_clean(text: str, where: str) -> None:
    for name, value in SECRETS.items():
        assert value not in text, f"secret {name} ({value}) leaked into {where}"
    assert str(MEMORY) not in text and f"{MEMORY:,}" not in text, f"the sensitive number leaked into {where}"


def _run(capsys, tmp_path, args: list[str]) -> tuple[int, str]:
    out, log = tmp_path / "out.txt", tmp_path / "audit.log"
    code = main([*args, "-o", str(out), "--audit-log", str(log)])
    captured = capsys.readouterr()
    written = out.read_text() if out.exists() else ""
    _assert_clean(log.read_text(), f"{' '.join(args)}: the audit log")
    code_stdout = main(args)  # and once more to stdout
    again = capsys.readouterr()
    assert code == code_stdout
    for where, text in (("stdout", again.out), ("stderr", captured.err + again.err), ("the -o file", written)):
        _assert_clean(text, f"{' '.join(args)}: {where}")
    return code, written or again.out


SCAN_FORMATS = ("table", "json", "sarif", "junit", "markdown")
COST_FORMATS = ("table", "markdown", "json", "infracost-json")


@pytest.mark.parametrize("source", ["plan", "preview"])
@pytest.mark.parametrize("fmt", SCAN_FORMATS)
def test_scan_never_shows_a_secret(inputs, capsys, tmp_path, source, fmt):
    code, _ = _run(capsys, tmp_path, ["scan", str(inputs[source]), "-f", fmt])
    assert code == 1


@pytest.mark.parametrize("source", ["plan", "preview"])
@pytest.mark.parametrize("fmt", COST_FORMATS)
def test_cost_never_shows_a_secret(inputs, capsys, tmp_path, source, fmt):
    _run(capsys, tmp_path, ["cost", str(inputs[source]), "-f", fmt, "--by", "team.name",
                            "--by", P + "model-id", "--by", "Environment", "--compare-to", str(inputs["base"])])


def test_a_sensitive_tag_is_still_checked_and_reported_as_secret(inputs, capsys, tmp_path):
    _, text = _run(capsys, tmp_path, ["scan", str(inputs["plan"]), "-f", "json"])
    messages = {(f["address"], f["message"]) for f in json.loads(text)["findings"]}
    assert ("aws_lambda_function.scorer",
            "tag Environment=[secret] is not one of: dev, test, staging, prod") in messages


def test_the_dotted_sensitive_key_is_redacted_in_the_cost_json(inputs, capsys, tmp_path):
    _, text = _run(capsys, tmp_path, ["cost", str(inputs["plan"]), "-f", "json", "--by", "team.name"])
    assert '"team.name": "[secret]"' in text and f'"{P}model-card-url": "[secret]"' in text
