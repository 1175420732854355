"""Budget rules end to end: `plangate scan` and `plangate cost` gate on a configured budget."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from test_cost_fixtures import FIXTURES, plan_resources

from plangate import engine, policy
from plangate.cli import main
from plangate.model import Outcome
from plangate.rules import RULES

BUDGET = FIXTURES / "budget"
PLAN = BUDGET / "plan.json"
USAGE = BUDGET / "usage.yml"

FRAUD = ("budget Project=fraud-scoring: estimated $2,154.68/month is over the $2,000.00 ceiling; "
         "top contributors: aws_sagemaker_endpoint_configuration.scorer $2,055.68, "
         "aws_lambda_function.features $68.00, aws_cloudwatch_log_group.features $31.00; "
         "3 usage-based components without usage are not counted")
STACK = ("budget stack: estimated $2,335.57/month is over the $2,000.00 ceiling; top contributors: "
         "aws_sagemaker_endpoint_configuration.scorer $2,055.68, aws_sagemaker_endpoint_configuration.triage "
         "$173.30, aws_lambda_function.features $68.00; 3 usage-based components without usage are not counted")
INSTANCE = "variant 'primary' uses instance type ml.g5.xlarge, not one of: ml.m5.*, ml.c5.*"


def _policy(name: str, **overrides) -> policy.Policy:
    pol = policy.load(BUDGET / name, RULES)
    for slug, changes in overrides.items():
        pol = policy.replace_settings(pol, next(r for r in RULES if r.slug == slug), **changes)
    return pol


def _budget_findings(findings):
    return [(f.rule_id, f.outcome, f.address, f.message) for f in findings if f.rule_id.startswith("PG-BUD")]


def test_engine_gates_on_the_budget():
    pol = _policy("over-budget.yaml", **{"monthly-budget": {"usage_file": str(USAGE)}})
    result = engine.scan(plan_resources(PLAN), pol, [str(PLAN)])
    assert _budget_findings(result.findings) == [
        ("PG-BUD-003", Outcome.VIOLATION, "aws_sagemaker_endpoint_configuration.scorer", INSTANCE),
        ("PG-BUD-001", Outcome.VIOLATION, "aws_sagemaker_endpoint_configuration.scorer", STACK),
        ("PG-BUD-001", Outcome.VIOLATION, "aws_sagemaker_endpoint_configuration.scorer", FRAUD),
    ]
    assert result.exit_code == 1


def test_within_budget_no_budget_findings():
    pol = _policy("within-budget.yaml", **{"monthly-budget": {"usage_file": str(USAGE)}})
    assert _budget_findings(engine.evaluate(plan_resources(PLAN), pol)) == []


def test_scan_cli_exits_1_naming_budget_estimate_ceiling_and_top_three(tmp_path, monkeypatch):
    config = tmp_path / "plangate.yaml"
    text = (BUDGET / "over-budget.yaml").read_text()
    config.write_text(text.replace("  monthly-budget:\n", f"  monthly-budget:\n    usage_file: {USAGE}\n"))
    out = tmp_path / "report.json"
    code = main(["scan", str(PLAN), "-c", str(config), "-f", "json", "-o", str(out)])
    assert code == 1
    report = out.read_text()
    for message in (FRAUD, STACK):
        assert json.dumps(message)[1:-1] in report


def test_cost_cli_exits_1_over_budget_and_0_within(tmp_path, capsys):
    base = ["cost", str(PLAN), "--usage-file", str(USAGE)]
    assert main(base + ["-c", str(BUDGET / "over-budget.yaml")]) == 1
    out = capsys.readouterr().out
    assert "Budget findings:" in out and FRAUD in out and STACK in out
    assert main(base + ["-c", str(BUDGET / "within-budget.yaml")]) == 0
    assert "Budget findings" not in capsys.readouterr().out


def test_cost_cli_increase_against_a_baseline(tmp_path, capsys):
    baseline = _smaller_baseline(tmp_path)
    config = tmp_path / "plangate.yaml"
    config.write_text("rules:\n  monthly-cost-increase:\n    max_increase: 500\n")
    code = main(["cost", str(PLAN), "--compare-to", str(baseline), "--usage-file", str(USAGE),
                 "-c", str(config), "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    # +1 g5.xlarge (1.408 x 730) and the new triage endpoint ($173.30 with its tag usage)
    assert doc["diff"]["delta_monthly_cost"] == "1201.1392"
    assert {r["address"]: r["change"] for r in doc["diff"]["resources"]} == {
        "aws_sagemaker_endpoint_configuration.scorer": "changed",
        "aws_sagemaker_endpoint_configuration.triage": "added"}
    (finding,) = doc["findings"]
    assert finding["message"] == (
        f"monthly cost increase +$1,201.14 is over the $500.00 allowed per change (vs {baseline}: "
        "$1,134.43 -> $2,335.57); top contributors: aws_sagemaker_endpoint_configuration.scorer "
        "$1,027.84, aws_sagemaker_endpoint_configuration.triage $173.30")


def test_one_estimate_is_shared_by_the_budget_rules(monkeypatch):
    from plangate.cost import estimate

    calls = []
    real = estimate.estimate
    monkeypatch.setattr(estimate, "estimate", lambda *a, **k: calls.append(1) or real(*a, **k))
    pol = _policy("over-budget.yaml", **{"resource-monthly-ceiling": {"max_monthly": 100000}})
    engine.evaluate(plan_resources(PLAN), pol)
    assert len(calls) == 1


def test_scan_without_budgets_does_not_import_the_cost_model():
    code = (
        "import sys\n"
        "from plangate import engine, policy\n"
        "from plangate.model import Resource\n"
        "from plangate.rules import RULES\n"
        "engine.evaluate([Resource('aws_lambda_function', 'f', 't')], policy.defaults(RULES))\n"
        "print(sorted(m for m in sys.modules if m.startswith('plangate.cost') or m in ('numpy', 'sklearn')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    # Only the light catalogue of priced types (a dict of names), never the pricing code.
    assert out.strip() == "['plangate.cost', 'plangate.cost.catalogue']"


def test_cost_package_imports_nothing_heavy():
    code = ("import sys\nimport plangate.cost.estimate, plangate.report.cost, plangate.cost.usage\n"
            "print([m for m in ('numpy', 'sklearn', 'pandas', 'pulumi') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_scan_with_a_bad_usage_file_in_the_policy_exits_2(tmp_path, capsys):
    config = tmp_path / "plangate.yaml"
    bad = FIXTURES / "bad" / "not-a-number.usage.yml"
    config.write_text(f"rules:\n  monthly-budget:\n    stack: 10\n    usage_file: {bad}\n")
    assert main(["scan", str(PLAN), "-c", str(config)]) == 2
    err = capsys.readouterr().err
    assert err == (f"plangate: error: {bad}:5: resource_usage.aws_lambda_function.x.monthly_requests: "
                   "expected a number, got 'lots'\n")


def test_version_loads_no_cost_code():
    code = ("import sys\nfrom plangate import cli\ncli.parser()\n"
            "print([m for m in sys.modules if m == 'plangate.cost' or m.startswith('plangate.cost.')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert out.strip() == "[]"


def _smaller_baseline(tmp_path) -> str:
    plan = json.loads(PLAN.read_text())
    for rc in plan["resource_changes"]:  # the baseline: one instance, and no triage endpoint yet
        if rc["address"] == "aws_sagemaker_endpoint_configuration.scorer":
            rc["change"]["after"]["production_variants"][0]["initial_instance_count"] = 1
    plan["resource_changes"] = [rc for rc in plan["resource_changes"]
                                if rc["address"] != "aws_sagemaker_endpoint_configuration.triage"]
    baseline = tmp_path / "base.json"
    baseline.write_text(json.dumps(plan))
    return str(baseline)


def test_scan_reads_the_baseline_setting_before_the_rules_run(tmp_path, capsys):
    """The scan (the caller) reads the plan a rule compares against; the rule reads no file."""
    baseline = _smaller_baseline(tmp_path)
    config = tmp_path / "plangate.yaml"
    config.write_text(f"rules:\n  monthly-cost-increase:\n    max_increase: 500\n    baseline: {baseline}\n"
                      f"    usage_file: {USAGE}\n")
    pol = policy.load(str(config), RULES)
    assert policy.baseline_paths(pol) == [baseline]
    code = main(["scan", str(PLAN), "-c", str(config), "--rule", "monthly-cost-increase", "-f", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    assert [f["message"] for f in findings] == [
        f"monthly cost increase +$1,201.14 is over the $500.00 allowed per change (vs {baseline}: "
        "$1,134.43 -> $2,335.57); top contributors: aws_sagemaker_endpoint_configuration.scorer "
        "$1,027.84, aws_sagemaker_endpoint_configuration.triage $173.30"]


def test_a_baseline_the_caller_did_not_read_is_a_bug_naming_the_rule(tmp_path):
    pol = policy.load(None, RULES)
    pol = policy.replace_settings(pol, RULES[[r.slug for r in RULES].index("monthly-cost-increase")],
                                  max_increase=500, baseline=str(tmp_path / "base.json"))
    with pytest.raises(engine.RuleFailed, match=r"^rule PG-BUD-002 monthly-cost-increase failed on the resource "
                                                r"set: LookupError: .*base\.json was not loaded before the rules ran"):
        engine.evaluate(plan_resources(PLAN), pol)
