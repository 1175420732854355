"""The example stack (Pulumi.yaml + __main__.py + Pulumi.dev.yaml) is governed by construction.

Each variant of the stack runs in its own process under Pulumi's mocks
(``python -m components.testing __main__.py``, so no runtime state is shared), and what it
registered is checked three ways: plangate's engine, the ``plangate scan`` command on the
run as a ``pulumi preview --json`` document, and the policy pack started as the Pulumi CLI
starts it (`plangate.frontends.pulumi.harness.PolicyPackHarness`).  The policy is ``plangate.dev.yaml``, the
same file the components read their budgets from.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from plangate import engine, policy
from plangate.cost import estimate
from plangate.cost.money import money
from plangate.frontends.pulumi.harness import PolicyPackHarness
from plangate.model import Outcome
from plangate.rules import RULES
from plangate.types import pulumi_type

sys.path.insert(0, str(ROOT))  # `components` is the example project's package, not installed

with warnings.catch_warnings():  # pulumi_aws warns about its own deprecated classes on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from components.testing import MockRun, stack_config

POLICY = ROOT / "plangate.dev.yaml"
PROJECT, CONFIG = stack_config(ROOT, "dev")
KEY = f"{PROJECT}:"
M = "missing ai.plangate.dev/model-card-url (model card URL)"
T3 = "missing tags: CostCenter, Owner, Environment"

# The transform switched off and model_card_url left out of the RAI metadata.
EXPECTED_FINDINGS = Counter([
    ("PG-TAG-001", "aws_lambda_function.fraud-api-function", T3),
    ("PG-RAI-001", "aws_lambda_function.fraud-api-function", M),
    ("PG-TAG-001", "aws_cloudwatch_log_group.fraud-api-logs", T3),
    ("PG-TAG-001", "aws_cloudwatch_log_group.fraud-model-logs", T3),
    ("PG-TAG-001", "aws_s3_bucket.fraud-model-capture", T3),
    ("PG-TAG-001", "aws_sagemaker_model.fraud-model-model", T3),
    ("PG-RAI-001", "aws_sagemaker_model.fraud-model-model", M),
    ("PG-TAG-001", "aws_sagemaker_endpoint_configuration.fraud-model-config", T3),
    ("PG-TAG-001", "aws_sagemaker_endpoint.fraud-model-endpoint", T3),
    ("PG-RAI-001", "aws_sagemaker_endpoint.fraud-model-endpoint", M),
    ("PG-TAG-001", "aws_sqs_queue.fraud-labels", "missing tags: CostCenter, Owner, Environment, Project"),
    # every taggable type that bills is in scope (plangate.types.BILLABLE): alarms, topics, the KMS key
    *[("PG-TAG-001", f"aws_cloudwatch_metric_alarm.{name}-alarm", T3) for name in (
        "fraud-api-errors", "fraud-api-p99-duration", "fraud-api-throttles", "fraud-model-4xx-errors",
        "fraud-model-5xx-errors", "fraud-model-p99-latency")],
    ("PG-TAG-001", "aws_kms_key.fraud-model-capture-key", T3),
    ("PG-TAG-001", "aws_sns_topic.fraud-api-alarms", T3),
    ("PG-TAG-001", "aws_sns_topic.fraud-model-alarms", T3),
])


def run_stack(tmp: Path, config: dict[str, Any] | None = None, transforms: bool = True) -> MockRun:
    """The example program under mocks, in a fresh interpreter."""
    command = [sys.executable, "-m", "components.testing", "__main__.py"]
    if config is not None:
        path = tmp / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        command += ["--config", str(path)]
    if not transforms:
        command.append("--no-transforms")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return MockRun.from_json(json.loads(done.stdout))


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> MockRun:
    return run_stack(tmp_path_factory.mktemp("good"))


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> MockRun:
    config = copy.deepcopy(CONFIG)
    del config[KEY + "rai"]["model_card_url"]
    return run_stack(tmp_path_factory.mktemp("bad"), config, transforms=False)


@pytest.fixture(scope="module")
def pack():
    harness = PolicyPackHarness(ROOT / "policypack", python=sys.executable, project=PROJECT, stack="dev",
                                stack_config=CONFIG, env={"PLANGATE_CONFIG": str(POLICY)})
    with harness:
        harness.configure()
        yield harness


def findings(run: MockRun, policy_file: Path = POLICY) -> list[Any]:
    return engine.evaluate(run.resources(), policy.load(policy_file, RULES))


def scan(run: MockRun, tmp: Path) -> tuple[int, dict[str, Any]]:
    preview = tmp / "preview.json"
    preview.write_text(json.dumps(run.preview()), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "plangate", "scan", str(preview), "-c", str(POLICY), "-f", "json"],
                          cwd=tmp, capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


def pack_diagnostics(pack: PolicyPackHarness, run: MockRun) -> list[tuple[str, str, str, str]]:
    """What ``pulumi preview`` would hear from the pack: Analyze per resource, then AnalyzeStack."""
    out = []
    for r in run.registrations:
        for d in pack.analyze(r.type, r.inputs, urn=r.urn, name=r.name):
            out.append((d.enforcement, d.policy, r.urn, d.message))
    for d in pack.analyze_stack(run.stack_resources()):
        out.append((d.enforcement, d.policy, d.urn, d.message))
    return out


# -- the stack as written -----------------------------------------------------------------------


def test_one_governed_function_and_one_governed_serverless_endpoint(good):
    assert len(good.of_type("plangate:index:GovernedInferenceFunction")) == 1
    assert len(good.of_type("plangate:index:GovernedSageMakerEndpoint")) == 1
    variant = good.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs["productionVariants"][0]
    assert variant["serverlessConfig"] == {"memorySizeInMb": 2048, "maxConcurrency": 5}
    queue = good.one("aws:sqs/queue:Queue")
    assert queue.parent.endswith("::pulumi:pulumi:Stack::plangate-example-dev")  # created directly
    assert queue.inputs["tags"] == CONFIG[KEY + "costAllocation"]  # by the transform


def test_outputs(good):
    out = good.outputs
    assert out["api_url"] == "https://fraud-api-url.lambda-url.us-east-1.on.aws/"
    assert out["model_url"] == "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/fraud-model-dev/invocations"
    assert (out["api_log_group"], out["model_log_group"]) == ("/aws/lambda/fraud-api-dev",
                                                              "/aws/sagemaker/Endpoints/fraud-model-dev")
    assert out["api_alarms"] == ["fraud-api-dev-errors", "fraud-api-dev-throttles", "fraud-api-dev-p99-duration"]
    assert out["model_alarms"] == ["fraud-model-dev-5xx-errors", "fraud-model-dev-4xx-errors",
                                   "fraud-model-dev-p99-latency"]
    assert (out["api_budget"], out["model_budget"]) == ("fraud-api-dev-monthly", "fraud-model-dev-monthly")
    assert out["capture_uri"] == "s3://fraud-model-dev-capture-123456789012/capture"


def test_no_finding_from_the_engine(good):
    assert [(f.rule_id, f.address, f.message) for f in findings(good)] == []


def test_plangate_scan_passes(good, tmp_path):
    code, report = scan(good, tmp_path)
    assert (code, report["findings"], report["summary"]["resources"]) == (0, [], 34)


def test_policy_pack_reports_nothing(pack, good):
    assert pack_diagnostics(pack, good) == []


# -- without the transform and with one metadata input removed ----------------------------------


def test_engine_findings_when_ungoverned(bad):
    got = findings(bad)
    assert all(f.outcome is Outcome.VIOLATION for f in got)
    assert Counter((f.rule_id, f.address, f.message) for f in got) == EXPECTED_FINDINGS


def test_plangate_scan_fails_with_the_same_findings(bad, tmp_path):
    code, report = scan(bad, tmp_path)
    assert code == 1
    assert Counter((f["rule_id"], f["address"], f["message"]) for f in report["findings"]) == EXPECTED_FINDINGS


def test_policy_pack_fails_with_the_same_findings(pack, bad):
    slugs = {r.id: r.slug for r in RULES}
    urns = {f"{pulumi_type(r.type)}.{r.name}": r.urn for r in bad.registrations}
    expected = Counter({("mandatory", slugs[rule_id], urns[address], message): count
                        for (rule_id, address, message), count in EXPECTED_FINDINGS.items()})
    assert Counter(pack_diagnostics(pack, bad)) == expected


# -- cost: one estimate, one budget -------------------------------------------------------------


def test_cost_model_estimates_the_stack_under_the_usage_profile(good):
    est = estimate.estimate(good.resources())
    by_project = {g.value: money(g.monthly) for g in est.by_tag("Project")}
    # Pulumi.dev.yaml's usage profile (docs/components.md lists the arithmetic).
    assert by_project == {"fraud-scoring-model": "$9.82", "fraud-scoring-api": "$3.40", "fraud-scoring": "$0.00"}
    assert money(est.monthly) == "$13.22"
    assert {r.address: money(r.monthly) for r in est.with_status("priced")} == {
        "aws_lambda_function.fraud-api-function": "$2.40",
        "aws_cloudwatch_log_group.fraud-api-logs": "$1.00",
        "aws_sagemaker_endpoint_configuration.fraud-model-config": "$7.20",
        "aws_cloudwatch_log_group.fraud-model-logs": "$0.50",
        "aws_s3_bucket.fraud-model-capture": "$2.12",
        "aws_sqs_queue.fraud-labels": "$0.00",
    }
    # The components' own estimate output is the same cost model on the same resources.
    assert good.outputs["model_estimated_monthly_usd"] == 9.82
    assert good.outputs["api_estimated_monthly_usd"] == 3.40


def test_each_budget_is_the_ceiling_the_budget_rule_enforces(good):
    ceilings = yaml.safe_load(POLICY.read_text(encoding="utf-8"))["rules"]["monthly-budget"]["tags"]["Project"]
    budgets = {}
    for b in good.of_type("aws:budgets/budget:Budget"):
        (tag_filter,) = b.inputs["costFilters"][0]["values"]
        budgets[tag_filter.removeprefix("user:Project$")] = b.inputs["limitAmount"]
    assert budgets == {"fraud-scoring-api": f"{ceilings['fraud-scoring-api']:.2f}",
                       "fraud-scoring-model": f"{ceilings['fraud-scoring-model']:.2f}"}
    assert (good.outputs["api_monthly_budget_usd"], good.outputs["model_monthly_budget_usd"]) == (
        ceilings["fraud-scoring-api"], ceilings["fraud-scoring-model"])


def test_a_lower_ceiling_moves_the_budget_and_the_gate_together(tmp_path):
    data = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    data["rules"]["monthly-budget"]["tags"]["Project"]["fraud-scoring-model"] = 5
    lowered = tmp_path / "plangate.yaml"
    lowered.write_text(yaml.safe_dump(data), encoding="utf-8")
    run = run_stack(tmp_path, {**CONFIG, KEY + "policyFile": str(lowered)})
    budget = next(b for b in run.of_type("aws:budgets/budget:Budget") if b.name == "fraud-model-budget")
    assert budget.inputs["limitAmount"] == "5.00"
    assert [(f.rule_id, f.address, f.message) for f in findings(run, lowered)] == [(
        "PG-BUD-001", "aws_sagemaker_endpoint_configuration.fraud-model-config",
        "budget Project=fraud-scoring-model: estimated $9.82/month is over the $5.00 ceiling; top contributors: "
        "aws_sagemaker_endpoint_configuration.fraud-model-config $7.20, aws_s3_bucket.fraud-model-capture $2.12, "
        "aws_cloudwatch_log_group.fraud-model-logs $0.50; 5 usage-based components without usage are not counted")]
