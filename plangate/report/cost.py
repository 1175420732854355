"""Rendering cost estimates: a breakdown table, Markdown (for PR comments), JSON, Infracost's JSON.

Every renderer takes an `Estimate`, optional rollups (``--by``), an optional `Delta`
(``--compare-to``) and budget findings, and returns text.  Money in JSON is a decimal
string, as Infracost writes it, so no float rounding creeps into totals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from plangate.cost.components import ZERO, CostComponent, ResourceCost
from plangate.cost.estimate import Change, Delta, Estimate, Rollup
from plangate.cost.money import money, number, quantity, signed, unit_price
from plangate.model import Finding

FORMATS = ("table", "markdown", "json", "infracost-json")
def _ordered(resources: Iterable[ResourceCost]) -> list[ResourceCost]:
    """Costliest first, as a reader scans a bill; then by address for stable output."""
    return sorted(resources, key=lambda r: (-r.monthly, r.address))


def _type_counts(resources: Iterable[ResourceCost]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in resources:
        counts[r.type] = counts.get(r.type, 0) + 1
    return dict(sorted(counts.items()))


def _component_line(c: CostComponent) -> tuple[str, str, str, str]:
    """(quantity, unit, cost, marker) for one component row."""
    if c.missing_price:
        return ("", "", f"price not found: {c.missing_price}", "")
    if c.unknown:
        return ("", "", f"unknown until apply ({', '.join(c.unknown)})", "")
    if c.monthly_quantity is None:
        return ("", "", f"depends on usage: {unit_price(c.price or ZERO)} per {c.unit}", "")
    return (quantity(c.monthly_quantity), c.unit, money(c.monthly_cost or ZERO), "*" if c.usage_based else "")


def left_out(est: Estimate) -> int:
    """How many resources the total leaves out: not priced (module calls the HCL scan did not
    expand among them) or with a cost unknown at plan time.  More than 0: a lower bound."""
    return len({r.address for r in est.with_status("not-priced")} | {r.address for r in est.unknown})


def _bound(est: Estimate) -> str:
    n = left_out(est)
    return f"lower bound: leaves out {n} {'resource' if n == 1 else 'resources'} not priced or unknown" if n else ""


def _summary_lines(est: Estimate) -> list[str]:
    priced, free, unpriced = (est.with_status(s) for s in ("priced", "free", "not-priced"))
    waiting = est.depends_on_usage
    noun = "resource" if len(est.resources) == 1 else "resources"
    lines = [f"{len(est.resources)} {noun}: {len(priced)} priced, {len(free)} free, "
             f"{len(unpriced)} not priced"]
    if waiting:
        n = sum(r.depends_on_usage for r in waiting)
        lines.append(f"{len(waiting)} resources have {n} usage-based components without usage "
                     "(kept out of the totals; give a --usage-file or a plangate:usage tag)")
    if est.unknown:
        lines.append(f"{len(est.unknown)} {'resource has' if len(est.unknown) == 1 else 'resources have'} "
                     "costs unknown at plan time:")
        lines += [f"  {r.address}: {'; '.join(r.unknown_reasons)}" for r in est.unknown]
    if unpriced:
        shown = ", ".join(f"{t} x{n}" for t, n in _type_counts(unpriced).items())
        lines.append(f"not priced: {shown}")
    if free:
        shown = ", ".join(f"{t} x{n}" for t, n in _type_counts(free).items())
        lines.append(f"free: {shown}")
    first, last = est.prices.as_of
    lines.append(f"prices: {est.prices.source} (recorded {first}" + (f" to {last}" if last != first else "")
                 + f"); default region {est.region}; usage: {est.usage_source}")
    return lines


# -- table --------------------------------------------------------------------------------


def table(est: Estimate, rollups: Sequence[Rollup] = (), delta: Delta | None = None,
          findings: Sequence[Finding] = ()) -> str:
    rows: list[tuple[str, str, str, str, str]] = []
    for r in _ordered(est.with_status("priced")):
        rows.append((r.address, "", "", "", ""))
        for i, c in enumerate(r.components):
            branch = "└─" if i == len(r.components) - 1 else "├─"
            rows.append((f" {branch} {c.name}", *_component_line(c)))
        for note in r.notes:
            rows.append((f"    ({note})", "", "", "", ""))
        rows.append(("", "", "", "", ""))
    width = max([len("Name")] + [len(r[0]) for r in rows if r[1] or r[3]] + [40])
    out = [f"{'Name':<{width}}  {'Monthly Qty':>15}  {'Unit':<16}  {'Monthly Cost':>14}"]
    out.append("")
    for name, qty, unit, cost, marker in rows:
        if cost and not qty:  # "depends on usage" / "unknown" / "price not found"
            out.append(f"{name:<{width}}  {cost}".rstrip())
        elif cost:
            out.append(f"{name:<{width}}  {qty:>15}  {unit:<16}  {cost:>14} {marker}".rstrip())
        else:
            out.append(name)
    out.append(f"{'OVERALL TOTAL':<{width}}  {'':>15}  {'':<16}  {money(est.monthly):>14}")
    if _bound(est):  # never a headline total that reads as complete when it is not
        out.append(f"({_bound(est)}, listed below)")
    out.append("")
    out.append("* usage cost, from usage assumptions")
    out.append(f"baseline {money(est.baseline_monthly)}/month + usage {money(est.usage_monthly)}/month "
               f"= total {money(est.monthly)}/month")
    out += _summary_lines(est)
    for rollup_set in _group(rollups):
        out.append("")
        key = rollup_set[0].key
        out.append(f"{'by ' + key:<30}  {'resources':>9}  {'baseline':>14}  {'usage':>14}  {'total':>14}")
        for g in rollup_set:
            out.append(f"{g.value:<30}  {len(g.resources):>9}  {money(g.baseline_monthly):>14}  "
                       f"{money(g.usage_monthly):>14}  {money(g.monthly):>14}")
    if delta is not None:
        out.append("")
        out += _delta_lines(delta)
    if findings:
        out.append("")
        out.append("Budget findings:")
        out += [f"  {f.outcome.value.upper()} {f.rule_id} {f.slug} {f.address}: {f.message}" for f in findings]
    return "\n".join(out) + "\n"


def _group(rollups: Sequence[Rollup]) -> list[list[Rollup]]:
    groups: dict[str, list[Rollup]] = {}
    for g in rollups:
        groups.setdefault(g.key, []).append(g)
    return list(groups.values())


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _priced(c: Change) -> bool:
    """Worth a line in a delta: it is priced on either side (free resources are counted)."""
    return any(r is not None and r.status == "priced" for r in (c.before, c.after))


def _listed(delta: Delta, kind: str) -> list[Change]:
    return sorted((c for c in delta.of_kind(kind) if _priced(c)), key=lambda c: (-abs(c.delta), c.address))


def _unlisted(delta: Delta) -> str:
    counts = {kind: sum(1 for c in delta.of_kind(kind) if not _priced(c)) for kind in ("added", "removed")}
    parts = [f"{n} {kind}" for kind, n in counts.items() if n]
    return f"free or not-priced resources: {', '.join(parts)}" if parts else ""


def _side(r: ResourceCost | None) -> str:
    """One side of a change: its cost, or why it has none (never a silent $0.00)."""
    if r is None:
        return "-"
    if r.status == "not-priced":
        return "not priced"
    if r.status == "priced" and r.unknown_reasons:
        return f"{money(r.monthly)} + unknown"
    return money(r.monthly)


def _delta_lines(delta: Delta) -> list[str]:
    out = [f"Monthly cost change: {money(delta.base.monthly)} -> {money(delta.head.monthly)} "
           f"({signed(delta.monthly)})"]
    for kind in ("added", "changed", "removed"):
        for c in _listed(delta, kind):
            detail = (f"{_side(c.before)} -> {_side(c.after)}" if kind == "changed"
                      else _side(c.after if kind == "added" else c.before))
            out.append(f"  {_MARK[kind]} {c.address}  {detail}  ({signed(c.delta)})")
    same = delta.of_kind("unchanged")
    updated = sum(1 for c in same if c.updated)
    out.append(f"  {len(same)} unchanged" + (f" ({updated} updated by the plan with no cost change)"
                                           if updated else ""))
    if _unlisted(delta):
        out.append(f"  {_unlisted(delta)}")
    return out


# -- markdown -----------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(est: Estimate, rollups: Sequence[Rollup] = (), delta: Delta | None = None,
             findings: Sequence[Finding] = ()) -> str:
    out = ["## plangate cost estimate", ""]
    if delta is not None:
        out += [f"**Monthly cost change: {money(delta.base.monthly)} → {money(delta.head.monthly)} "
                f"({signed(delta.monthly)})**", "",
                "| change | resource | before | after | delta |", "|---|---|--:|--:|--:|"]
        for kind in ("added", "changed", "removed"):
            for c in _listed(delta, kind):
                out.append(f"| {kind} | `{_md(c.address)}` | {_side(c.before)} | "
                           f"{_side(c.after)} | {signed(c.delta)} |")
        same = len(delta.of_kind("unchanged"))
        out += ["", f"{same} {'resource' if same == 1 else 'resources'} unchanged. {_unlisted(delta)}".rstrip(), ""]
    bound = f"; {_bound(est)}" if _bound(est) else ""
    out += [f"**Total: {money(est.monthly)}/month** (baseline {money(est.baseline_monthly)} + "
            f"usage {money(est.usage_monthly)}{bound})", "",
            "| resource | component | monthly qty | unit | monthly cost |", "|---|---|--:|---|--:|"]
    for r in _ordered(est.with_status("priced")):
        for c in r.components:
            qty, unit, cost, marker = _component_line(c)
            shown = f"{_md(cost)} {marker}".rstrip()
            out.append(f"| `{_md(r.address)}` | {_md(c.name)} | {qty} | {unit} | {shown} |")
    out += ["", "\\* usage cost, from usage assumptions", ""]
    out += [f"- {_md(line.strip())}" for line in _summary_lines(est)]
    for rollup_set in _group(rollups):
        key = rollup_set[0].key
        out += ["", f"| {_md(key)} | resources | baseline | usage | total |", "|---|--:|--:|--:|--:|"]
        for g in rollup_set:
            out.append(f"| {_md(g.value)} | {len(g.resources)} | {money(g.baseline_monthly)} | "
                       f"{money(g.usage_monthly)} | {money(g.monthly)} |")
    if findings:
        out += ["", "### Budget findings", ""]
        out += [f"- **{f.outcome.value}** {f.rule_id} `{_md(f.address)}`: {_md(f.message)}" for f in findings]
    return "\n".join(out) + "\n"


# -- plangate JSON -------------------------------------------------------------------------


def _component_json(c: CostComponent) -> dict[str, Any]:
    return {
        "name": c.name, "unit": c.unit, "price": number(c.price),
        "monthly_quantity": number(c.monthly_quantity), "monthly_cost": number(c.monthly_cost),
        "usage_based": c.usage_based, "depends_on_usage": c.depends_on_usage,
        "unknown": list(c.unknown), "missing_price": c.missing_price or None,
    }


def _resource_json(r: ResourceCost) -> dict[str, Any]:
    return {
        "address": r.address, "type": r.type, "status": r.status, "region": r.region or None,
        "action": r.action, "tags": dict(r.tags), "monthly_cost": number(r.monthly),
        "baseline_monthly_cost": number(r.baseline_monthly), "usage_monthly_cost": number(r.usage_monthly),
        "depends_on_usage": r.depends_on_usage, "unknown": list(r.unknown_reasons),
        "notes": list(r.notes), "components": [_component_json(c) for c in r.components],
    }


def as_json(est: Estimate, rollups: Sequence[Rollup] = (), delta: Delta | None = None,
            findings: Sequence[Finding] = ()) -> str:
    first, last = est.prices.as_of
    doc: dict[str, Any] = {
        "plangate_cost": 1, "currency": "USD", "hours_per_month": 730, "region": est.region,
        "prices": {"source": est.prices.source, "as_of": [str(first), str(last)]},
        "usage": est.usage_source,
        "totals": {"monthly_cost": number(est.monthly), "baseline_monthly_cost": number(est.baseline_monthly),
                   "usage_monthly_cost": number(est.usage_monthly), "hourly_cost": number(est.hourly),
                   "lower_bound": left_out(est) > 0, "left_out": left_out(est)},
        "counts": {"resources": len(est.resources), "priced": len(est.with_status("priced")),
                   "free": len(est.with_status("free")), "not_priced": len(est.with_status("not-priced")),
                   "depends_on_usage": len(est.depends_on_usage), "unknown": len(est.unknown)},
        "resources": [_resource_json(r) for r in est.resources],
    }
    if rollups:
        doc["rollups"] = {
            group[0].key: [{"value": g.value, "resources": len(g.resources), "monthly_cost": number(g.monthly),
                            "baseline_monthly_cost": number(g.baseline_monthly),
                            "usage_monthly_cost": number(g.usage_monthly),
                            "depends_on_usage": g.depends_on_usage} for g in group]
            for group in _group(rollups)}
    if delta is not None:
        doc["diff"] = {
            "base_monthly_cost": number(delta.base.monthly), "monthly_cost": number(delta.head.monthly),
            "delta_monthly_cost": number(delta.monthly),
            "resources": [{"address": c.address, "type": c.type, "change": c.kind, "updated": c.updated,
                           "before_monthly_cost": number(c.before_monthly),
                           "after_monthly_cost": number(c.after_monthly), "delta_monthly_cost": number(c.delta)}
                          for c in delta.changes if c.kind != "unchanged"],
            "unchanged": len(delta.of_kind("unchanged")),
        }
    if findings:
        doc["findings"] = [{"rule_id": f.rule_id, "slug": f.slug, "outcome": f.outcome.value,
                            "address": f.address, "message": f.message} for f in findings]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# -- Infracost's JSON ------------------------------------------------------------------------


def _ic_component(c: CostComponent) -> dict[str, Any]:
    out = {"name": c.name, "unit": c.unit, "hourlyQuantity": number(c.hourly_quantity),
           "monthlyQuantity": number(c.monthly_quantity), "price": number(c.price) or "0",
           "hourlyCost": number(c.hourly_cost), "monthlyCost": number(c.monthly_cost)}
    if c.usage_based:
        out["usageBased"] = True
    out["priceNotFound"] = bool(c.missing_price)
    return out


def _ic_total(values: Iterable[Decimal | None]) -> str | None:
    """Infracost's rule: null when nothing has a cost, else the sum of what has one."""
    known = [v for v in values if v is not None]
    return number(sum(known, ZERO)) if known else None


