"""``plangate cost``: the estimate of a plan, preview or HCL directory, and its budget findings.

The default region is, in order: ``--region``; the AWS provider's ``region`` in the plan's
configuration (Terraform plan JSON) or ``aws:region`` in a Pulumi preview's config, when
every input agrees; the region every resource that names one agrees on (a ``region``
argument, an ARN, a Pulumi output); ``us-east-1``.  A resource that names its own region is
priced there whatever the default.  Budget rules
enabled in the policy file (``-c`` or ./plangate.yaml) are evaluated on the same estimate,
with ``--usage-file`` / ``--prices`` / ``--region`` passed to them and ``--compare-to``
as the increase rule's baseline; a mandatory budget violation exits 1, like ``scan``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plangate.cli.common import add_audit_log, add_input_format, emit, record_decision, today

FORMATS = ("table", "markdown", "json", "infracost-json")

if TYPE_CHECKING:
    from plangate.model import Finding, Resource


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cost", help="estimate monthly cost (breakdown, rollups, delta) and check budgets")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="plan JSON, Pulumi preview / state JSON, or a .tf directory")
    add_input_format(p)
    p.add_argument("-f", "--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", help="write to FILE (atomically)")
    p.add_argument("--usage-file", dest="usage_file", help="usage assumptions in Infracost's usage-file shape")
    p.add_argument("--by", action="append", default=[], metavar="TAG",
                   help="roll costs up by the values of tag TAG (repeatable)")
    p.add_argument("--compare-to", dest="compare_to", metavar="BASE",
                   help="plan / preview / HCL to compare with: the monthly delta of the change")
    p.add_argument("--region", help="region for resources that name none "
                                    "(default: the plan's region, else us-east-1)")
    p.add_argument("--prices", help="price table CSV (default: the one shipped with plangate)")
    p.add_argument("-c", "--config", help="policy file with budget rules (default: ./plangate.yaml)")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.add_argument("--generated-at", dest="generated_at", help=argparse.SUPPRESS)
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text, code = report(args, today(args.today))
    emit(text, args.output)
    return code


def plan_region(resources: Sequence[Resource]) -> str | None:
    """The region the resources that name one agree on (None when none do, or they differ)."""
    from plangate.cost.priced import region_of

    seen = Counter(r for r in (region_of(res, "") for res in resources) if r)
    return next(iter(seen)) if len(seen) == 1 else None


def provider_region(paths: Sequence[str]) -> str | None:
    """The AWS provider region the inputs' configuration states (None unless they agree).

    The loaders do not carry provider configuration on `Resource`, so this reads it from
    plan JSON (``configuration.provider_config``), Pulumi previews (``config``) and Terraform
    folders (`plangate.loaders.hcl.provider_region`) directly.
    """
    from pathlib import Path

    from plangate.errors import PlangateError
    from plangate.loaders.source import read_json

    found: set[str] = set()
    for path in paths:
        p = Path(path)
        if p.is_dir():  # Terraform sources: the root modules' default AWS provider
            from plangate.loaders.hcl import provider_region as hcl_region

            region = hcl_region(p)
            found.update([region] if region else [])
            continue
        if not (p.is_file() and p.suffix.lower() == ".json"):
            continue
        try:
            data = read_json(p)
        except PlangateError:
            continue  # the loaders report it
        if not isinstance(data, dict):
            continue
        providers = (data.get("configuration") or {}).get("provider_config") or {}
        for cfg in providers.values() if isinstance(providers, dict) else ():
            if isinstance(cfg, dict) and cfg.get("name") == "aws":
                region = ((cfg.get("expressions") or {}).get("region") or {}).get("constant_value")
                if isinstance(region, str) and region:
                    found.add(region)
        config = data.get("config")
        if isinstance(config, dict) and isinstance(config.get("aws:region"), str):
            found.add(config["aws:region"])
    return found.pop() if len(found) == 1 else None


def _budget_findings(resources: list[Resource], args: argparse.Namespace,
                     today: dt.date, region: str) -> list[Finding]:
    from plangate import engine, policy
    from plangate.rules import RULES
    from plangate.rules.budget import CostInputs

    pol = policy.load(args.config, RULES)
    budget = [r for r in pol.enabled() if r.id.startswith("PG-BUD-")]
    if not budget:
        return []
    configs = dict(pol.rules)
    for r in budget:
        cfg = configs[r.id]
        settings = cfg.settings
        if isinstance(settings, CostInputs):
            changes = {"region": args.region or settings.region or region}
            if args.usage_file:
                changes["usage_file"] = args.usage_file
            if args.prices:
                changes["prices"] = args.prices
            if args.compare_to and hasattr(settings, "baseline"):
                changes["baseline"] = args.compare_to
            settings = dataclasses.replace(settings, **changes)
        configs[r.id] = policy.RuleConfig(cfg.enforcement, settings)
    # Only the budget rules run here: expired waivers are the scanner's business, not the cost report's.
    only_budget = dataclasses.replace(pol, rules=configs, catalogue=tuple(budget))
    return engine.evaluate(resources, only_budget, today)


def report(args: argparse.Namespace, today: dt.date) -> tuple[str, int]:
    """The report text and the exit code (1 when a mandatory budget rule is violated)."""
    from plangate import loaders
    from plangate.cost import estimate, prices, usage
    from plangate.model import Outcome
    from plangate.report import cost as output

    table = prices.load(args.prices)
    usage_file = usage.load(args.usage_file)
    resources = loaders.load_all(args.paths, args.input_format)
    region = (args.region or provider_region(args.paths) or plan_region(resources)
              or estimate.DEFAULT_REGION)
    est = estimate.estimate(resources, usage_file, table, region)
    delta = None
    if args.compare_to:
        base_resources = loaders.load(args.compare_to)
        base_region = (args.region or provider_region([args.compare_to]) or plan_region(base_resources)
                       or region)
        delta = estimate.compare(estimate.estimate(base_resources, usage_file, table, base_region), est)
    rollups = [g for key in args.by for g in est.by_tag(key)]
    findings = _budget_findings(resources, args, today, region)
    text = output.render(args.format, est, rollups, delta, findings, project=" ".join(args.paths),
                         generated_at=args.generated_at or dt.datetime.now(dt.UTC).strftime(
                             "%Y-%m-%dT%H:%M:%SZ"))
    if findings and args.format == "infracost-json":  # keep the JSON exactly Infracost's shape
        for f in findings:
            print(f"plangate: {f.outcome.value}: {f.rule_id} {f.address}: {f.message}", file=sys.stderr)
    code = 1 if any(f.outcome is Outcome.VIOLATION for f in findings) else 0
    if getattr(args, "audit_log", None):
        from plangate.audit.record import cost_inputs, cost_result

        record_decision(args, "cost", cost_inputs(args), cost_result(findings, code, est.monthly, args.config))
    return text, code
