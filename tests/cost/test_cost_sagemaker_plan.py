"""SageMaker billing on a plan Terraform made (tests/fixtures/hcl_plan/sagemaker_costs): the
endpoint's instances are billed, a configuration no endpoint uses is not, a null instance
type is unknown (never $0.00), and the $100 budget the plan's Project carries is broken."""

from __future__ import annotations

from decimal import Decimal

from conftest import FIXTURES

from plangate.cli import main
from plangate.cost import estimate, prices, usage
from plangate.loaders import load

PLAN = FIXTURES / "hcl_plan" / "sagemaker_costs.plan.json"


def _costs():
    est = estimate.estimate(load(PLAN), usage.NO_USAGE, prices.load())
    return est, {r.address: r for r in est.resources}


def test_the_ml_p2_xlarge_endpoint_costs_821_25_a_month():
    est, by = _costs()
    gpu = by["aws_sagemaker_endpoint_configuration.gpu"]
    assert gpu.status == "priced" and gpu.baseline_monthly == Decimal("821.25")
    assert est.baseline_monthly == Decimal("821.25")


def test_a_configuration_no_endpoint_uses_is_not_billed():
    _, by = _costs()
    spare = by["aws_sagemaker_endpoint_configuration.gpu_next"]
    assert spare.status == "free" and spare.monthly == 0 and not spare.components
    assert "no endpoint in the plan uses this configuration" in spare.notes[-1]


def test_a_null_instance_type_is_unknown_not_zero():
    _, by = _costs()
    fallback = by["aws_sagemaker_endpoint_configuration.fallback"]
    assert fallback.unknown_reasons == ("production_variants.0.instance_type unknown until apply",)
    [instances] = [c for c in fallback.components if c.name.startswith("Instance usage")]
    assert instances.monthly_cost is None and instances.cost_unknown


def test_the_100_dollar_budget_does_not_pass(tmp_path, capsys):
    policy = tmp_path / "plangate.yaml"
    policy.write_text("rules:\n  monthly-budget:\n    tags:\n      Project:\n        defect-detection: 100\n",
                      encoding="utf-8")
    assert main(["cost", str(PLAN), "-c", str(policy)]) == 1
    assert "budget Project=defect-detection: estimated $821.25/month is over the $100.00 ceiling" in (
        capsys.readouterr().out)