def _ic_resource(r: ResourceCost) -> dict[str, Any]:
    monthly = _ic_total(c.monthly_cost for c in r.components)
    out: dict[str, Any] = {"name": r.address, "resourceType": r.type, "tags": dict(r.tags), "metadata": {}}
    if monthly is not None:  # Infracost leaves both out when nothing has a cost yet
        out["hourlyCost"] = number(Decimal(monthly) / 730)
        out["monthlyCost"] = monthly
    out["costComponents"] = [_ic_component(c) for c in r.components]
    return out


def _ic_breakdown(est: Estimate) -> dict[str, Any]:
    resources = [_ic_resource(r) for r in sorted(est.with_status("priced"), key=lambda r: r.address)]
    monthly = _ic_total(Decimal(r["monthlyCost"]) if "monthlyCost" in r else None for r in resources)
    return {
        "resources": resources,
        "totalHourlyCost": None if monthly is None else number(Decimal(monthly) / 730),
        "totalMonthlyCost": monthly,
        "totalMonthlyUsageCost": number(est.usage_monthly),
    }


def _ic_summary(est: Estimate) -> dict[str, Any]:
    priced, free, unpriced = (est.with_status(s) for s in ("priced", "free", "not-priced"))
    return {
        "totalDetectedResources": len(est.resources),
        "totalSupportedResources": len(priced) + len(free),
        "totalUnsupportedResources": len(unpriced),
        "totalUsageBasedResources": sum(1 for r in priced if any(c.usage_based for c in r.components)),
        "totalNoPriceResources": len(free),
        "unsupportedResourceCounts": _type_counts(unpriced),
        "noPriceResourceCounts": _type_counts(free),
    }


