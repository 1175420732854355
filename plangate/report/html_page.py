"""The shell every HTML report shares: one self-contained page with its style inline.

No script, font, image or stylesheet is fetched: the pages open offline (and in a sandboxed mail
or CI viewer).  The FinOps page (`plangate.report.finops_html`) and the assurance pages
(`plangate.report.assurance_html`) fill the body; escaping and number formatting live here too so
every page shows a value the same way.

>>> page("a <b>", ["<p>x</p>"], subtitle="s").startswith("<!doctype html>")
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted{color:#656d76}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block;margin:6px 0 2px;background:#fbfcfd;border:1px solid #d0d7de}
.legend span{margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
.bad{color:#cf222e;font-weight:600}.good{color:#1a7f37;font-weight:600}
"""


def page(title: str, body: Iterable[str], *, subtitle: str = "") -> str:
    """The whole page: ``title`` as its heading, ``subtitle`` under it, then the ``body`` parts
    (already HTML) in order."""
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"]
    if subtitle:
        parts.append(f"<p class=muted>{escape(subtitle)}</p>")
    parts.extend(body)
    parts.append("</body></html>\n")
    return "".join(parts)


def escape(text: object) -> str:
    """``text`` safe inside an element or a quoted attribute."""
    return html.escape(str(text), quote=True)


def number(value: float) -> str:
    """A money or count-like value for a chart label or table cell: grouped, with few decimals."""
    value = float(value)
    if abs(value) >= 1e6:
        return f"{value:,.3g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"
