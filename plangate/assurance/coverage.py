"""PG-COV-001: allocation coverage after deploy — the gate on billing data that PG-TAG-001 is at plan time.

`plangate coverage` measures each billing period's coverage (`plangate.lake.coverage`) and turns each
into one ``plangate_allocation_coverage`` resource holding its share and the policy file's threshold
(``assurance.coverage.min_share``); the engine evaluates this rule on them as it evaluates every rule,
so enforcement, waivers (address ``coverage:<period>/<currency>``), report formats and exit codes
are the scanner's own.  Kept out of the scan catalogue: no plan holds such a resource.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from plangate.model import Location, Resource, Severity
from plangate.rules.base import Fail, Frameworks, Pass, rule

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.lake.coverage import Coverage
    from plangate.policy import Policy

COVERAGE = "plangate_allocation_coverage"


def _example(share: float | None, min_share: float = 0.8, **extra: Any) -> dict[str, Any]:
    usage = 1000.0
    props = {"period": "2026-10-01", "currency": "USD", "usage_cost": usage,
             "tagged_cost": None if share is None else share * usage, "share": share, "min_share": min_share,
             "required": ["CostCenter", "Owner"], "top_untagged": [], **extra}
    return {"type": COVERAGE, "address": "coverage:2026-10-01/USD", "properties": props}


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


@rule(
    id="PG-COV-001", slug="allocation-coverage",
    title="A billing period's usage spend carries the cost-allocation tags",
    severity=Severity.HIGH, category="finops", applies_to={COVERAGE},
    remediation="Tag the resources named (the keys PG-TAG-001 requires), or enforce PG-TAG-001 at plan time so new "
                "ones cannot be deployed untagged; `plangate coverage` lists the largest untagged spend.",
    frameworks=Frameworks(finops="Allocation"),
    examples=[
        Pass(**_example(0.93)),
        Fail("allocation coverage 61.0% of 1,000.00 USD usage spend in the billing period from 2026-10-01 is below "
             "80%: 390.00 USD lacks one of CostCenter, Owner; largest untagged: i-0abc (250.00 USD)",
             **_example(0.61, top_untagged=[{"resource": "i-0abc", "cost": 250.0}])),
        Pass(**_example(0.61, min_share=0.5), name="a lower threshold from plangate.yaml"),
        Pass(**_example(None, usage_cost=0.0), name="a period with no usage spend has no share to judge"),
    ],
)
def allocation_coverage(res: Resource, _cfg: Any) -> Iterator[str]:
    """Of a billing period's usage spend (EffectiveCost where ChargeCategory is Usage), at least
    ``assurance.coverage.min_share`` carries every tag key PG-TAG-001 requires."""
    p = res.properties
    share, least = p.get("share"), p.get("min_share", 0.0)
    if share is None or share >= least:
        return
    currency = p["currency"]
    untagged = p["usage_cost"] - p["tagged_cost"]
    top = p.get("top_untagged") or []
    largest = ", ".join(f"{u['resource']} ({_money(u['cost'], currency)})" for u in top[:3])
    yield (f"allocation coverage {share:.1%} of {_money(p['usage_cost'], currency)} usage spend in the billing period "
           f"from {p['period']} is below {least * 100:g}%: {_money(untagged, currency)} lacks one of "
           f"{', '.join(p['required'])}" + (f"; largest untagged: {largest}" if largest else ""))


COVERAGE_RULES = (allocation_coverage,)


def resources(coverage: Coverage, min_share: float, source: str) -> list[Resource]:
    """One resource per billing period and currency with usage spend."""
    out = []
    for row in coverage.periods:
        top = [{"resource": u.resource, "cost": u.cost} for u in coverage.untagged
               if (u.period, u.currency) == (row.period, row.currency)]
        props = {"period": row.period, "currency": row.currency, "usage_cost": row.usage_cost,
                 "tagged_cost": row.tagged_cost, "share": row.share, "min_share": min_share,
                 "required": list(coverage.required), "top_untagged": top}
        out.append(Resource(COVERAGE, f"coverage:{row.period}/{row.currency}", "coverage", properties=props,
                            location=Location(source)))
    return out


def evaluate(coverage: Coverage, policy: Policy, inputs: list[str], today: dt.date, source: str) -> ScanResult:
    """PG-COV-001 over each billing period, with the policy's enforcement and waivers for it."""
    from plangate import engine
    from plangate.rules import WAIVER_RULE

    ids = {r.id for r in COVERAGE_RULES} | {r.slug for r in COVERAGE_RULES}
    narrowed = dataclasses.replace(policy, catalogue=(*COVERAGE_RULES, WAIVER_RULE),
                                   waivers=tuple(w for w in policy.waivers if w.rule in ids))
    return engine.scan(resources(coverage, policy.assurance.coverage.min_share, source), narrowed, inputs, today)
