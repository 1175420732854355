"""The external oracle: Infracost's cost goldens, recomputed by plangate.

For every Infracost golden in the corpus whose resources plangate prices, the resources it
lists (recreated in tests/fixtures/cost/infracost/) and its own usage file must give the
same monthly cost per component within 1 % (a golden prints cents, so a component also
agrees when it is within half a cent of the printed figure).  "Depends on usage" rows must
be "depends on usage" here too, at the same unit price.  Every difference is explained in
`EXPLAINED` below; there is no dated price change to explain so far.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import needs_corpus
from test_cost_fixtures import FIXTURES, INFRACOST, plan_resources

from plangate.cost import estimate, prices, usage

GOLDENS = ("lambda_function_test", "lambda_provisioned_concurrency_config_test",
           "api_gateway_rest_api_test", "apigatewayv2_api_test", "cloudwatch_log_group_test")

# Components a golden lists that plangate deliberately does not, and why.
EXPLAINED = {
    ("lambda_function_test", "Ephemeral storage"): (
        "Infracost lists ephemeral storage for every function without usage; the first 512 MB "
        "are free and these functions have 512 MB, so plangate has no such component (it "
        "appears when ephemeral_storage.size is above 512)."),
}

_ROW = re.compile(r"^\s*[├└]─ (?P<name>.+?)\s{2,}(?P<qty>[\d,.]+)\s{2,}(?P<unit>\S.*?)\s{2,}"
                  r"\$(?P<cost>[\d,.]+)")
_DEPENDS = re.compile(r"^\s*[├└]─ (?P<name>.+?)\s{2,}Monthly cost depends on usage: "
                      r"\$(?P<price>[\d,.]+) per (?P<unit>.+?)\s*$")
_RESOURCE = re.compile(r"^ (?P<address>aws_\S+)\s*$")
_TOTAL = re.compile(r"OVERALL TOTAL\s+\$(?P<total>[\d,.]+)")


def _d(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def parse_golden(text: str) -> tuple[dict[str, list[dict]], Decimal]:
    """{address: [{name, quantity, unit, cost} or {name, price, unit, depends}]}, total."""
    rows: dict[str, list[dict]] = {}
    current = None
    for line in text.splitlines():
        if m := _RESOURCE.match(line):
            current = rows.setdefault(m["address"], [])
        elif (m := _DEPENDS.match(line)) and current is not None:
            current.append({"name": m["name"], "price": _d(m["price"]), "unit": m["unit"], "depends": True})
        elif (m := _ROW.match(line)) and current is not None:
            current.append({"name": m["name"], "quantity": _d(m["qty"]), "unit": m["unit"],
                            "cost": _d(m["cost"]), "depends": False})
    total = _TOTAL.search(text)
    assert total, "golden has no OVERALL TOTAL"
    return rows, _d(total["total"])


def _run(name: str) -> tuple[estimate.Estimate, dict[str, list[dict]], Decimal]:
    golden = INFRACOST / name / f"{name}.golden"
    usage_file = INFRACOST / name / f"{name}.usage.yml"
    rows, total = parse_golden(golden.read_text(encoding="utf-8"))
    resources = plan_resources(FIXTURES / "infracost" / name / "plan.json")
    est = estimate.estimate(resources, usage.load(usage_file), prices.load(), "us-east-1")
    return est, rows, total


def agreement(name: str) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    """(address, component, golden cost, plangate cost, relative difference of the cents
    figures) per priced row."""
    est, rows, _ = _run(name)
    out = []
    for address, components in rows.items():
        ours = {c.name: c for c in est.get(address).components}
        for row in components:
            if row["depends"] or (name, row["name"]) in EXPLAINED:
                continue
            cost = ours[row["name"]].monthly_cost
            shown = cost.quantize(Decimal("0.01"))  # the golden prints cents
            diff = abs(shown - row["cost"]) / row["cost"] if row["cost"] else abs(shown)
            out.append((address, row["name"], row["cost"], cost, diff))
    return out


@needs_corpus
@pytest.mark.parametrize("name", GOLDENS)
def test_every_golden_resource_is_recreated(name):
    est, rows, _ = _run(name)
    assert set(rows) <= {r.address for r in est.resources}


@needs_corpus
@pytest.mark.parametrize("name", GOLDENS)
def test_monthly_cost_per_component_within_one_percent(name):
    est, rows, _ = _run(name)
    for address, components in rows.items():
        ours = {c.name: c for c in est.get(address).components}
        for row in components:
            key = (name, row["name"])
            if key in EXPLAINED:
                assert row["name"] not in ours or ours[row["name"]].monthly_quantity is None, EXPLAINED[key]
                continue
            assert row["name"] in ours, f"{address}: no component {row['name']!r}"
            c = ours[row["name"]]
            assert c.unit == row["unit"], (address, row["name"], c.unit, row["unit"])
            if row["depends"]:
                assert c.depends_on_usage, f"{address} {row['name']}: expected 'depends on usage'"
                assert c.price == row["price"], (address, row["name"], c.price, row["price"])
                continue
            assert c.monthly_quantity == pytest.approx(row["quantity"], rel=Decimal("0.0001")), (address, row["name"])
            cost = c.monthly_cost
            assert cost is not None
            within = abs(cost - row["cost"]) <= max(row["cost"] * Decimal("0.01"), Decimal("0.005"))
            assert within, f"{address} {row['name']}: golden ${row['cost']}, plangate ${cost}"


@needs_corpus
@pytest.mark.parametrize("name", GOLDENS)
def test_overall_total_within_one_percent(name):
    est, _, total = _run(name)
    assert abs(est.monthly - total) <= total * Decimal("0.01"), (est.monthly, total)


@needs_corpus
def test_usage_based_components_without_usage_stay_out_of_totals():
    est, _, _ = _run("lambda_function_test")
    plain = est.get("aws_lambda_function.lambda")
    assert plain.monthly == 0 and plain.depends_on_usage == 2
    assert est.get("aws_lambda_function.lambda_arm").components[-1].price == Decimal("0.0000133334")


@needs_corpus
def test_provisioned_concurrency_without_memory_is_not_a_guess():
    est, _, _ = _run("lambda_provisioned_concurrency_config_test")
    without = est.get("aws_lambda_provisioned_concurrency_config.without_usage")
    pc = next(c for c in without.components if c.name == "Provisioned Concurrency")
    assert pc.depends_on_usage and pc.monthly_cost is None
    assert "function memory unknown" in " ".join(without.notes)


def report(names: tuple[str, ...] = GOLDENS) -> str:
    """Per-golden agreement, for the engineer's report: python -m pytest ... -s -k report."""
    lines = []
    for name in names:
        rows = agreement(name)
        worst = max(rows, key=lambda r: r[4])
        est, _, total = _run(name)
        lines.append(f"{name}: {len(rows)} priced components, worst {worst[4] * 100:.4f}% "
                     f"({worst[0]} {worst[1]}: golden ${worst[2]}, plangate ${worst[3]:.4f}); "
                     f"total golden ${total:,} vs plangate ${est.monthly:,.2f}")
    return "\n".join(lines)


