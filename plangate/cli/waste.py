"""``plangate waste``: find idle, over-provisioned and unused capacity, priced by the cost model.

Usage evidence against what the plan deploys: Lambda REPORT log lines for memory, Invocations series
for idle functions / endpoints, ProvisionedConcurrencyUtilization series for provisioned
concurrency.
"""

from __future__ import annotations

import argparse

from plangate.cli.common import (
    EXIT_OK,
    EXIT_VIOLATIONS,
    add_audit_log,
    add_command,
    add_input_format,
    amount,
    emit,
    named_path,
    record_decision,
)

FORMATS = ("table", "json", "html")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("paths", nargs="+", metavar="PLAN", help="plan JSON, Pulumi preview / state, or HCL of the stack")
    add_input_format(p)
    p.add_argument("--lambda-logs", type=named_path, action="append", default=[], metavar="FUNCTION=FILE",
                   help="CloudWatch Logs export of a function (its REPORT lines; repeatable)")
    p.add_argument("--invocations", type=named_path, action="append", default=[], metavar="NAME=SERIES.csv",
                   help="Invocations of a function or endpoint as timestamp,value (repeatable)")
    p.add_argument("--pc-utilization", type=named_path, action="append", default=[], metavar="NAME=SERIES.csv",
                   help="ProvisionedConcurrencyUtilization of a provisioned concurrency config (repeatable)")
    p.add_argument("--days", type=amount, help="days the log files cover (default: from their timestamps)")
    p.add_argument("--region", help="region for resources that do not name theirs (default us-east-1)")
    p.add_argument("--fail-over", type=amount, metavar="USD", help="exit 1 when the savings pass USD a month")
    p.add_argument("-f", "--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", help="write the report to FILE (atomically)")
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from decimal import Decimal

    from plangate import loaders
    from plangate.analytics import waste
    from plangate.analytics.series import read_metric_csv
    from plangate.errors import PlangateError

    if not (args.lambda_logs or args.invocations or args.pc_utilization):
        raise PlangateError("waste: give usage evidence: --lambda-logs, --invocations or --pc-utilization")
    resources = loaders.load_all(args.paths, args.input_format, args.skip_path).resources
    found = []
    for name, path in args.lambda_logs:
        fn = waste.find(resources, {waste.LAMBDA}, name)
        found.append(waste.lambda_memory(fn, waste.read_reports(name, path), days=args.days, region=args.region))
    for name, path in args.invocations:
        res = waste.find(resources, {waste.LAMBDA, waste.ENDPOINT, waste.ENDPOINT_CONFIG}, name)
        found.append(waste.idle(res, read_metric_csv(path), resources, region=args.region))
    for name, path in args.pc_utilization:
        pc = waste.find(resources, {waste.PC}, name)
        found.append(waste.unused_provisioned_concurrency(pc, read_metric_csv(path), resources, region=args.region))
    items = [w for w in found if w is not None]
    emit(_render(args.format, items), args.output)
    total = sum((w.monthly_savings for w in items), Decimal(0))
    inputs = [*args.paths, *(p for _, p in (*args.lambda_logs, *args.invocations, *args.pc_utilization))]
    record_decision(args, "waste", inputs,
                    {"items": len(items), "monthly_savings": str(total.quantize(Decimal("0.01")))})
    return EXIT_VIOLATIONS if args.fail_over is not None and total > Decimal(str(args.fail_over)) else EXIT_OK


def _render(fmt: str, items) -> str:
    if fmt == "json":
        from plangate.report.finops import waste_json

        return waste_json(items)
    if fmt == "html":
        from plangate.report.finops_html import render_html

        return render_html("Waste", waste=items, subtitle=f"{len(items)} findings")
    from plangate.report.finops import waste_table

    return waste_table(items)
