"""GitLab Code Quality (a Code Climate subset): what a merge request shows in its diff and
its Code Quality widget.  A JSON array of issues with description, check_name, fingerprint,
severity and location (path relative to the project, lines.begin); waived findings are left
out, since they were accepted."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from plangate.model import Finding, Location, Outcome, Severity
from plangate.report import fingerprinted, repo_path

if TYPE_CHECKING:
    from plangate.engine import ScanResult

#: plangate's five severities onto GitLab's five, in order.
SEVERITY = {Severity.CRITICAL: "blocker", Severity.HIGH: "critical", Severity.MEDIUM: "major",
            Severity.LOW: "minor", Severity.INFO: "info"}


def _issue(f: Finding, fingerprint: str, fallback: Location | None, root: str) -> dict[str, Any]:
    location = f.location or fallback
    path = (repo_path(location.file, root) or location.file) if location else ""
    line = location.line if location and location.line and location.line > 0 else 1
    outcome = "" if f.outcome is Outcome.VIOLATION else f" ({f.outcome.value})"
    return {
        "type": "issue",
        "description": f"{f.rule_id} {f.slug}{outcome}: {f.address}: {f.message}",
        "check_name": f.rule_id,
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": path, "lines": {"begin": line}},
    }


def document(result: ScanResult, root: str | None = None) -> list[dict[str, Any]]:
    root = os.path.abspath(root or os.getcwd())
    fallback = Location(result.inputs[0]) if result.inputs else None
    return [_issue(f, fingerprint, fallback, root)
            for f, fingerprint in fingerprinted(result) if f.outcome is not Outcome.WAIVED]


def render(result: ScanResult) -> str:
    return json.dumps(document(result), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
