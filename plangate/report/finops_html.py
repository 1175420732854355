"""The FinOps HTML report: spend with its expected band and marked anomalies, forecast fans, top waste.

One self-contained page (the shell is `plangate.report.html_page`): the charts are inline SVG drawn
here, the style is inline, and there is no script, font or image to fetch, so it opens offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from plangate.analytics.anomalies import Anomaly, SeriesScores
from plangate.analytics.records import Forecast, WasteItem
from plangate.lake.coverage import Coverage
from plangate.report.allocation import share_text
from plangate.report.finops import ANOMALY_COLUMNS, ANOMALY_NUMBERS, anomaly_row
from plangate.report.html_page import escape as _e
from plangate.report.html_page import number as _num
from plangate.report.html_page import page

WIDTH, HEIGHT, PAD = 920, 240, 48
MAX_POINTS = 1500  # a chart draws at most this many points per line (markers keep full resolution)


def render_html(title: str, *, series: Sequence[SeriesScores] = (), anomalies: Sequence[Anomaly] = (),
                forecasts: Sequence[Forecast] = (), waste: Sequence[WasteItem] = (), subtitle: str = "") -> str:
    """The whole page as text."""
    parts: list[str] = []
    if series:
        parts.append("<h2>Spend and expected band</h2>")
        parts.append('<p class="legend"><span><i class=sw style="background:#0969da"></i>actual</span>'
                     '<span><i class=sw style="background:#8c959f"></i>expected</span>'
                     '<span><i class=sw style="background:#d8e6f5"></i>normal band</span>'
                     '<span><i class=sw style="background:#cf222e"></i>anomaly</span></p>')
        for s in series:
            parts.append(f"<h3>{_e(s.name)}</h3>{series_chart(s)}")
    if series or anomalies:
        parts.append(_anomaly_table(anomalies))
    if forecasts:
        parts.append("<h2>Month-end forecast</h2>")
        for f in forecasts:
            parts.append(f"<h3>{_e(f.scope)}</h3>{forecast_chart(f)}")
        parts.append(_forecast_table(forecasts))
    if waste:
        parts.append(_waste_table(waste))
    return page(title, parts, subtitle=subtitle)


# -- charts ------------------------------------------------------------------------------------


class _Frame:
    """Maps data to the drawing area of one chart."""

    def __init__(self, x0: float, x1: float, y0: float, y1: float):
        if y1 <= y0:
            y0, y1 = y0 - 1.0, y1 + 1.0
        pad = 0.05 * (y1 - y0)
        self.x0, self.x1, self.y0, self.y1 = x0, max(x1, x0 + 1e-9), y0 - pad, y1 + pad

    def x(self, v: np.ndarray | float) -> np.ndarray:
        return PAD + (np.asarray(v, float) - self.x0) / (self.x1 - self.x0) * (WIDTH - 2 * PAD)

    def y(self, v: np.ndarray | float) -> np.ndarray:
        return HEIGHT - PAD + (np.asarray(v, float) - self.y0) / (self.y1 - self.y0) * (2 * PAD - HEIGHT)


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def _points(values: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Indexes to draw: all of them, or each bucket's lowest and highest point and every flagged one,
    so a long series keeps its spikes."""
    n = len(values)
    if n <= MAX_POINTS:
        return np.arange(n)
    edges = np.linspace(0, n, MAX_POINTS // 2 + 1).astype(int)
    keep = [np.flatnonzero(flags), [0, n - 1]]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b > a:
            keep.append([a + int(np.argmin(values[a:b])), a + int(np.argmax(values[a:b]))])
    return np.unique(np.concatenate([np.asarray(k, int) for k in keep]))


def _axes(frame: _Frame, left: str, right: str) -> str:
    y_top, y_bottom = HEIGHT - PAD - (HEIGHT - 2 * PAD), HEIGHT - PAD
    lo, hi = frame.y0, frame.y1
    return (f'<line x1="{PAD}" y1="{y_bottom}" x2="{WIDTH - PAD}" y2="{y_bottom}" stroke="#8c959f"/>'
            f'<line x1="{PAD}" y1="{y_top}" x2="{PAD}" y2="{y_bottom}" stroke="#8c959f"/>'
            f'<text x="{PAD}" y="{HEIGHT - PAD / 2}" font-size="11" fill="#656d76">{_e(left)}</text>'
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD / 2}" font-size="11" fill="#656d76" '
            f'text-anchor="end">{_e(right)}</text>'
            f'<text x="{PAD - 4}" y="{y_top + 4}" font-size="11" fill="#656d76" text-anchor="end">{_num(hi)}</text>'
            f'<text x="{PAD - 4}" y="{y_bottom}" font-size="11" fill="#656d76" text-anchor="end">{_num(lo)}</text>')


