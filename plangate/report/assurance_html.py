"""The drift and fairness HTML reports: the numbers of the JSON report, with a bar picture.

Each page is drawn from the same dict `plangate drift -f json` / `plangate fairness -f json`
prints, so the page and the JSON cannot disagree; the shell (inline style, no fetches) is
`plangate.report.html_page`.  Statistics are shown as the table format shows them (4 significant
digits for drift, 4 decimals for fairness).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from plangate.report.html_page import escape, page

WIDTH, LABEL, ROW, TOP = 920, 220, 26, 28
BAR = WIDTH - LABEL - 190  # room on the right for the value text
RED, BLUE, GREEN, ORANGE, INK, GREY = "#cf222e", "#0969da", "#1a7f37", "#bc4c00", "#1f2328", "#656d76"


# -- drift -------------------------------------------------------------------------------------


def drift_html(data: Mapping[str, Any]) -> str:
    """The drift page of a `plangate drift -f json` report."""
    features, predictions = data["features"], data["predictions"]
    verdict = "DRIFT" if data["dataset_drift"] else "no drift"
    parts = [f"<p>dataset: {_verdict(verdict, data['dataset_drift'])} "
             f"({data['number_of_drifted_features']} of {data['number_of_features']} features drifted, "
             f"threshold share {data['drift_share_threshold']:g})</p>"]
    if predictions:
        drifted = data["prediction_drift"]
        parts.append(f"<p>predictions: {_verdict('DRIFT' if drifted else 'no drift', drifted)}</p>")
    rows = [(f["name"], f) for f in features] + [(f"{f['name']} (prediction)", f) for f in predictions]
    if rows:
        parts.append("<h2>Statistic against threshold</h2>"
                     f'<p class="legend"><span><i class=sw style="background:{BLUE}"></i>no drift</span>'
                     f'<span><i class=sw style="background:{RED}"></i>drift</span>'
                     f'<span><i class=sw style="background:{INK}"></i>threshold</span> '
                     "a bar past its tick drifted (distances as they are, p-values as &minus;log10 p)</p>")
        parts.append(drift_chart(rows))
        parts.append(_drift_table(rows))
    if data["skipped"]:
        items = "".join(f"<li>{escape(s['name'])}: {escape(s['reason'])}</li>" for s in data["skipped"])
        parts.append(f"<h2>Skipped</h2><ul>{items}</ul>")
    subtitle = (f"reference {data['reference']} ({data['reference_rows']} rows) against current "
                f"{data['current']} ({data['current_rows']} rows)")
    return page("Drift report", parts, subtitle=subtitle)


def _test_kind(test: str) -> tuple[str, bool]:
    """The test's label and whether its statistic is a p-value (drift when small)."""
    from plangate.assurance.stattests import TESTS

    known = TESTS.get(test)
    return (known.title, known.p_value) if known else (test, False)


def _strength(value: float, p_value: bool) -> float:
    """How far toward drift a statistic is: a distance as it is, a p-value as -log10 p (capped),
    so that on every row a bar reaching past its threshold's tick means drift."""
    if not p_value:
        return max(value, 0.0)
    return -math.log10(min(max(value, 1e-300), 1.0))


