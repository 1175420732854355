"""GitHub Actions workflow commands: one annotation per finding, on the file and line of the
change (``::error`` for a violation, ``::warning`` for an advisory or undecided one), so a
reviewer sees them in the pull request's diff without code scanning.

The job summary (``$GITHUB_STEP_SUMMARY``) is the Markdown report (`plangate.report.markdown`);
the CLI appends it, since writing a file is I/O and this module only renders.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from plangate.model import Finding, Outcome
from plangate.report import fingerprinted, repo_path

if TYPE_CHECKING:
    from plangate.engine import ScanResult

_COMMAND = {Outcome.VIOLATION: "error", Outcome.WARNING: "warning", Outcome.UNKNOWN: "warning"}


def escape_data(text: str) -> str:
    """A command's message, as the Actions runner reads it back (% first, then line breaks)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: also ``:`` and ``,``, which end a value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, fingerprint: str, root: str) -> str | None:
    """The workflow command for ``f``; None for a waived finding (accepted, nothing to review)."""
    command = _COMMAND.get(f.outcome)
    if command is None:
        return None
    properties = []
    where = repo_path(f.location.file, root) if f.location else None
    if where is not None:
        properties.append(f"file={escape_property(where)}")
        if f.location and f.location.line and f.location.line > 0:
            properties.append(f"line={f.location.line}")
    properties.append(f"title={escape_property(f'{f.rule_id} {f.slug} ({f.severity.value})')}")
    outcome = "" if f.outcome is Outcome.VIOLATION else f"{f.outcome.value}: "
    message = f"{outcome}{f.address}: {f.message}\n\nplangate fingerprint {fingerprint}"
    return f"::{command} {','.join(properties)}::{escape_data(message)}"


def render(result: ScanResult, root: str | None = None) -> str:
    """Every annotation, most severe first; ``root`` (default: the working directory, the
    checkout in CI) is what file paths are relative to."""
    root = os.path.abspath(root or os.getcwd())
    lines = [annotation(f, fingerprint, root) for f, fingerprint in fingerprinted(result)]
    return "".join(line + "\n" for line in lines if line is not None)