def series_chart(s: SeriesScores) -> str:
    """Actual (blue), expected (grey), the normal band around it, and anomalous steps (red)."""
    n = len(s.actual)
    if n == 0:
        return "<p class=muted>(no data)</p>"
    idx = _points(s.actual, s.flags)
    band = s.band if len(s.band) == n else np.zeros(n)
    upper, lower = s.expected + band, s.expected - band
    lo = float(min(np.min(s.actual), np.min(lower)))
    hi = float(max(np.max(s.actual), np.max(upper)))
    frame = _Frame(0, n - 1, lo, hi)
    xs = frame.x(idx)
    band_path = _path(np.r_[xs, xs[::-1]], np.r_[frame.y(upper[idx]), frame.y(lower[idx])[::-1]]) + " Z"
    marks = "".join(f'<circle cx="{frame.x(i):.1f}" cy="{frame.y(s.actual[i]):.1f}" r="3.5" fill="#cf222e"/>'
                    for i in np.flatnonzero(s.flags)[:2000])
    return (f'<svg role="img" aria-label="{_e(s.name)}" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
            f'{_axes(frame, _date(s.times[0]), _date(s.times[-1]))}'
            f'<path d="{band_path}" fill="#d8e6f5" stroke="none"/>'
            f'<path d="{_path(xs, frame.y(s.expected[idx]))}" fill="none" stroke="#8c959f" stroke-width="1.5" '
            f'stroke-dasharray="4 3"/>'
            f'<path d="{_path(xs, frame.y(s.actual[idx]))}" fill="none" stroke="#0969da" stroke-width="2"/>'
            f"{marks}</svg>")


def forecast_chart(f: Forecast) -> str:
    """Cumulative spend so far (blue), the projected fan (80 % interval), the budget (red line)."""
    days = [d for d, _ in f.history] + [p[0] for p in f.path]
    if not days:
        return "<p class=muted>(no data)</p>"
    first = f.month
    to_x = np.array([(d - first).days for d in days], float)
    spent = np.array([v for _, v in f.history], float)
    low = np.array([p[1] for p in f.path], float)
    mid = np.array([p[2] for p in f.path], float)
    high = np.array([p[3] for p in f.path], float)
    values = [*spent, *low, *mid, *high[np.isfinite(high)]] + ([f.budget] if f.budget is not None else [])
    frame = _Frame(0, max(to_x.max(), 1), min(0.0, min(values)), max(values))
    # no upper bound: the fan runs off the top of the chart (the caption says why)
    high = np.minimum(high, frame.y1)
    hx, px = frame.x(to_x[: len(spent)]), frame.x(to_x[len(spent):])
    out = [f'<svg role="img" aria-label="forecast {_e(f.scope)}" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
           _axes(frame, _date(days[0]), _date(days[-1]))]
    if len(px):
        # the fan starts from the last observed point so it joins the history line
        fx = np.r_[hx[-1:], px] if len(hx) else px
        flo = np.r_[spent[-1:], low] if len(spent) else low
        fhi = np.r_[spent[-1:], high] if len(spent) else high
        fmid = np.r_[spent[-1:], mid] if len(spent) else mid
        fan = _path(np.r_[fx, fx[::-1]], np.r_[frame.y(fhi), frame.y(flo)[::-1]]) + " Z"
        out.append(f'<path d="{fan}" fill="#fbe3c8" stroke="none"/>')
        out.append(f'<path d="{_path(fx, frame.y(fmid))}" fill="none" stroke="#bc4c00" stroke-width="2" '
                   f'stroke-dasharray="5 3"/>')
    if len(hx):
        out.append(f'<path d="{_path(hx, frame.y(spent))}" fill="none" stroke="#0969da" stroke-width="2.5"/>')
    if f.budget is not None:
        y = float(frame.y(f.budget))
        out.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" stroke="#cf222e" '
                   f'stroke-width="1.5"/><text x="{WIDTH - PAD}" y="{y - 4:.1f}" font-size="11" fill="#cf222e" '
                   f'text-anchor="end">budget {_num(f.budget)}</text>')
    if f.breach_date is not None:
        x = float(frame.x((f.breach_date - first).days))
        out.append(f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{HEIGHT - PAD}" stroke="#cf222e" '
                   f'stroke-dasharray="2 2"/>')
    out.append("</svg>")
    return "".join(out)


# -- tables ------------------------------------------------------------------------------------


