"""The component provider: started as the engine starts a Python source plugin, asked for its
schema over the provider gRPC interface, and checked against the components' typed inputs.

The engine (for ``pulumi package add components``) runs ``<virtualenv>/bin/python components
<engine address>`` with the virtualenv named in ``components/PulumiPlugin.yaml`` and the
consumer's program directory as working directory; the plugin prints its port on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from typing import Any

import grpc
import pytest
import yaml
from conftest import ROOT
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from plangate import __version__
from plangate.rules.rai import RaiPolicy

PLUGIN = ROOT / "components"
sys.path.insert(0, str(ROOT))  # `components` is the example project's package, not installed

with warnings.catch_warnings():  # pulumi_aws warns about its own deprecated classes on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from components import Architecture, GovernedInferenceFunction
    from components.provider import COMPONENTS, schema
    from components.testing import run_program

FN = "plangate:index:GovernedInferenceFunction"
EP = "plangate:index:GovernedSageMakerEndpoint"
REGENERATE = ".venv/bin/python -m components.provider --schema > components/schema.json"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def plugin_python() -> str:
    """The interpreter the Python language host uses: the manifest's virtualenv."""
    manifest = yaml.safe_load((PLUGIN / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"]["name"] == "python"
    venv = (PLUGIN / manifest["runtime"]["options"]["virtualenv"]).resolve()
    return str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict[str, Any]:
    program_dir = tmp_path_factory.mktemp("consumer")
    proc = subprocess.Popen([plugin_python(), str(PLUGIN), "127.0.0.1:1"], cwd=program_dir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), f"no port on stdout: {line!r}\n{proc.stderr.read().decode()}"
        with grpc.insecure_channel(f"127.0.0.1:{int(line)}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            info = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
            response = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
        return {"version": info.version, "schema": json.loads(response.schema)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_plugin_serves_its_version(served):
    assert served["version"] == __version__


def test_served_schema_is_the_checked_in_one(served):
    checked_in = json.loads((PLUGIN / "schema.json").read_text(encoding="utf-8"))
    assert served["schema"] == checked_in, f"components/schema.json is stale: {REGENERATE}"
    assert served["schema"] == schema()


def test_schema_resources(served):
    resources = served["schema"]["resources"]
    assert sorted(resources) == [FN, EP]
    assert all(r["isComponent"] for r in resources.values())
    assert resources[FN]["requiredInputs"] == ["alertEmails", "cost", "functionName", "rai"]
    assert resources[EP]["requiredInputs"] == ["alertEmails", "cost", "endpointName", "imageUri", "rai"]
    assert sorted(resources[FN]["inputProperties"]) == sorted([
        "functionName", "rai", "cost", "alertEmails", "code", "handler", "runtime", "imageUri", "architecture",
        "memoryMb", "timeoutSeconds", "reservedConcurrency", "logRetentionDays", "environment", "entryPoint",
        "invokeEndpoints", "capture", "alarms", "tags"])
    shared_outputs = ["alarmNames", "alarmTopicArn", "anomalyMonitorArn", "budgetName", "endpointUrl",
                      "estimatedMonthlyCost", "logGroupName", "monthlyBudgetUsd", "roleArn"]
    assert resources[FN]["required"] == sorted(shared_outputs + ["functionArn", "functionName"])
    assert resources[EP]["required"] == sorted(shared_outputs + [
        "captureBucketName", "captureKmsKeyArn", "captureUri", "endpointArn", "endpointName"])
    assert resources[FN]["properties"]["estimatedMonthlyCost"]["type"] == "number"
    assert resources[FN]["properties"]["alarmNames"]["items"]["type"] == "string"


def test_schema_input_types(served):
    fn = served["schema"]["resources"][FN]["inputProperties"]
    assert fn["architecture"]["$ref"] == "#/types/plangate:index:Architecture"
    assert fn["code"]["$ref"] == "pulumi.json#/Archive"
    assert fn["imageUri"] == {"type": "string",
                              "description": "Container image URI (image package); give this or code."}
    assert fn["memoryMb"]["type"] == "integer" and fn["tags"]["additionalProperties"]["type"] == "string"
    types = served["schema"]["types"]
    assert [e["value"] for e in types["plangate:index:Architecture"]["enum"]] == ["x86_64", "arm64"]
    assert [e["value"] for e in types["plangate:index:EntryPointKind"]["enum"]] == ["function_url", "http_api"]
    assert types["plangate:index:CostControls"]["required"] == ["tagValue"]


def test_rai_type_is_plangates_metadata(served):
    rai = served["schema"]["types"]["plangate:index:ResponsibleAiMetadata"]
    policy = RaiPolicy()
    assert sorted(rai["properties"]) == sorted(camel(k.replace("-", "_"))
                                               for k in policy.required + policy.high_risk_required)
    assert rai["required"] == sorted(camel(k.replace("-", "_")) for k in policy.required)


def test_every_input_output_and_type_is_described(served):
    spec = served["schema"]
    described = [(name, r["description"]) for name, r in spec["resources"].items()]
    for name, r in spec["resources"].items():
        described += [(f"{name}.{k}", p.get("description")) for k, p in r["inputProperties"].items()]
        described += [(f"{name}.{k}", p.get("description")) for k, p in r["properties"].items()]
    for name, t in spec["types"].items():
        described.append((name, t.get("description")))
        described += [(f"{name}.{k}", p.get("description")) for k, p in (t.get("properties") or {}).items()]
        described += [(f"{name}.{e['name']}", e.get("description")) for e in t.get("enum") or []]
    assert [name for name, text in described if not text] == []
    assert all("\n    " not in text for _, text in described)  # source indentation removed
    fn = spec["resources"][FN]
    assert fn["description"].startswith("An AI inference Lambda function with everything plangate requires")
    assert fn["inputProperties"]["functionName"]["description"] == (
        "Lambda function name; also names its log group (/aws/lambda/<name>) and alarms.")
    assert fn["properties"]["estimatedMonthlyCost"]["description"] == (
        "plangate's estimate of the monthly cost in USD under the usage profile.")


def test_inputs_the_provider_maps_build_the_component():
    """Construct's input mapping (schema names → Python names, enum values → enums) feeds the
    component exactly what a Python program passes."""
    from pulumi.provider.experimental.component import ComponentProvider

    provider = ComponentProvider(COMPONENTS, "plangate", version=__version__)
    wire = {
        "functionName": "scorer", "imageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1",
        "architecture": "x86_64", "memoryMb": 256.0,
        "rai": {"modelId": "m", "modelCardUrl": "https://e.com/c", "dataLineageUrl": "https://e.com/l",
                "riskTier": "minimal", "accountableOwner": "o@e.com"},
        "cost": {"tagValue": "scorer", "monthlyBudgetUsd": 12.0},
        "alertEmails": ["o@e.com"],
    }
    args = provider.map_inputs(wire, provider._component_defs["GovernedInferenceFunction"])
    assert args["architecture"] is Architecture.X86_64 and args["memory_mb"] == 256
    assert args["rai"]["model_card_url"] == "https://e.com/c" and args["cost"]["tag_value"] == "scorer"
    run = run_program(lambda: GovernedInferenceFunction("scorer", args))
    fn = run.one("aws:lambda/function:Function").inputs
    assert (fn["architectures"], fn["memorySize"], fn["packageType"]) == (["x86_64"], 256, "Image")
    assert run.one("aws:budgets/budget:Budget").inputs["limitAmount"] == "12.00"
