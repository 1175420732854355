"""The terminal report: a rich table of findings (or, when that cannot fit, a list) and a summary.

An address or a path is never broken: the table gives the resource, rule and location columns
the width of their longest value.  The widest layout that fits the width (``$COLUMNS`` or the
terminal's, chosen by the CLI) is used: six columns; six with rule slugs wrapped at their
hyphens; four (severity under the outcome, location under the address); else each finding as
a short block, whose address line may run past the edge but stays one token to copy.  One
rule's messages about one resource share one row, a line each.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from io import StringIO
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from plangate.model import Location, Outcome, Severity
from plangate.report import ordered, summarise

if TYPE_CHECKING:
    from plangate.engine import ScanResult

DEFAULT_WIDTH = 120
_MESSAGE_MIN = 24  # narrower than this, a message column reads worse than the list layout
_WORD_MAX = 48  # a message word up to this long (a tag key, an ARN) gets a column it fits in
_FRAME = 19  # six columns: two spaces of padding each, seven borders
_COMPACT_FRAME = 13  # four columns

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


@dataclass(frozen=True)
class Row:
    """One rule's findings about one resource with the same outcome: one row, a line each."""

    outcome: Outcome
    severity: Severity
    rule_id: str
    slug: str
    address: str
    location: Location | None
    messages: tuple[str, ...]
    waiver: str

    @property
    def where(self) -> str:
        return str(self.location) if self.location else ""

    def slug_lines(self, wrap: bool) -> list[str]:
        """The slug, or when space is short wrapped at its hyphens to the id's width (a slug is a
        name, not a path)."""
        if not wrap:
            return [self.slug]
        pieces = re.findall(r"[^-]+-?", self.slug) or [""]
        width = max(len(self.rule_id), *map(len, pieces))
        return textwrap.wrap(self.slug, width, break_on_hyphens=True, break_long_words=False) or [""]


def rows(result: ScanResult) -> list[Row]:
    """The findings in report order, grouped by (rule, resource, outcome, location, waiver)."""
    groups: dict[tuple, list] = {}
    for f in ordered(result.findings):
        key = (f.outcome, f.severity, f.rule_id, f.slug, f.address, f.location, f.waiver)
        groups.setdefault(key, []).append(f.message)
    return [Row(o, s, r, slug, a, loc, tuple(msgs), w) for (o, s, r, slug, a, loc, w), msgs in groups.items()]


def _message(row: Row) -> Text:
    text = _cell("\n".join(row.messages))
    if row.waiver:
        text.append(_safe(f"\nwaived: {row.waiver}"), style="dim italic")
    return text


def _widths(found: Sequence[Row], wrap: bool) -> dict[str, int]:
    """The width each unbreakable column needs: its header or its longest value."""
    return {
        "outcome": max(len("outcome"), *(len(r.outcome.value) for r in found)),
        "severity": max(len("severity"), *(len(r.severity.value) for r in found)),
        "rule": max(len("rule"), *(max(len(r.rule_id), *map(len, r.slug_lines(wrap))) for r in found)),
        "resource": max(len("resource"), *(len(_safe(r.address)) for r in found)),
        "location": max(len("location"), *(len(_safe(r.where)) for r in found)),
        "message": max([_MESSAGE_MIN, *(min(len(word), _WORD_MAX) for r in found for m in r.messages
                                        for word in _safe(m).split())]),
    }


def _layout(found: Sequence[Row], width: int) -> str:
    """``wide`` (whole slugs), ``wrapped`` (slugs wrapped at hyphens), ``compact`` or ``list``."""
    for name, wrap in (("wide", False), ("wrapped", True)):
        if sum(_widths(found, wrap).values()) + _FRAME <= width:
            return name
    w = _widths(found, True)
    compact = (max(w["outcome"], w["severity"]) + w["rule"] + max(w["resource"], w["location"]) + w["message"]
               + _COMPACT_FRAME)
    return "compact" if compact <= width else "list"


def _compact_table(found: Sequence[Row]) -> Table:
    widths = _widths(found, True)
    table = Table(header_style="bold")
    table.add_column("outcome", no_wrap=True, min_width=max(widths["outcome"], widths["severity"]))
    table.add_column("rule", no_wrap=True, min_width=widths["rule"])
    table.add_column("resource", no_wrap=True, min_width=max(widths["resource"], widths["location"]))
    table.add_column("message", overflow="fold", min_width=widths["message"])
    for r in found:
        outcome = Text()
        outcome.append(r.outcome.value, style=_OUTCOME_STYLE[r.outcome])
        outcome.append("\n" + r.severity.value)
        resource = _cell(r.address)
        if r.where:
            resource.append("\n" + _safe(r.where), style="dim")
        table.add_row(outcome, _cell("\n".join([r.rule_id, *r.slug_lines(True)])), resource, _message(r))
    return table


def _table(found: Sequence[Row], wrap: bool) -> Table:
    widths = _widths(found, wrap)
    table = Table(header_style="bold")
    for name in ("outcome", "severity", "rule", "resource"):
        table.add_column(name, no_wrap=True, min_width=widths[name])
    table.add_column("message", overflow="fold", min_width=widths["message"])
    table.add_column("location", no_wrap=True, min_width=widths["location"])
    for r in found:
        table.add_row(
            _cell(r.outcome.value, _OUTCOME_STYLE[r.outcome]),
            _cell(r.severity.value),
            _cell("\n".join([r.rule_id, *r.slug_lines(wrap)])),
            _cell(r.address),
            _message(r),
            _cell(r.where),
        )
    return table


def _wrapped(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    """Words wrapped at ``width``; a word longer than a line (an ARN, a path) is kept whole."""
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=first if rest is None else rest,
                         break_long_words=False, break_on_hyphens=False) or [first]


def _print_list(console: Console, found: Sequence[Row], width: int) -> None:
    for r in found:
        head = Text()
        head.append(_safe(r.outcome.value), style=_OUTCOME_STYLE[r.outcome])
        head.append(f" {r.severity.value} {_safe(r.rule_id)} {_safe(r.slug)}")
        console.print(head)  # wraps between its words on a very narrow terminal
        console.print(Text("  " + _safe(r.address), style="bold"), soft_wrap=True)
        if r.where:
            console.print(Text("  at " + _safe(r.where)), soft_wrap=True)
        for message in r.messages:
            for line in _wrapped(_safe(message), width, "  - ", "    "):
                console.print(Text(line), soft_wrap=True)
        if r.waiver:
            for line in _wrapped(_safe(f"waived: {r.waiver}"), width, "    "):
                console.print(Text(line, style="dim italic"), soft_wrap=True)


def render(result: ScanResult, *, color: bool = False, width: int | None = None) -> str:
    width = width or DEFAULT_WIDTH
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    found = rows(result)
    layout = _layout(found, width) if found else ""
    if not found:
        console.print("No findings.")
    elif layout in ("wide", "wrapped"):
        console.print(_table(found, layout == "wrapped"))
    elif layout == "compact":
        console.print(_compact_table(found))
    else:
        _print_list(console, found, width)
    summary = summarise(result)
    console.print(Text(summary.sentence(), style="bold green" if summary.passed else "bold red"),
                  soft_wrap=True)  # one line, whatever the width: CI logs grep it
    return buffer.getvalue()
