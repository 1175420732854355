"""``plangate assure``: gate a model's promotion on drift, fairness and its model card.

Checks the evidence about a model against the thresholds of its risk tier (the policy file's
assurance section) and reports findings as plangate scan does: exit 1 when a mandatory check fails.
The models are the inference workloads with a model-id tag in --deployment inputs, or --model-id.
"""

from __future__ import annotations

import argparse
import sys

from plangate.cli.common import add_audit_log, add_command, add_input_format, emit, record_decision, today

FORMATS = ("table", "json", "sarif", "junit", "markdown")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("--deployment", action="append", default=[], metavar="PATH",
                   help="plan JSON, Pulumi preview, .tf folder or manifests holding the deployment (repeatable)")
    add_input_format(p)
    p.add_argument("--model-id", help="the model to assess, when no --deployment is given")
    p.add_argument("--risk-tier", help="the model's risk tier (minimal, limited, high); overrides the tag")
    p.add_argument("--drift", metavar="FILE", help="a drift report: plangate drift --format json")
    p.add_argument("--fairness", action="append", default=[], metavar="FILE",
                   help="a fairness report: plangate fairness --format json (repeatable)")
    p.add_argument("--model-card", metavar="FILE", help="the model card (default: the model-card-url tag's path "
                                                         "inside --repo-root)")
    p.add_argument("--repo-root", default=".", help="where model-card-url paths are resolved (default: .)")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("-f", "--format", choices=FORMATS, default=None, help="report format (default: table)")
    p.add_argument("-o", "--output", help="write the report to FILE (atomically)")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.add_argument("--color", action="store_true", help="colour the table even when piped")
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import policy
    from plangate.assurance import assessment
    from plangate.errors import PlangateError
    from plangate.report import render
    from plangate.rules import RULES
    from plangate.rules.promotion import ASSURANCE_RULES

    pol = policy.load(args.config, (*RULES, *ASSURANCE_RULES))
    evidence = assessment.Evidence(drift=assessment.drift_summary(args.drift) if args.drift else None,
                                   fairness=tuple(assessment.fairness_summary(f) for f in args.fairness),
                                   card=args.model_card)
    inputs = [*args.deployment, *([args.drift] if args.drift else []), *args.fairness,
              *([args.model_card] if args.model_card else [])]
    if args.deployment:
        from plangate import loaders

        resources = loaders.load_all(args.deployment, args.input_format, args.skip_path).resources
        assessments = assessment.from_deployments(resources, pol, evidence, args.repo_root, args.risk_tier)
    elif args.model_id and args.risk_tier:
        assessments = [assessment.single(args.model_id, args.risk_tier, pol, evidence)]
    else:
        raise PlangateError("assure: give --deployment PATH, or --model-id and --risk-tier")
    result = assessment.evaluate(assessments, pol, inputs, today(args.today))
    fmt = args.format or "table"
    color = args.color or (fmt == "table" and not args.output and sys.stdout.isatty())
    emit(render(result, fmt, color=color), args.output)
    if getattr(args, "audit_log", None):
        from plangate.audit.record import scan_inputs, scan_result

        record = scan_result(result)
        record["models"] = {a.address: {"model_id": a.properties["model_id"], "risk_tier": a.properties["risk_tier"]}
                            for a in assessments}
        record_decision(args, "assure", scan_inputs(result), record)
    return result.exit_code
