"""Allocation coverage (`plangate.lake.coverage`) as a text table and as JSON; the HTML section is
`plangate.report.finops_html.coverage_section`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from plangate.lake.coverage import DIMENSIONS, Coverage, CoverageRow
from plangate.report.finops import _clip, _grid


def share_text(share: float | None) -> str:
    return "-" if share is None else f"{share:.1%}"


def _amount(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _row(r: CoverageRow, *first: str) -> list[str]:
    return [*first, r.period, _amount(r.usage_cost, r.currency), _amount(r.tagged_cost, r.currency),
            share_text(r.share)]


def coverage_table(cov: Coverage, findings: Sequence[str] = ()) -> str:
    out = [f"Allocation coverage: usage spend (EffectiveCost) carrying every one of {', '.join(cov.required)}\n",
           _grid(["period", "usage spend", "tagged", "coverage"], [_row(r) for r in cov.periods], {1, 2, 3})]
    for name in DIMENSIONS:
        rows = cov.by.get(name, ())
        spent = [r for r in rows if r.usage_cost or r.tagged_cost]
        hidden = f" ({len(rows) - len(spent)} with no usage spend not shown)" if len(spent) < len(rows) else ""
        out.append(f"\nby {name}{hidden}\n")
        out.append(_grid([name, "period", "usage spend", "tagged", "coverage"],
                         [_row(r, _clip(r.value or "")) for r in spent], {2, 3, 4}))
    out.append("\nlargest untagged usage spend\n")
    out.append(_grid(["period", "resource", "service", "account", "cost", "lacks"],
                     [[u.period, _clip(u.resource, 60), _clip(u.service, 30), _clip(u.account, 30),
                       _amount(u.cost, u.currency), ", ".join(u.missing)] for u in cov.untagged], {4}))
    out.append("\n" + ("\n".join(findings) if findings else "PG-COV-001: every billing period meets its threshold")
               + "\n")
    return "".join(out)


def coverage_json(cov: Coverage, findings: Sequence[str] = ()) -> str:
    return json.dumps({**cov.as_dict(), "findings": list(findings)}, indent=2) + "\n"
