"""Text and JSON renderers for the FinOps analytics records (anomalies, forecasts, waste).

The HTML page is `plangate.report.finops_html`; these are the plain forms a terminal, a CI log or
a script reads.  JSON keeps the contract scripts rely on: ``{"anomalies": [{"start", "end",
"score", …}]}``, ``{"forecasts": […]}``, ``{"waste": […]}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from plangate.analytics.anomalies import Anomaly
from plangate.analytics.records import Forecast, WasteItem


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset()) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                  strict=True)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]).rstrip() + "\n"


def _money(value: float | Decimal, unit: str = "USD") -> str:
    if unit == "USD":
        return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"
    return f"{float(value):,.4g}"


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


#: The columns of an anomaly table (text and HTML), and which of them are numbers (right-aligned).
ANOMALY_COLUMNS = ("series", "start", "end", "score", "expected", "actual", "impact", "impact %", "owner", "alert",
                   "top contributors")
ANOMALY_NUMBERS = frozenset({3, 4, 5, 6, 7})
TOP_CONTRIBUTORS = 2  # named in a row; the JSON has them all


def anomaly_row(a: Anomaly) -> list[str]:
    """One anomaly as the cells of `ANOMALY_COLUMNS`: the one place a row is spelled."""
    pct = a.impact_pct
    top = ", ".join(f"{_clip(c.name)} {_money(c.impact)}" for c in a.contributors[:TOP_CONTRIBUTORS])
    return [a.series, f"{a.start:%Y-%m-%d %H:%M}", f"{a.end:%Y-%m-%d %H:%M}", f"{a.score:.1f}",
            _money(a.expected, a.unit), _money(a.actual, a.unit), _money(a.impact, a.unit),
            "from 0" if pct is None else f"{pct:+.0f}%", a.owner or "-", "yes" if a.alert else "no", top or "-"]


def anomalies_table(anomalies: Sequence[Anomaly]) -> str:
    if not anomalies:
        return "No anomaly found.\n"
    alerting = sum(a.alert for a in anomalies)
    return (_grid(ANOMALY_COLUMNS, [anomaly_row(a) for a in anomalies], ANOMALY_NUMBERS)
            + f"\n{len(anomalies)} anomalies, {alerting} alerting\n")


def anomalies_json(anomalies: Sequence[Anomaly], **extra: object) -> str:
    return json.dumps({"anomalies": [a.as_dict() for a in anomalies], **extra}, indent=2) + "\n"


def forecasts_table(forecasts: Sequence[Forecast]) -> str:
    if not forecasts:
        return "No spend to forecast.\n"
    rows = [[f.scope, f"{f.month:%Y-%m}", _money(f.spent), _money(f.expected),
             f"{_money(f.low)} – {_money(f.high) if f.bounded else 'none'}",
             "-" if f.budget is None else _money(f.budget), f.breach_date.isoformat() if f.breach_date else "-",
             "-" if f.breach_probability is None else f"{100 * f.breach_probability:.0f}%"] for f in forecasts]
    head = ["scope", "month", "month to date", "month end", "80% interval", "budget", "expected breach",
            "P(over)"]
    notes = "".join(f"{f.scope}: {f.unbounded_reason}\n" for f in forecasts if not f.bounded)
    return _grid(head, rows, {2, 3, 5, 7}) + (f"\n{notes}" if notes else "")


def forecasts_json(forecasts: Sequence[Forecast]) -> str:
    return json.dumps({"forecasts": [f.as_dict() for f in forecasts]}, indent=2) + "\n"


def waste_table(waste: Sequence[WasteItem]) -> str:
    if not waste:
        return "No waste found.\n"
    ranked = sorted(waste, key=lambda w: (-w.monthly_savings, w.resource))
    rows = [[w.kind, w.resource, _money(w.monthly_savings), w.message] for w in ranked]
    total = sum((w.monthly_savings for w in waste), Decimal(0))
    return _grid(["kind", "resource", "savings/month", "finding"], rows, {2}) + f"\ntotal {_money(total)}/month\n"


def waste_json(waste: Sequence[WasteItem]) -> str:
    ranked = sorted(waste, key=lambda w: (-w.monthly_savings, w.resource))
    total = sum((w.monthly_savings for w in waste), Decimal(0))
    return json.dumps({"waste": [w.as_dict() for w in ranked],
                       "monthly_savings": str(total.quantize(Decimal("0.01")))}, indent=2) + "\n"