def drift_chart(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """One bar per feature on a scale of its own (up to 1.25x the larger of statistic and
    threshold), its threshold a black tick: a bar past the tick drifted.  p-values are drawn as
    -log10 p (`_strength`)."""
    height = TOP + ROW * len(rows) + 8
    out = [f'<svg role="img" aria-label="drift statistics" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, f) in enumerate(rows):
        y = TOP + i * ROW
        stat, threshold = f["statistic"], float(f["threshold"])
        _, p_value = _test_kind(f["test"])
        level = 0.0 if stat is None else _strength(stat, p_value)
        bound = _strength(threshold, p_value)
        top = max(level, bound, 1e-12) * 1.25
        width = BAR * min(level / top, 1.0)
        tick = LABEL + BAR * min(bound / top, 1.0)
        colour = RED if f["drifted"] else BLUE
        shown = "n/a" if stat is None else f"{stat:.4g}"
        out.append(f'<text x="{LABEL - 8}" y="{y + 15}" font-size="12" fill="{INK}" text-anchor="end">'
                   f"{escape(_clip(name, 30))}</text>"
                   f'<rect x="{LABEL}" y="{y + 4}" width="{BAR}" height="{ROW - 10}" fill="#eef1f4"/>'
                   f'<rect x="{LABEL}" y="{y + 4}" width="{width:.1f}" height="{ROW - 10}" fill="{colour}"/>'
                   f'<line x1="{tick:.1f}" y1="{y + 1}" x2="{tick:.1f}" y2="{y + ROW - 3}" stroke="{INK}" '
                   f'stroke-width="2"/>'
                   f'<text x="{LABEL + BAR + 8}" y="{y + 15}" font-size="12" fill="{GREY}">'
                   f"{escape(f['test'])} {shown} / {threshold:g}</text>")
    out.append(f'<text x="{LABEL}" y="{TOP - 10}" font-size="11" fill="{GREY}">0</text></svg>')
    return "".join(out)


def _drift_table(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    body = []
    for name, f in rows:
        label, p_value = _test_kind(f["test"])
        stat = "n/a" if f["statistic"] is None else f"{f['statistic']:.4g}"
        psi = "n/a" if f["psi"] is None else f"{f['psi']:.4g}"
        verdict = _verdict("DRIFT" if f["drifted"] else "ok", f["drifted"])
        body.append(f"<tr><td>{escape(name)}</td><td>{escape(f['type'])}</td><td>{escape(label)}</td>"
                    f"<td>{'p-value' if p_value else 'distance'}</td><td class=num>{stat}</td>"
                    f"<td class=num>{f['threshold']:g}</td><td>{verdict}</td>"
                    f"<td class=num>{psi}</td><td class=num>{f['reference_rows']}</td>"
                    f"<td class=num>{f['current_rows']}</td></tr>")
    return ("<h2>Per feature</h2><table><tr><th>feature</th><th>type</th><th>test</th><th>statistic is</th>"
            "<th>statistic</th><th>threshold</th><th>verdict</th><th>PSI</th><th>reference values</th>"
            "<th>current values</th></tr>" + "".join(body) + "</table>")


# -- fairness ----------------------------------------------------------------------------------

_RATES = (("selection_rate", "selection rate", BLUE), ("true_positive_rate", "true positive rate", GREEN),
          ("false_positive_rate", "false positive rate", ORANGE))
_METRIC_NAMES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
                 "equal_opportunity_difference", "disparate_impact")


def fairness_html(report: Mapping[str, Any]) -> str:
    """The fairness page of a `plangate fairness -f json` report."""
    rule = report["four_fifths_rule"]
    parts = [f"<p>four-fifths rule: {_verdict('passed' if rule['passed'] else 'FAILED', not rule['passed'])} "
             f"(disparate impact {_fmt(report['disparate_impact'])}, threshold {rule['threshold']:g})</p>",
             "<h2>Rates per group</h2>",
             '<p class="legend">' + "".join(f'<span><i class=sw style="background:{c}"></i>{t}</span>'
                                            for _, t, c in _RATES)
             + f'<span><i class=sw style="background:{RED}"></i>four-fifths of the highest selection rate</span>'
               "</p>",
             fairness_chart(report["groups"], rule["threshold"]),
             _groups_table(report), _metrics_table(report)]
    for column, rep in report.get("by_feature", {}).items():
        parts.append(f"<h3>{escape(column)} alone</h3>" + _metrics_table(rep, heading=False))
    if report["suppressed_groups"]:
        parts.append(f"<p class=muted>{report['suppressed_groups']} groups ({report['suppressed_rows']} rows) "
                     f"under {report['min_group_size']} rows left out and not named</p>")
    subtitle = (f"{report['data']}: {report['rows']} rows, label {report['y_true']}, decision {report['y_pred']}, "
                f"sensitive {', '.join(report['sensitive'])}")
    return page("Fairness report", parts, subtitle=subtitle)


def _group_label(group: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in group.items())


def fairness_chart(groups: Sequence[Mapping[str, Any]], four_fifths: float) -> str:
    """Three bars per group (selection, true and false positive rates, all on 0-1) and the red
    four-fifths line: a selection rate left of it fails the rule."""
    band = ROW * len(_RATES) + 10
    height = TOP + band * len(groups) + 8
    out = [f'<svg role="img" aria-label="rates per group" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
           f'<text x="{LABEL}" y="{TOP - 10}" font-size="11" fill="{GREY}">0</text>'
           f'<text x="{LABEL + BAR}" y="{TOP - 10}" font-size="11" fill="{GREY}" text-anchor="end">1</text>']
    for i, g in enumerate(groups):
        y = TOP + i * band
        out.append(f'<text x="{LABEL - 8}" y="{y + band / 2:.0f}" font-size="12" fill="{INK}" text-anchor="end">'
                   f"{escape(_clip(_group_label(g['group']), 30))}</text>")
        for j, (key, _, colour) in enumerate(_RATES):
            value = g[key]
            width = 0.0 if value is None else BAR * min(max(value, 0.0), 1.0)
            out.append(f'<rect x="{LABEL}" y="{y + j * ROW + 4}" width="{width:.1f}" height="{ROW - 8}" '
                       f'fill="{colour}"/><text x="{LABEL + BAR + 8}" y="{y + j * ROW + 17}" font-size="12" '
                       f'fill="{GREY}">{_fmt(value)}</text>')
    top = max((g["selection_rate"] for g in groups if g["selection_rate"] is not None), default=None)
    if top:
        x = LABEL + BAR * min(four_fifths * top, 1.0)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - 4}" stroke="{RED}" '
                   f'stroke-width="2" stroke-dasharray="5 3"/>')
    out.append("</svg>")
    return "".join(out)


