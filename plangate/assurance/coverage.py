"""Allocation coverage as a gate: each billing period `plangate coverage` measured
(`plangate.lake.coverage`) becomes one ``plangate_allocation_coverage`` resource holding its share and
the policy file's threshold (``assurance.coverage.min_share``); the engine evaluates PG-COV-001
(`plangate.rules.coverage`) on them as it evaluates every rule, so enforcement, waivers (address
``coverage:<period>/<currency>``), report formats and exit codes are the scanner's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from plangate.model import Location, Resource
from plangate.rules.coverage import COVERAGE, COVERAGE_RULES

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.lake.coverage import Coverage
    from plangate.policy import Policy


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
