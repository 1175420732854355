"""The Markdown report, shaped for a pull-request comment (GitHub-flavoured Markdown).

One renderer for every place a reviewer reads a summary: ``-f markdown``, the GitHub job
summary (``-f github`` with ``$GITHUB_STEP_SUMMARY``), the pull-request comment and the GitLab
merge-request note.  The first line is a hidden `MARKER` by which the CI step finds its own
comment again and edits it instead of adding one per push.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from plangate.model import Finding, Outcome
from plangate.report import enforcement, ordered, summarise

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.rules.base import Rule

# Punctuation that could start emphasis, code, links, HTML, math, strike-through or end a
# table cell; CommonMark lets any ASCII punctuation be backslash-escaped, so this is safe.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
#: The hidden first line that marks plangate's comment on a pull or merge request.
MARKER = "<!-- plangate -->"
#: Findings listed in full; a comment has a size limit (GitHub: 65536 characters).
TOP = 50
_BUDGET = "PG-BUD-"


def escape(text: str) -> str:
    """Text as one table cell that renders literally: no markup, no cell break."""
    text = _CONTROL.sub("", text)
    text = _SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub("<br>", text)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule_cell(rule_id: str, slug: str, urls: dict[str, str]) -> str:
    label = escape(rule_id)
    if rule_id in urls:
        label = f"[{label}]({urls[rule_id]})"
    return f"{label} {escape(slug)}"


def _outcome_cell(outcome: Outcome) -> str:
    # Bold only what fails the gate, so a reviewer's eye lands there first.
    return f"**{outcome.value}**" if outcome is Outcome.VIOLATION else outcome.value


def _message_cell(f: Finding) -> str:
    message = escape(f.message)
    if f.waiver:
        message += f"<br>*waived:* {escape(f.waiver)}"
    return message


def _findings_table(result: ScanResult, findings: list[Finding]) -> list[str]:
    urls = {r.id: r.url for r in result.rules}
    lines = [
        _row(["Outcome", "Severity", "Rule", "Resource", "Message", "Location"]),
        _row(["---"] * 6),
    ]
    for f in findings:
        lines.append(
            _row(
                [
                    _outcome_cell(f.outcome),
                    f.severity.value,
                    _rule_cell(f.rule_id, f.slug, urls),
                    escape(f.address),
                    _message_cell(f),
                    escape(str(f.location)) if f.location else "",
                ]
            )
        )
    return lines


def _by_rule(result: ScanResult) -> list[str]:
    """Counts per rule and outcome, the rules with most violations first."""
    counts = Counter((f.rule_id, f.slug, f.outcome) for f in result.findings)
    rules = sorted({(rule_id, slug) for rule_id, slug, _ in counts},
                   key=lambda r: (-counts[(*r, Outcome.VIOLATION)], r[0]))
    urls = {r.id: r.url for r in result.rules}
    lines = [_row(["Rule", *(o.value for o in Outcome)]), _row(["---"] * (1 + len(Outcome)))]
    lines += [_row([_rule_cell(rule_id, slug, urls), *(str(counts[(rule_id, slug, o)]) for o in Outcome)])
              for rule_id, slug in rules]
    return lines


def _findings(result: ScanResult) -> list[str]:
    findings = ordered(result.findings)
    if not findings:
        return ["No findings."]
    top = findings[:TOP]
    title = "### Findings" if len(top) == len(findings) else f"### Top {len(top)} of {len(findings)} findings"
    lines = ["### Findings by rule", "", *_by_rule(result), "", title, "", *_findings_table(result, top)]
    budget = [f for f in findings if f.rule_id.startswith(_BUDGET)]
    if budget:  # what the change costs against its budget, even when it is not in the top
        lines += ["", "### Budget", "", *_findings_table(result, budget)]
    return lines


def _rules_details(result: ScanResult) -> list[str]:
    lines = [
        "<details>",
        f"<summary>Rules evaluated ({len(result.rules)})</summary>",
        "",  # GitHub renders Markdown inside <details> only after a blank line
        _row(["Rule", "Title", "Severity", "Enforcement", "Category"]),
        _row(["---"] * 5),
    ]
    lines += [_rule_row(result, r) for r in result.rules]
    lines += ["", "</details>"]
    return lines


def _rule_row(result: ScanResult, r: Rule) -> str:
    return _row(
        [
            f"[{escape(r.id)}]({r.url}) {escape(r.slug)}",
            escape(r.title),
            r.severity.value,
            enforcement(result, r).value,
            escape(r.category),
        ]
    )


def render(result: ScanResult) -> str:
    summary = summarise(result)
    heading = "## ✅ plangate: gate passed" if summary.passed else "## ❌ plangate: gate failed"
    lines = [MARKER, heading, "", escape(summary.sentence()), ""]
    lines += _findings(result)
    lines += [""] + _rules_details(result)
    return "\n".join(lines) + "\n"
