"""``plangate anomalies``: anomalies in metric series or in the billing lake's daily cost per scope."""

from __future__ import annotations

import argparse

from plangate.cli.common import add_lake_reading, add_report_output, amount, conclude, iso_date

FORMATS = ("table", "json", "html")
DEFAULT_MIN_IMPACT = 50.0  # dollars: what a cost anomaly must be worth to alert, unless told otherwise
DEFAULT_MIN_IMPACT_PCT = 20.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("anomalies", help="find anomalies in metric series or in daily cost per scope",
                       description="Robust seasonal anomaly detection (weekly cycle for daily cost, daily cycle "
                                   "for metrics). Every anomaly is reported; --min-impact / --min-impact-pct "
                                   "decide which alert.")
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
                   help=f"smallest impact that alerts, in dollars for cost (default {DEFAULT_MIN_IMPACT:g}; "
                        "metrics: 0)")
    p.add_argument("--min-impact-pct", type=amount,
                   help=f"smallest impact that alerts, in percent of expected (default {DEFAULT_MIN_IMPACT_PCT:g} "
                        "for cost; metrics: 0)")
    p.add_argument("--fail-on-alert", action="store_true", help="exit 1 when an anomaly alerts")
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.analytics.anomalies import AlertPolicy

    if args.metric:
        policy = AlertPolicy(args.min_impact or 0.0, args.min_impact_pct or 0.0)
        anomalies, series, inputs, title = _metrics(args, policy)
    else:
        policy = AlertPolicy(DEFAULT_MIN_IMPACT if args.min_impact is None else args.min_impact,
                             DEFAULT_MIN_IMPACT_PCT if args.min_impact_pct is None else args.min_impact_pct)
        anomalies, series, inputs, title = _lake(args, policy)
    alerting = [a for a in anomalies if a.alert]
    return conclude(args, "anomalies", _render(args.format, anomalies, series, title, policy), inputs,
                    {"anomalies": len(anomalies), "alerting": len(alerting), "min_impact": policy.min_impact,
                     "min_impact_pct": policy.min_impact_pct}, args.fail_on_alert and bool(alerting))


def _metrics(args, policy):
    from plangate.analytics.anomalies import metric_anomalies, score_metric
    from plangate.analytics.series import read_metric_csv

    anomalies, series = [], []
    for path in args.metric:
        scores = score_metric(read_metric_csv(path))
        series.append(scores)
        anomalies.extend(metric_anomalies(scores, policy))
    return anomalies, series, list(args.metric), f"Anomalies in {len(args.metric)} metric series"


def _lake(args, policy):
    from plangate.analytics.costs import cost_anomalies, daily_scores
    from plangate.cli.common import warn
    from plangate.errors import PlangateError
    from plangate.lake import date_range, metric_names, missing_tags, open_lake

    by = args.by or ["ServiceName"]
    lake = open_lake(args.lake, args.engine, lock_timeout=args.lock_timeout)
    try:
        if date_range(lake, start=args.start, end=args.end) is None:
            names = metric_names(lake)
            if not names:  # a run that read nothing is not a pass
                raise PlangateError(f"{args.lake}: no billing rows{' in the window' if args.start or args.end else ''} "
                                    "and no metric series: ingest some with `plangate ingest` first")
            return _lake_metrics(lake, names, args)
        for key in missing_tags(lake, by, start=args.start, end=args.end):
            warn(f"tag {key!r}: no billing row in {args.lake} carries it, so all spend is one scope '(none)'")
        anomalies = cost_anomalies(lake, by, policy=policy, cost=args.cost, start=args.start, end=args.end)
        series = daily_scores(lake, by, cost=args.cost, start=args.start, end=args.end) if args.format == "html" else []
    finally:
        lake.close()
    return anomalies, series, [args.lake], f"Cost anomalies by {', '.join(by)} ({args.cost})"


def _lake_metrics(lake, names, args):
    """A lake that holds metric series only: each of them, as ``--metric`` would score a file."""
    from plangate.analytics.anomalies import AlertPolicy, metric_anomalies, score_metric
    from plangate.analytics.series import MetricSeries
    from plangate.lake import metric_series

    policy = AlertPolicy(args.min_impact or 0.0, args.min_impact_pct or 0.0)
    anomalies, series = [], []
    for name in names:
        frame = metric_series(lake, name)
        scores = score_metric(MetricSeries(name, frame["timestamp"].to_numpy().astype("datetime64[s]"),
                                           frame["value"].to_numpy(float)))
        series.append(scores)
        anomalies.extend(metric_anomalies(scores, policy))
    return anomalies, series, [args.lake], f"Anomalies in the lake's {len(names)} metric series"


def _render(fmt, anomalies, series, title, policy) -> str:
    if fmt == "json":
        from plangate.report.finops import anomalies_json

        return anomalies_json(anomalies)
    if fmt == "html":
        from plangate.report.finops_html import render_html

        subtitle = (f"{len(anomalies)} anomalies, {sum(a.alert for a in anomalies)} alerting "
                    f"(alert from impact {policy.min_impact:g} and {policy.min_impact_pct:g} %)")
        return render_html(title, series=series, anomalies=anomalies, subtitle=subtitle)
    from plangate.report.finops import anomalies_table

    return anomalies_table(anomalies)
