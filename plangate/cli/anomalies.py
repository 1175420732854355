"""``plangate anomalies``: find anomalies in metric series or in daily cost per scope.

Robust seasonal anomaly detection (day-of-week for daily cost, daily or hour-of-week cycle for
metrics, the weekly one when three weeks show it). Every anomaly is reported; --min-impact /
--min-impact-pct decide which alert.
"""

from __future__ import annotations

import argparse

from plangate.cli.common import add_command, add_lake_reading, add_report_output, amount, conclude, iso_date

FORMATS = ("table", "json", "html")


def register(sub: argparse._SubParsersAction) -> None:
    from plangate.analytics.alerts import COST_ALERTS, METRIC_ALERTS

    p = add_command(sub, __doc__)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--metric", action="append", metavar="SERIES.csv",
                     help="a timestamp,value series (repeatable)")
    src.add_argument("--lake", metavar="LAKE", help="the billing lake written by `plangate ingest`")
    p.add_argument("--by", action="append", metavar="KEY",
                   help="scope of daily cost: a FOCUS column or tag:<key> (repeatable; default ServiceName)")
    add_lake_reading(p)
    p.add_argument("--start", type=iso_date, help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--end", type=iso_date, help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--min-impact", type=amount,
                   help=f"smallest impact that alerts, in dollars for cost (default {COST_ALERTS.min_impact:g}; "
                        f"metrics: {METRIC_ALERTS.min_impact:g})")
    p.add_argument("--min-impact-pct", type=amount,
                   help="smallest impact that alerts, in percent of expected (default "
                        f"{COST_ALERTS.min_impact_pct:g} for cost; metrics: {METRIC_ALERTS.min_impact_pct:g})")
    p.add_argument("--fail-on-alert", action="store_true", help="exit 1 when an anomaly alerts")
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.analytics.find import find_anomalies

    wanted = dict(min_impact=args.min_impact, min_impact_pct=args.min_impact_pct, with_series=args.format == "html")
    if args.metric:
        from plangate.analytics.series import read_metric_csv

        result = find_anomalies([read_metric_csv(path) for path in args.metric], **wanted)
        inputs = list(args.metric)
    else:
        from plangate.cli.common import warn
        from plangate.lake import open_lake

        lake = open_lake(args.lake, args.engine, lock_timeout=args.lock_timeout)
        try:
            result = find_anomalies(lake, by=args.by or ["ServiceName"], cost=args.cost, start=args.start,
                                    end=args.end, **wanted)
        finally:
            lake.close()
        for note in result.notes:
            warn(note)
        inputs = [args.lake]
    return conclude(args, "anomalies", _render(args.format, result, _title(result, args)), inputs,
                    {"kind": result.kind, "anomalies": len(result.anomalies), "alerting": len(result.alerting),
                     **result.policy.as_dict()},
                    args.fail_on_alert and bool(result.alerting))


def _title(result, args) -> str:
    if result.kind == "cost":
        return f"Cost anomalies by {', '.join(result.scored)} ({args.cost})"
    where = "the lake's " if args.lake else ""
    return f"Anomalies in {where}{len(result.scored)} metric series"


def _render(fmt: str, result, title: str) -> str:
    if fmt == "json":
        from plangate.report.finops import anomalies_json

        return anomalies_json(result.anomalies, alert_policy=result.policy.as_dict())
    if fmt == "html":
        from plangate.report.finops_html import render_html

        policy = result.policy
        subtitle = (f"{len(result.anomalies)} anomalies, {len(result.alerting)} alerting "
                    f"(alert from impact {policy.min_impact:g} and {policy.min_impact_pct:g} %)")
        return render_html(title, series=result.series, anomalies=result.anomalies, subtitle=subtitle)
    from plangate.report.finops import anomalies_table

    return anomalies_table(result.anomalies)
