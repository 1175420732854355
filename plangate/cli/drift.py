"""``plangate drift``: data and prediction drift between a reference and a current window.

Per-feature drift tests chosen as Evidently chooses them (KS, chi-square or z for small references;
normed Wasserstein or Jensen-Shannon for large), PSI alongside, and dataset drift when the share of
drifted features reaches --drift-share.  Inputs: CSV, Parquet, or SageMaker data-capture JSON lines.
"""

from __future__ import annotations

import argparse
import json

from plangate.cli.common import add_command, add_report_output, amount, conclude, share

FORMATS = ("table", "json", "html")


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return name.strip(), value.strip()


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, __doc__)
    p.add_argument("--reference", required=True, metavar="FILE", help="the reference (training / baseline) window")
    p.add_argument("--current", required=True, metavar="FILE", help="the current window")
    p.add_argument("--features", type=_names, metavar="COLS",
                   help="comma-separated feature columns (default: every column both windows share)")
    p.add_argument("--exclude", type=_names, default=[], metavar="COLS",
                   help="comma-separated columns not to test (ids, timestamps, targets)")
    p.add_argument("--prediction", type=_names, default=[], metavar="COLS",
                   help="prediction columns, tested for prediction drift and reported apart")
    p.add_argument("--capture-columns", type=_names, metavar="COLS",
                   help="names of the features in headerless CSV payloads of capture files")
    p.add_argument("--method", help="one test for every feature (ks, wasserstein, jensenshannon, chisquare, z, psi)")
    p.add_argument("--num-method", help="the test for numerical features")
    p.add_argument("--cat-method", help="the test for categorical features")
    p.add_argument("--feature-method", type=_pair, action="append", default=[], metavar="COL=TEST",
                   help="the test for one feature (repeatable)")
    p.add_argument("--threshold", type=amount, help="one threshold for every test (default: each test's own)")
    p.add_argument("--feature-threshold", type=_pair, action="append", default=[], metavar="COL=VALUE",
                   help="the threshold for one feature (repeatable)")
    p.add_argument("--drift-share", type=share, default=0.5,
                   help="share of drifted features at which the dataset drifts (default 0.5)")
    p.add_argument("--fail-on-drift", action="store_true",
                   help="exit 1 when the dataset or a prediction drifts")
    add_report_output(p, FORMATS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.assurance.drift import DriftOptions, detect
    from plangate.assurance.tables import read_window
    from plangate.errors import PlangateError

    wanted = None
    if args.features is not None:
        wanted = list(dict.fromkeys([*args.features, *args.prediction]))
    ref = read_window(args.reference, wanted, capture_columns=args.capture_columns)
    cur = read_window(args.current, wanted, capture_columns=args.capture_columns)
    for col in args.prediction:
        ref.require(col), cur.require(col)
    excluded = set(args.exclude) | set(args.prediction)
    if args.features is not None:
        features = [c for c in args.features if c not in excluded]
        for col in features:
            cur.require(col)
    else:
        from plangate.assurance.capture import INFERENCE_TIME

        excluded.add(INFERENCE_TIME)
        features = [c for c in ref.columns if c in cur.columns and c not in excluded]
    try:
        per_threshold = {k: float(v) for k, v in args.feature_threshold}
    except ValueError:
        raise PlangateError("--feature-threshold: expected COL=NUMBER") from None
    options = DriftOptions(method=args.method, num_method=args.num_method, cat_method=args.cat_method,
                           threshold=args.threshold, per_feature_method=dict(args.feature_method),
                           per_feature_threshold=per_threshold, drift_share=args.drift_share)
    report = detect(ref.columns, cur.columns, features=features, predictions=args.prediction, options=options,
                    sources=(args.reference, args.current))
    if not report.features and not report.predictions:
        raise PlangateError(f"{args.current}: no column could be tested "
                            f"({', '.join(f'{n}: {r}' for n, r in report.skipped) or 'no shared columns'})")
    data = {"reference": args.reference, "current": args.current,
            "reference_rows": ref.rows, "current_rows": cur.rows, **report.as_dict()}
    text = _render(data, args.format)
    drifted = report.dataset_drift or report.prediction_drift
    return conclude(args, "drift", text, [args.reference, args.current], {
        "dataset_drift": report.dataset_drift, "prediction_drift": report.prediction_drift,
        "drifted": [f.name for f in (*report.features, *report.predictions) if f.drifted],
        "tests": {f.name: f.test for f in (*report.features, *report.predictions)}}, args.fail_on_drift and drifted)


def _render(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt == "html":
        from plangate.report.assurance_html import drift_html

        return drift_html(data)
    return _table(data)


def _table(data: dict) -> str:
    rows = [("feature", "type", "test", "statistic", "threshold", "drift", "psi")]
    for group in ("features", "predictions"):
        for f in data[group]:
            stat = "n/a" if f["statistic"] is None else f"{f['statistic']:.4g}"
            psi = "n/a" if f["psi"] is None else f"{f['psi']:.4g}"
            name = f["name"] + (" (prediction)" if group == "predictions" else "")
            rows.append((name, f["type"], f["test"], stat, f"{f['threshold']:g}",
                         "DRIFT" if f["drifted"] else "ok", psi))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    verdict = "DRIFT" if data["dataset_drift"] else "no drift"
    lines.append(f"dataset: {verdict} ({data['number_of_drifted_features']} of {data['number_of_features']} "
                 f"features drifted, threshold share {data['drift_share_threshold']:g})")
    if data["predictions"]:
        lines.append(f"predictions: {'DRIFT' if data['prediction_drift'] else 'no drift'}")
    for s in data["skipped"]:
        lines.append(f"skipped {s['name']}: {s['reason']}")
    return "\n".join(lines)
