"""One load, one set of facts: ``plangate cost`` and the budget rules of ``plangate scan`` price
the same resources in the same regions, so they give the same total and the same verdict.

Run over every plan, preview and HCL tree in the fixtures and over the real plans and previews
of the shared corpus: the budget is set just under, then just over, the largest stack's total
(as `plangate cost -f json` prints it per stack), and both commands must close or open the gate
together.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from plangate import loaders
from plangate.cli import main
from plangate.errors import PlangateError

HCL_PLAN = FIXTURES / "hcl_plan"


def _inputs() -> list[Path]:
    found = sorted(HCL_PLAN.glob("*.plan.json"))
    found += sorted(p for p in HCL_PLAN.iterdir() if p.is_dir())
    found += sorted((FIXTURES / "cost").rglob("plan.json"))
    if CORPUS.is_dir():
        for sub in ("tfplan", "pulumi"):
            for path in sorted((CORPUS / sub).rglob("*.json")):
                try:
                    if loaders.load_all([path]).resources:
                        found.append(path)
                except PlangateError:
                    continue  # a sample of bad input: its own tests cover it
    return found


INPUTS = _inputs()


def _stack_totals(path: Path) -> dict[str, Decimal]:
    """The estimate of each stack of ``path``, as the budget rules see it."""
    from plangate.cost import estimate, prices, usage

    totals: dict[str, Decimal] = {}
    found = loaders.load_all([path])
    stacks: dict[str, list] = {}
    for res in found.resources:
        stacks.setdefault(res.stack, []).append(res)
    for stack, resources in stacks.items():
        totals[stack] = estimate.estimate(resources, usage.NO_USAGE, prices.load(None), None).monthly
    return totals


def _cost_total(path: Path, capsys) -> Decimal:
    assert main(["cost", str(path), "-f", "json", "--today", "2026-12-01"]) == 0
    return Decimal(json.loads(capsys.readouterr().out)["totals"]["monthly_cost"])


def _policy(tmp_path: Path, ceiling: Decimal) -> Path:
    path = tmp_path / f"budget-{ceiling}.yaml"
    path.write_text(f"rules:\n  monthly-budget:\n    stack: {ceiling}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_cost_and_scan_budget_price_the_same_and_agree(path: Path, tmp_path: Path, capsys) -> None:
    totals = _stack_totals(path)
    assert _cost_total(path, capsys) == sum(totals.values(), Decimal(0))
    top = max(totals.values(), default=Decimal(0))
    if top <= Decimal("0.02"):
        return  # nothing priced: no ceiling can tell the commands apart
    for ceiling, closed in ((top - Decimal("0.01"), 1), (top + Decimal("0.01"), 0)):
        policy = _policy(tmp_path, ceiling)
        scan = main(["scan", str(path), "-c", str(policy), "--rule", "monthly-budget", "-f", "json",
                     "--today", "2026-12-01"])
        report = json.loads(capsys.readouterr().out)
        cost = main(["cost", str(path), "-c", str(policy), "-f", "json", "--today", "2026-12-01"])
        capsys.readouterr()
        budget = [f for f in report["findings"] if f["rule_id"] == "PG-BUD-001"]
        assert (scan, cost) == (closed, closed), budget


def test_aliased_providers_price_each_resource_in_its_own_region(capsys) -> None:
    """Default provider eu-west-1 (through a variable), alias us-east-1, one ml.g4dn.xlarge
    endpoint on each: the same regions and total on the HCL and the plan path."""
    for path in (HCL_PLAN / "aliased_regions", HCL_PLAN / "aliased_regions.plan.json"):
        found = loaders.load_all([path])
        regions = {r.address: r.region for r in found.resources}
        assert regions == {
            "aws_sagemaker_endpoint.east": "us-east-1",
            "aws_sagemaker_endpoint.home": "eu-west-1",
            "aws_sagemaker_endpoint_configuration.east": "us-east-1",
            "aws_sagemaker_endpoint_configuration.home": "eu-west-1",
        }, path
        assert sorted((p.alias, p.region) for p in found.providers if p.name == "aws") in (
            [("", "eu-west-1"), ("east", "us-east-1")],  # the plan names its configurations
            [("", "eu-west-1"), ("", "us-east-1")],  # the HCL path lists them by region
        )
        assert _cost_total(path, capsys) == Decimal("1137.34")


def test_a_root_with_its_plan_inside_scans_to_the_plan(tmp_path: Path, capsys) -> None:
    """``terraform show -json p.out > plan.json`` inside the root, then a scan of the folder:
    the plan's (address, rule, outcome) set and total, each finding on its .tf line."""
    import shutil

    root = tmp_path / "sagemaker_costs"
    shutil.copytree(HCL_PLAN / "sagemaker_costs", root)
    shutil.copy(HCL_PLAN / "sagemaker_costs.plan.json", root / "plan.json")

    def scanned(path: Path) -> tuple[set[tuple[str, str, str]], list[dict]]:
        main(["scan", str(path), "-f", "json", "--today", "2026-12-01"])
        findings = json.loads(capsys.readouterr().out)["findings"]
        return {(f["address"], f["rule_id"], f["outcome"]) for f in findings}, findings

    want, _ = scanned(HCL_PLAN / "sagemaker_costs.plan.json")
    got, findings = scanned(root)
    assert got == want
    assert _cost_total(root, capsys) == _cost_total(HCL_PLAN / "sagemaker_costs.plan.json", capsys)
    text = (root / "main.tf").read_text(encoding="utf-8").splitlines()
    for f in findings:
        if f["address"].startswith("aws_"):
            assert f["file"] == str(root / "main.tf"), f
            rtype, name = f["address"].split("[")[0].split(".")[:2]
            assert text[f["line"] - 1].startswith(f'resource "{rtype}" "{name}"'), f


def test_the_same_input_named_twice_is_read_once(tmp_path: Path, capsys) -> None:
    import shutil

    plan = tmp_path / "plans" / "p.json"
    plan.parent.mkdir()
    shutil.copy(HCL_PLAN / "sagemaker_costs.plan.json", plan)
    main(["scan", str(plan), "-f", "json", "--today", "2026-12-01"])
    once = json.loads(capsys.readouterr().out)
    for args, note in (([plan, plan], f"{plan}: the same input as {plan}, read once"),
                       ([plan, plan.parent], f"{plan}: inside {plan.parent}, read once"),
                       ([plan.parent, plan], f"{plan}: inside {plan.parent}, read once")):
        main(["scan", *map(str, args), "-f", "json", "--today", "2026-12-01"])
        out = capsys.readouterr()
        assert json.loads(out.out)["findings"] == once["findings"]
        assert note in out.err
        main(["cost", *map(str, args), "-f", "json"])
        assert json.loads(capsys.readouterr().out)["totals"] == json.loads(
            (main(["cost", str(plan), "-f", "json"]), capsys.readouterr().out)[1])["totals"]