def infracost_json(est: Estimate, project: str, delta: Delta | None = None,
                   generated_at: str = "") -> str:
    """Infracost's ``breakdown --format json`` shape (version 0.2), so its tooling can read it."""
    breakdown = _ic_breakdown(est)
    project_doc: dict[str, Any] = {"name": project, "displayName": project,
                                   "metadata": {"path": project, "type": "plangate"}}
    past = _ic_breakdown(delta.base) if delta is not None else None
    if past is not None:
        project_doc["pastBreakdown"] = past
    project_doc["breakdown"] = breakdown
    if delta is not None:
        by_address = {c.address: c for c in delta.changes if c.kind != "unchanged"}
        project_doc["diff"] = {
            "resources": [{"name": a, "resourceType": c.type, "monthlyCost": number(c.delta),
                           "hourlyCost": number(c.delta / 730)} for a, c in sorted(by_address.items())],
            "totalMonthlyCost": number(delta.monthly), "totalHourlyCost": number(delta.monthly / 730),
        }
    project_doc["summary"] = _ic_summary(est)
    doc: dict[str, Any] = {
        "version": "0.2", "metadata": {"infracostCommand": "breakdown", "generator": "plangate cost"},
        "currency": "USD", "projects": [project_doc],
        "totalHourlyCost": breakdown["totalHourlyCost"], "totalMonthlyCost": breakdown["totalMonthlyCost"],
        "totalMonthlyUsageCost": breakdown["totalMonthlyUsageCost"],
    }
    if past is not None:
        doc.update({"pastTotalHourlyCost": past["totalHourlyCost"],
                    "pastTotalMonthlyCost": past["totalMonthlyCost"],
                    "pastTotalMonthlyUsageCost": past["totalMonthlyUsageCost"],
                    "diffTotalMonthlyCost": number(delta.monthly),
                    "diffTotalHourlyCost": number(delta.monthly / 730)})
    doc["timeGenerated"] = generated_at
    doc["summary"] = _ic_summary(est)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, est: Estimate, rollups: Sequence[Rollup] = (), delta: Delta | None = None,
           findings: Sequence[Finding] = (), project: str = "", generated_at: str = "") -> str:
    if fmt == "table":
        return table(est, rollups, delta, findings)
    if fmt == "markdown":
        return markdown(est, rollups, delta, findings)
    if fmt == "json":
        return as_json(est, rollups, delta, findings)
    if fmt == "infracost-json":
        return infracost_json(est, project, delta, generated_at)
    raise ValueError(f"unknown cost format {fmt!r}")