@needs_corpus
def test_report_agreement(capsys):
    text = report()
    with capsys.disabled():
        print("\n" + text)
    assert text.count("\n") == len(GOLDENS) - 1


def _components(est: estimate.Estimate) -> dict[str, list[tuple]]:
    return {r.address: [(c.name, c.unit, c.price, c.monthly_quantity) for c in r.components]
            for r in est.resources}


@needs_corpus
@pytest.mark.parametrize("name", GOLDENS)
def test_the_terraform_plan_loader_gives_the_same_breakdown(name):
    from plangate import loaders

    est, _, _ = _run(name)
    usage_file = usage.load(INFRACOST / name / f"{name}.usage.yml")
    real = estimate.estimate(loaders.load(FIXTURES / "infracost" / name / "plan.json"), usage_file,
                             prices.load(), "us-east-1")
    assert _components(real) == _components(est)


@needs_corpus
@pytest.mark.parametrize("name", GOLDENS)
def test_the_hcl_loader_gives_the_same_breakdown(name):
    from plangate import loaders

    est, rows, _ = _run(name)
    usage_file = usage.load(INFRACOST / name / f"{name}.usage.yml")
    real = estimate.estimate(loaders.load(FIXTURES / "infracost" / name, "hcl"), usage_file,
                             prices.load(), "us-east-1")
    ours, theirs = _components(real), _components(est)
    for address in rows:
        if address in ours:
            assert ours[address] == theirs[address], address
            continue
        # Without a plan, one `count = 3` block stands for its instances: priced per
        # instance (the wildcard usage applies), with the instance count reported unknown.
        block = address.split("[", 1)[0]
        assert block in ours, address
        assert ours[block] == theirs[address], address
        assert real.get(block).unknown_reasons[0] == "instance count (count) unknown: priced for one instance"