def _groups_table(report: Mapping[str, Any]) -> str:
    body = []
    for g in report["groups"]:
        ci = g.get("ci", {}).get("selection_rate")
        interval = f"{_fmt(ci[0])} – {_fmt(ci[1])}" if ci else ""
        body.append(f"<tr><td>{escape(_group_label(g['group']))}</td><td class=num>{g['size']}</td>"
                    f"<td class=num>{_fmt(g['selection_rate'])}</td><td class=num>{interval}</td>"
                    f"<td class=num>{_fmt(g['true_positive_rate'])}</td>"
                    f"<td class=num>{_fmt(g['false_positive_rate'])}</td><td class=num>{_fmt(g['base_rate'])}</td>"
                    f"<td class=num>{_fmt(g['disparate_impact'])}</td></tr>")
    level = report.get("confidence_intervals", {}).get("level")
    ci_head = f"{level:.0%} interval" if level is not None else "interval"
    return (f"<table><tr><th>group</th><th>size</th><th>selection rate</th><th>{escape(ci_head)}</th>"
            "<th>true positive rate</th><th>false positive rate</th><th>base rate</th><th>disparate impact</th>"
            "</tr>" + "".join(body) + "</table>")


def _metrics_table(report: Mapping[str, Any], *, heading: bool = True) -> str:
    intervals = report.get("confidence_intervals", {})
    body = []
    for name in _METRIC_NAMES:
        ci = intervals.get(name)
        body.append(f"<tr><td>{name.replace('_', ' ')}</td><td class=num>{_fmt(report[name])}</td>"
                    f"<td class=num>{f'{_fmt(ci[0])} – {_fmt(ci[1])}' if ci else ''}</td></tr>")
    return (("<h2>Differences between groups</h2>" if heading else "")
            + "<table><tr><th>metric</th><th>value</th><th>interval</th></tr>" + "".join(body) + "</table>")


# -- shared ------------------------------------------------------------------------------------


def _verdict(text: str, bad: bool) -> str:
    return f"<span class={'bad' if bad else 'good'}>{escape(text)}</span>"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
