"""PG-COV-001: allocation coverage after deploy — the gate on billing data that PG-TAG-001 is at plan time.

Declared here, with the other rules; `plangate.assurance.coverage` turns each billing period that
`plangate coverage` measured into one ``plangate_allocation_coverage`` resource for it.  Kept out of
the scan catalogue: no plan holds such a resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from plangate.model import Resource, Severity
from plangate.rules.base import Fail, Frameworks, Pass, rule

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
