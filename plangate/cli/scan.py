"""``plangate scan``: evaluate the rules on plans, previews, HCL or manifests."""

from __future__ import annotations

import argparse
import os
import sys

from plangate.cli.common import add_audit_log, add_input_format, emit, record_decision, today

FORMATS = ("table", "json", "sarif", "junit", "markdown")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="evaluate the rules on plans, previews, HCL or manifests")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="plan JSON, Pulumi preview / state JSON, a .tf directory, YAML, or a folder")
    add_input_format(p)
    p.add_argument("-f", "--format", choices=FORMATS, default=None, help="report format (default: table)")
    p.add_argument("-o", "--output", help="write the report to FILE (atomically)")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("--today", help=argparse.SUPPRESS)  # pin the date waivers are judged on
    p.add_argument("--color", action="store_true", help="colour the table even when piped")
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import engine, loaders, policy
    from plangate.report import render
    from plangate.rules import RULES

    pol = policy.load(args.config, RULES)
    resources = loaders.load_all(args.paths, args.input_format)
    pol = _with_inline_skips(pol, args.paths, resources)
    result = engine.scan(resources, pol, list(args.paths), today(args.today))
    if args.audit_log:
        from plangate.audit.record import scan_inputs, scan_result

        record_decision(args, "scan", scan_inputs(result), scan_result(result))
    fmt = args.format or "table"
    color = args.color or (fmt == "table" and not args.output and sys.stdout.isatty())
    emit(render(result, fmt, color=color), args.output)
    return result.exit_code


def _with_inline_skips(pol, paths, resources):
    """Honour (and list) `#checkov:skip=CKV_PG_…` comments in scanned .tf sources, so the
    scanner and Checkov agree on what is waived."""
    if not any(r.source_format == "hcl" for r in resources):
        return pol
    import dataclasses

    from plangate.frontends.checkov.suppressions import as_waivers, suppressions_in
    from plangate.rules import BY_ID

    found = [s for p in paths if os.path.isdir(p) or str(p).endswith(".tf") for s in suppressions_in(p)]
    return dataclasses.replace(pol, waivers=(*pol.waivers, *as_waivers(found, BY_ID)))
