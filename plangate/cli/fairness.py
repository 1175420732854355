"""``plangate fairness``: group fairness of a classifier's decisions.

Selection rate, true / false positive rates, demographic parity difference and ratio, equalized odds
and equal opportunity differences and disparate impact (four-fifths rule), per group and for the
intersection of every --sensitive column, with bootstrap confidence intervals.  Only the named
columns are read; groups under --min-group-size are never named.
"""

from __future__ import annotations

import argparse
import json

from plangate.cli.common import add_command, add_report_output, conclude, count, finite

FORMATS = ("table", "json", "html")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("data", metavar="DATA", help="CSV, Parquet or capture file with labels and decisions")
    p.add_argument("--y-true", required=True, metavar="COL", help="the true outcome column")
    p.add_argument("--y-pred", required=True, metavar="COL", help="the model's decision (or score) column")
    p.add_argument("--sensitive", required=True, action="append", metavar="COL",
                   help="a sensitive attribute (repeat for intersectional groups)")
    p.add_argument("--positive", metavar="VALUE", help="the value of a label that is positive "
                                                       "(default: 1 or true); of a decision too, unless "
                                                       "--pred-positive is given")
    p.add_argument("--pred-positive", metavar="VALUE", help="the value of a decision that is positive")
    p.add_argument("--y-pred-threshold", type=finite, metavar="T",
                   help="the decision is positive when the --y-pred score is at least T")
    p.add_argument("--min-group-size", type=count, default=30,
                   help="groups with fewer rows are left out and not named (default 30)")
    p.add_argument("--bootstrap", type=count, default=1000, metavar="N",
                   help="bootstrap resamples for the confidence intervals (default 1000; 0: none)")
    p.add_argument("--confidence", type=finite, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--seed", type=count, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--fail-on-disparity", action="store_true",
                   help="exit 1 when the four-fifths rule fails")
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.assurance import fairness
    from plangate.assurance.tables import read_window
    from plangate.errors import PlangateError

    sensitive = list(dict.fromkeys(args.sensitive))
    used = {args.y_true, args.y_pred} & set(sensitive)
    if used:
        raise PlangateError(f"--sensitive {sorted(used)[0]!r} is also the label or decision column")
    columns = list(dict.fromkeys([args.y_true, args.y_pred, *sensitive]))
    window = read_window(args.data, columns)
    options = fairness.FairnessOptions(min_group_size=max(args.min_group_size, 1), bootstrap=args.bootstrap,
                                       confidence=args.confidence, seed=args.seed)
    cells, dropped = fairness.from_columns(args.data, window.column(args.y_true), window.column(args.y_pred),
                                           {c: window.column(c) for c in sensitive}, positive=args.positive,
                                           pred_positive=args.pred_positive,
                                           pred_threshold=args.y_pred_threshold)
    report = {"data": args.data, "y_true": args.y_true, "y_pred": args.y_pred, "rows_dropped": dropped,
              **fairness.assess(cells, options)}
    if len(sensitive) > 1:
        report["by_feature"] = fairness.by_feature(cells, options)
    text = _render(report, args.format)
    passed = report["four_fifths_rule"]["passed"]
    return conclude(args, "fairness", text, [args.data], {
        "sensitive": sensitive, "four_fifths_rule_passed": passed, **{m: report[m] for m in fairness.METRICS}},
        args.fail_on_disparity and not passed)


def _render(report: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, default=str)
    if fmt == "html":
        from plangate.report.assurance_html import fairness_html

        return fairness_html(report)
    return _table(report)


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _table(r: dict) -> str:
    rows = [("group", "size", "selection", "TPR", "FPR", "impact")]
    for g in r["groups"]:
        label = ", ".join(f"{k}={v}" for k, v in g["group"].items())
        rows.append((label, str(g["size"]), _fmt(g["selection_rate"]), _fmt(g["true_positive_rate"]),
                     _fmt(g["false_positive_rate"]), _fmt(g["disparate_impact"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    ci = r.get("confidence_intervals", {})
    for name in ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
                 "equal_opportunity_difference"):
        interval = ci.get(name)
        extra = f"  [{_fmt(interval[0])}, {_fmt(interval[1])}]" if interval else ""
        lines.append(f"{name.replace('_', ' ')}: {_fmt(r[name])}{extra}")
    rule = r["four_fifths_rule"]
    lines.append(f"four-fifths rule: {'passed' if rule['passed'] else 'FAILED'} "
                 f"(disparate impact {_fmt(r['disparate_impact'])}, threshold {rule['threshold']:g})")
    if r["suppressed_groups"]:
        lines.append(f"{r['suppressed_groups']} groups ({r['suppressed_rows']} rows) under {r['min_group_size']} "
                     "rows left out")
    return "\n".join(lines)
