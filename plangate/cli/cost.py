"""``plangate cost``: the estimate of a plan, preview or HCL directory, and its budget findings.

Each resource is priced in its own region (a ``region`` argument, an ARN), else in the region
of the provider configuration that manages it (alias included, as the loaders record it),
else in the default region: ``--region``, else the budget rules' ``region`` setting, else
``us-east-1``.  Budget rules
enabled in the policy file (``-c`` or ./plangate.yaml) are evaluated on the same estimate,
with ``--usage-file`` / ``--prices`` / ``--region`` passed to them and ``--compare-to``
as the increase rule's baseline; a mandatory budget violation exits 1, like ``scan``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from typing import TYPE_CHECKING

from plangate.cli.common import add_audit_log, add_input_format, emit, record_decision, today

FORMATS = ("table", "markdown", "json", "infracost-json")

if TYPE_CHECKING:
    from plangate.model import Finding, Resource
    from plangate.policy import Policy
    from plangate.rules.context import CostKey


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


def cost_key(args: argparse.Namespace, pol: Policy) -> CostKey:
    """The usage file, price table and default region of the estimate: ``--usage-file`` /
    ``--prices`` / ``--region``, else what the enabled budget rules' settings agree on, else the
    defaults.  The table printed and the budget findings then price the same numbers, and
    ``plangate scan`` (which reads the same settings) gives the same total."""
    from plangate.rules.context import CostKey, settings_key

    keys = {settings_key(pol.rules[r.id].settings) for r in pol.enabled() if r.id.startswith("PG-BUD-")}

    def agreed(name: str) -> str:
        values = {getattr(k, name) for k in keys}
        return values.pop() if len(values) == 1 else ""

    return CostKey(args.usage_file or agreed("usage_file"), args.prices or agreed("prices"),
                   args.region or agreed("region"))


def _budget_findings(resources: list[Resource], pol: Policy, key: CostKey, args: argparse.Namespace,
                     today: dt.date, compared_to: list[Resource] | None) -> list[Finding]:
    from plangate import engine, policy
    from plangate.rules.budget import CostInputs

    budget = [r for r in pol.enabled() if r.id.startswith("PG-BUD-")]
    if not budget:
        return []
    configs = dict(pol.rules)
    for r in budget:
        cfg = configs[r.id]
        settings = cfg.settings
        if isinstance(settings, CostInputs):
            changes = {"region": key.region, "usage_file": key.usage_file, "prices": key.prices}
            if args.compare_to and hasattr(settings, "baseline"):
                changes["baseline"] = args.compare_to
            settings = dataclasses.replace(settings, **changes)
        configs[r.id] = policy.RuleConfig(cfg.enforcement, settings)
    # Only the budget rules run here: expired waivers are the scanner's business, not the cost report's.
    only_budget = dataclasses.replace(pol, rules=configs, catalogue=tuple(budget))
    # --compare-to replaces every rule's baseline and was read once already, for the delta
    baselines = ({args.compare_to: tuple(compared_to)} if compared_to is not None
                 else policy.load_baselines(only_budget))
    return engine.evaluate(resources, only_budget, today, baselines)


def report(args: argparse.Namespace, today: dt.date) -> tuple[str, int]:
    """The report text and the exit code (1 when a mandatory budget rule is violated)."""
    from plangate import loaders, policy
    from plangate.cost import estimate, prices, usage
    from plangate.model import Outcome
    from plangate.report import cost as output
    from plangate.rules import RULES

    pol = policy.load(args.config, RULES)
    key = cost_key(args, pol)
    table = prices.load(key.prices or None)
    usage_file = usage.load(key.usage_file or None)
    found = loaders.load_all(args.paths, args.input_format, args.skip_path)
    for note in found.notes:
        print(f"plangate: {note}", file=sys.stderr)
    resources = found.resources
    unused = usage_file.unmatched(resources)
    if unused:  # a typo or a renamed resource: its usage would be ignored without a word
        shown = ", ".join(unused[:5]) + (f" and {len(unused) - 5} more" if len(unused) > 5 else "")
        print(f"plangate: warning: {usage_file.source}: no resource matches {shown}", file=sys.stderr)
    est = estimate.estimate(resources, usage_file, table, key.region or None)
    delta = base = None
    if args.compare_to:
        base = loaders.load_all([args.compare_to]).resources
        delta = estimate.compare(estimate.estimate(base, usage_file, table, key.region or None), est)
    rollups = [g for key_ in args.by for g in est.by_tag(key_)]
    findings = _budget_findings(resources, pol, key, args, today, base)
    text = output.render(args.format, est, rollups, delta, findings, project=" ".join(found.inputs),
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
