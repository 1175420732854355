"""The terminal report: a rich table of findings and a one-line summary."""

from __future__ import annotations

import re
from io import StringIO
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from plangate.model import Finding, Outcome
from plangate.report import ordered, summarise

if TYPE_CHECKING:
    from plangate.engine import ScanResult

DEFAULT_WIDTH = 120

_OUTCOME_STYLE = {
    Outcome.VIOLATION: "bold red",
    Outcome.WARNING: "yellow",
    Outcome.UNKNOWN: "cyan",
    Outcome.WAIVED: "dim",
}

# rich passes ESC and most other control characters straight through; a message or address
# that carries them could rewrite the user's terminal, so they are shown escaped instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _cell(text: str, style: str = "") -> Text:
    # Text, never a markup string: "[bold]" or ":smile:" in a message stays literal.
    return Text(_safe(text), style=style)


def _message(finding: Finding) -> Text:
    text = _cell(finding.message)
    if finding.waiver:
        text.append(_safe(f"\nwaived: {finding.waiver}"), style="dim italic")
    return text


def _table(result: ScanResult) -> Table:
    # Ratios share the width by how much each column usually says, so no column vanishes on
    # a narrow terminal; only the two short enum columns never wrap.
    table = Table(header_style="bold", expand=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule", overflow="fold", ratio=2, min_width=10)
    table.add_column("resource", overflow="fold", ratio=3, min_width=10)
    table.add_column("message", overflow="fold", ratio=5, min_width=16)
    table.add_column("location", overflow="fold", ratio=2, min_width=8)
    for f in ordered(result.findings):
        table.add_row(
            _cell(f.outcome.value, _OUTCOME_STYLE[f.outcome]),
            _cell(f.severity.value),
            _cell(f"{f.rule_id}\n{f.slug}"),  # the id on a line of its own never folds
            _cell(f.address),
            _message(f),
            _cell(str(f.location) if f.location else ""),
        )
    return table


def render(result: ScanResult, *, color: bool = False, width: int | None = None) -> str:
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        width=width or DEFAULT_WIDTH,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    if result.findings:
        console.print(_table(result))
    else:
        console.print("No findings.")
    summary = summarise(result)
    console.print(Text(summary.sentence(), style="bold green" if summary.passed else "bold red"))
    return buffer.getvalue()
