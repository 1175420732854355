"""``plangate coverage``: allocation coverage: the share of usage spend carrying the required tags.

Of the EffectiveCost of usage charges (ChargeCategory Usage), the share whose resources carry every
tag key PG-TAG-001 requires (the policy file's rules.cost-allocation-tags.required), per billing
period and per provider, service and account.  Exit 1 when a period falls below the policy file's
assurance.coverage.min_share (PG-COV-001, default 0.8).
"""

from __future__ import annotations

import argparse

from plangate.cli.common import add_command, add_lake_access, add_report_output, count, emit, record_decision, today

FORMATS = ("table", "json", "html")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="FOCUS 1.0-1.3 or AWS CUR billing files (CSV, gzipped CSV or Parquet)")
    p.add_argument("--lake", metavar="LAKE", help="measure a billing lake written by `plangate ingest` instead")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("--top", type=count, default=10, help="untagged resources listed per billing period (default 10)")
    p.add_argument("--today", help=argparse.SUPPRESS)
    add_lake_access(p)
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import policy
    from plangate.assurance.coverage import evaluate
    from plangate.errors import PlangateError
    from plangate.rules import BY_ID, RULES
    from plangate.rules.coverage import COVERAGE_RULES

    if bool(args.files) == bool(args.lake):
        raise PlangateError("coverage: give billing FILEs or --lake LAKE (one of the two)")
    pol = policy.load(args.config, (*RULES, *COVERAGE_RULES))
    tags = pol.config(BY_ID["PG-TAG-001"]).settings
    inputs = list(args.files) or [args.lake]
    cov = _measure(args, tags.required, tags.key_case == "insensitive")
    result = evaluate(cov, pol, inputs, today(args.today), args.lake or ", ".join(args.files))
    emit(_render(args.format, cov, result), args.output)
    record_decision(args, "coverage", inputs if args.files else [],
                    {"required": list(cov.required), "min_share": pol.assurance.coverage.min_share,
                     "periods": {f"{r.period}/{r.currency}": r.share for r in cov.periods},
                     "violations": len(result.violations)})
    return result.exit_code


def _measure(args: argparse.Namespace, required, insensitive: bool):
    """Coverage of ``--lake``, or of FILEs loaded (and checked) by `plangate ingest`'s own reader into a
    throwaway lake: one reader for billing files, one set of one-line errors for bad ones."""
    import tempfile
    from pathlib import Path

    from plangate.lake import open_lake
    from plangate.lake.coverage import allocation_coverage

    if args.lake:
        lake = open_lake(args.lake, args.engine, lock_timeout=args.lock_timeout)
        try:
            return allocation_coverage(lake, required, insensitive=insensitive, top=args.top)
        finally:
            lake.close()
    from plangate.lake.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="plangate-coverage-") as tmp:
        target = Path(tmp) / "lake.duckdb"
        ingest(target, args.files)
        lake = open_lake(target, args.engine)
        try:
            return allocation_coverage(lake, required, insensitive=insensitive, top=args.top)
        finally:
            lake.close()


def _render(fmt: str, cov, result) -> str:
    # every finding: violations, advisory warnings and waived ones, each saying which it is
    messages = [f"{f.outcome.value}: {f.message}" for f in result.findings]
    if fmt == "json":
        from plangate.report.allocation import coverage_json

        return coverage_json(cov, messages)
    if fmt == "html":
        from plangate.report.finops_html import coverage_page

        return coverage_page(cov, messages)
    from plangate.report.allocation import coverage_table

    return coverage_table(cov, messages)