def _anomaly_table(anomalies: Sequence[Anomaly]) -> str:
    if not anomalies:
        return "<h2>Anomalies</h2><p>No anomaly found.</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in ANOMALY_COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td class=num>{_e(c)}</td>" if i in ANOMALY_NUMBERS else f"<td>{_e(c)}</td>"
                                    for i, c in enumerate(anomaly_row(a))) + "</tr>" for a in anomalies)
    return f"<h2>Anomalies</h2><table><tr>{head}</tr>{rows}</table>"


def _forecast_table(forecasts: Sequence[Forecast]) -> str:
    rows = "".join(
        f"<tr><td>{_e(f.scope)}</td><td class=num>{_num(f.spent)}</td><td class=num>{_num(f.expected)}</td>"
        f"<td class=num>{_num(f.low)} – {_num(f.high) if f.bounded else 'none'}</td>"
        f"<td class=num>{'' if f.budget is None else _num(f.budget)}</td>"
        f"<td>{f.breach_date.isoformat() if f.breach_date else ''}</td></tr>" for f in forecasts)
    notes = "".join(f"<p class=muted>{_e(f.scope)}: {_e(f.unbounded_reason or '')}</p>"
                    for f in forecasts if not f.bounded)
    return ("<table><tr><th>scope</th><th>month to date</th><th>month end</th><th>80 % interval</th>"
            "<th>budget</th><th>expected breach</th></tr>" + rows + "</table>" + notes)


def _waste_table(waste: Sequence[WasteItem]) -> str:
    ranked = sorted(waste, key=lambda w: (-w.monthly_savings, w.resource))
    rows = "".join(f"<tr><td>{_e(w.kind)}</td><td>{_e(w.resource)}</td><td>{_e(w.message)}</td>"
                   f"<td class=num>${w.monthly_savings:,.2f}</td></tr>" for w in ranked)
    return ("<h2>Top waste</h2><table><tr><th>kind</th><th>resource</th><th>finding</th>"
            "<th>monthly savings</th></tr>" + rows + "</table>")


def _date(value: np.datetime64 | dt.date) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(np.datetime64(value, "m")).replace("T", " ")


# -- allocation coverage -----------------------------------------------------------------------


def coverage_section(cov: Coverage, findings: Sequence[str] = ()) -> str:
    """Allocation coverage per billing period, provider, service and account, and the largest
    untagged spend: the FinOps report's section for `plangate coverage`."""
    from plangate.lake.coverage import DIMENSIONS

    def rows(items, first) -> str:
        return "".join(f"<tr>{''.join(f'<td>{_e(c)}</td>' for c in first(r))}<td>{_e(r.period)}</td>"
                       f"<td class=num>{_num(r.usage_cost)} {_e(r.currency)}</td>"
                       f"<td class=num>{_num(r.tagged_cost)} {_e(r.currency)}</td>"
                       f"<td class=num>{_e(share_text(r.share))}</td></tr>" for r in items)

    head = "<th>period</th><th>usage spend</th><th>tagged</th><th>coverage</th>"
    parts = [f"<h2>Allocation coverage</h2><p>Share of usage spend (EffectiveCost) whose resources carry every "
             f"one of: {_e(', '.join(cov.required))}.</p>",
             f"<table><tr>{head}</tr>{rows(cov.periods, lambda r: [])}</table>"]
    for name in DIMENSIONS:
        parts.append(f"<h3>By {_e(name)}</h3><table><tr><th>{_e(name)}</th>{head}</tr>"
                     f"{rows(cov.by.get(name, ()), lambda r: [r.value or ''])}</table>")
    untagged = "".join(f"<tr><td>{_e(u.period)}</td><td>{_e(u.resource)}</td><td>{_e(u.service)}</td>"
                       f"<td>{_e(u.account)}</td><td class=num>{_num(u.cost)} {_e(u.currency)}</td>"
                       f"<td>{_e(', '.join(u.missing))}</td></tr>" for u in cov.untagged)
    parts.append("<h3>Largest untagged usage spend</h3><table><tr><th>period</th><th>resource</th><th>service</th>"
                 f"<th>account</th><th>cost</th><th>lacks</th></tr>{untagged}</table>")
    parts.append("".join(f"<p class=finding>{_e(f)}</p>" for f in findings)
                 or "<p>PG-COV-001: every billing period meets its threshold.</p>")
    return "".join(parts)


def coverage_page(cov: Coverage, findings: Sequence[str] = ()) -> str:
    periods = ", ".join(f"{r.period} {share_text(r.share)}" for r in cov.periods)
    return page("Allocation coverage", [coverage_section(cov, findings)], subtitle=periods)
