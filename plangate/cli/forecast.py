"""``plangate forecast``: month-end spend per budget scope, its 80 % interval, the breach date and its probability."""

from __future__ import annotations

import argparse

from plangate.cli.common import add_lake_reading, add_report_output, amount, conclude, iso_date, share

FORMATS = ("table", "json", "html")


def _month(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forecast", help="forecast month-end spend against the budgets in plangate.yaml",
                       description="Robust level + weekday model (Huber; a trend only on four weeks of history) per "
                                   "budget scope: the stack ceiling and the per-tag ceilings of the monthly-budget "
                                   "rule in plangate.yaml. Month-end totals are sums of simulated daily paths; the "
                                   "80 % interval is calibrated on backtests of the same series before the as-of day; "
                                   "where those backtests favour repeating the last week, that forecasts the "
                                   "days left. With fewer than four past windows as long as the days left, the "
                                   "interval has no upper bound and no breach probability is stated.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--lake", metavar="LAKE", help="the billing lake written by `plangate ingest`")
    src.add_argument("--daily", metavar="SERIES.csv", help="one scope's daily cost as a timestamp,value series")
    p.add_argument("-c", "--config", help="policy file with the budgets (default: ./plangate.yaml if present)")
    p.add_argument("--budget", type=amount,
                   help="the monthly budget in dollars for all spend (--daily's series; with --lake it "
                        "replaces plangate.yaml's stack ceiling)")
    p.add_argument("--month", type=_month, help="the month to forecast, YYYY-MM (default: the as-of day's)")
    p.add_argument("--as-of", dest="as_of", type=iso_date, help="the last day to use (default: the last with data)")
    add_lake_reading(p)
    p.add_argument("--all-scopes", action="store_true",
                   help="also forecast all spend and tag values without a budget")
    p.add_argument("--fail-on-breach", action="store_true",
                   help="exit 1 when a scope's month-end breach is at least --breach-probability likely; "
                        "where history bounds no probability (no upper bound), when the point forecast "
                        "is over the budget")
    p.add_argument("--breach-probability", dest="breach_probability", type=share, metavar="P",
                   help="the breach probability (0 to 1) --fail-on-breach fails from (default: plangate.yaml's "
                        "rules.monthly-budget.breach_probability, else 0.5)")
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.analytics.forecast import Budgets, forecast_lake, forecast_month

    if args.daily:
        from plangate.analytics.series import read_metric_csv

        threshold = (args.breach_probability if args.breach_probability is not None
                     else Budgets.from_policy(args.config).breach_probability if args.config
                     else Budgets().breach_probability)
        series = read_metric_csv(args.daily)
        days = series.times.astype("datetime64[D]").astype(object).tolist()
        forecasts = [forecast_month(days, series.values.tolist(), scope="stack", budget=args.budget,
                                    month=args.month, as_of=args.as_of)]
        inputs = [args.daily]
    else:
        from plangate.lake import open_lake

        budgets = Budgets.from_policy(args.config)
        if args.budget is not None:  # the command line's ceiling for all spend wins over the policy file's
            budgets = Budgets(args.budget, budgets.tags, budgets.breach_probability)
        threshold = budgets.breach_probability if args.breach_probability is None else args.breach_probability
        lake = open_lake(args.lake, args.engine, lock_timeout=args.lock_timeout)
        try:
            from plangate.errors import PlangateError
            from plangate.lake import date_range

            if date_range(lake, end=args.as_of) is None:  # a run that read nothing is not a pass
                raise PlangateError(f"{args.lake}: no billing rows to forecast from")
            from plangate.cli.common import warn
            from plangate.lake import missing_tags

            for key in missing_tags(lake, [f"tag:{k}" for k in budgets.tags or {}], end=args.as_of):
                warn(f"tag {key!r}: no billing row in {args.lake} carries it, so its budgets are not forecast")
            forecasts = forecast_lake(lake, budgets, cost=args.cost, month=args.month, as_of=args.as_of,
                                      unbudgeted=args.all_scopes)
        finally:
            lake.close()
        inputs = [args.lake, *([args.config] if args.config else [])]
    over = [f for f in forecasts if f.over_budget]
    likely = [f for f in forecasts if f.likely_breach(threshold)]
    return conclude(args, "forecast", _render(args.format, forecasts), inputs,
                    {"forecasts": len(forecasts), "over_budget": [f.scope for f in over],
                     "breach_probability_threshold": threshold, "likely_breach": [f.scope for f in likely],
                     "no_upper_bound": [f.scope for f in forecasts if not f.bounded]},
                    args.fail_on_breach and bool(likely))


def _render(fmt: str, forecasts) -> str:
    if fmt == "json":
        from plangate.report.finops import forecasts_json

        return forecasts_json(forecasts)
    if fmt == "html":
        from plangate.report.finops_html import render_html

        over = sum(f.over_budget for f in forecasts)
        return render_html("Month-end forecast", forecasts=forecasts,
                           subtitle=f"{len(forecasts)} budget scopes, {over} expected over budget")
    from plangate.report.finops import forecasts_table

    return forecasts_table(forecasts)
