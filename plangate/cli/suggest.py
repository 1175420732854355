"""``plangate suggest``: propose plangate.yaml changes (budgets, right-sizing) as a unified diff.

Budgets: each forecast scope's 80 % upper bound plus --headroom. Right-sizing: Lambda memory and
provisioned concurrency from usage, as review comments. Apply the diff with `git apply` after
review.
"""

from __future__ import annotations

import argparse

from plangate.cli.common import (
    EXIT_OK,
    add_audit_log,
    add_command,
    add_lock_timeout,
    amount,
    emit,
    named_path,
    record_decision,
    warn,
)

MAX_HEADROOM = 10.0  # a ceiling eleven times the forecast's upper bound is no longer a budget


def _headroom(text: str) -> float:
    """An argparse type: a share >= 0 and at most MAX_HEADROOM."""
    value = amount(text)
    if value > MAX_HEADROOM:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and {MAX_HEADROOM:g}, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("--lake", metavar="LAKE", help="the billing lake: budgets from month-end forecasts")
    add_lock_timeout(p)
    p.add_argument("-c", "--config", default="plangate.yaml", help="the policy file to change (default plangate.yaml)")
    p.add_argument("--headroom", type=_headroom, default=0.2,
                   help=f"share added to the forecast (default 0.2, at most {MAX_HEADROOM:g})")
    p.add_argument("--month", help=argparse.SUPPRESS)
    p.add_argument("--as-of", dest="as_of", help="the last day of billing data to use (YYYY-MM-DD)")
    p.add_argument("--plan", action="append", default=[], metavar="PLAN", help="the stack, for right-sizing")
    p.add_argument("--lambda-logs", type=named_path, action="append", default=[], metavar="FUNCTION=FILE",
                   help="CloudWatch Logs export of a function (its REPORT lines; repeatable)")
    p.add_argument("--pc-utilization", type=named_path, action="append", default=[], metavar="NAME=SERIES.csv",
                   help="ProvisionedConcurrencyUtilization of a provisioned concurrency config (repeatable)")
    p.add_argument("--days", type=amount, help="days the log files cover (default: from their timestamps)")
    p.add_argument("-o", "--output", help="write the diff to FILE (atomically)")
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from plangate.analytics.suggest import budget_suggestions, edit_config, unified_diff
    from plangate.cli.common import iso_date
    from plangate.errors import ConfigError, PlangateError

    if not args.lake and not args.lambda_logs and not args.pc_utilization:
        raise PlangateError("suggest: give --lake (budgets) and/or --plan with --lambda-logs / --pc-utilization")
    path = Path(args.config)
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    budgets: dict[str, float] = {}
    if args.lake:
        from plangate.analytics.forecast import Budgets, forecast_lake
        from plangate.lake import open_lake

        try:
            as_of = iso_date(args.as_of) if args.as_of else None
        except argparse.ArgumentTypeError as exc:
            raise PlangateError(f"--as-of: {exc}") from None
        declared = Budgets.from_policy(str(path)) if old else Budgets()
        lake = open_lake(args.lake, lock_timeout=args.lock_timeout)
        try:
            forecasts = forecast_lake(lake, declared, as_of=as_of, unbudgeted=not declared.tags and not declared.stack)
        finally:
            lake.close()
        budgets = budget_suggestions(forecasts, args.headroom)
        for f in forecasts:
            if not f.bounded:
                warn(f"suggest: no budget for {f.scope}: its forecast's {f.unbounded_reason}")
    waste = _waste(args) if args.lambda_logs or args.pc_utilization else []
    new = edit_config(old, str(path), budgets, waste)
    diff = unified_diff(old, new, args.config)
    if diff or args.output:
        emit(diff, args.output)
    record_decision(args, "suggest", [x for x in (args.lake, str(path) if old else None) if x],
                    {"budgets": budgets, "right_sizing": len(waste), "changed": bool(diff)})
    return EXIT_OK


def _waste(args: argparse.Namespace):
    from plangate import loaders
    from plangate.analytics import waste
    from plangate.analytics.series import read_metric_csv
    from plangate.errors import PlangateError

    if not args.plan:
        raise PlangateError("suggest: --lambda-logs / --pc-utilization need --plan (the stack that deploys them)")
    resources = loaders.load_all(args.plan, None).resources
    found = []
    for name, log in args.lambda_logs:
        fn = waste.find(resources, {waste.LAMBDA}, name)
        found.append(waste.lambda_memory(fn, waste.read_reports(name, log), days=args.days))
    for name, series in args.pc_utilization:
        pc = waste.find(resources, {waste.PC}, name)
        found.append(waste.unused_provisioned_concurrency(pc, read_metric_csv(series), resources))
    return [w for w in found if w is not None]
