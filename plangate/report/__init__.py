"""Render a `ScanResult` as table, JSON, SARIF, JUnit XML, Markdown, GitHub workflow commands or
GitLab Code Quality.

Every format shares the helpers here: one finding order, one summary, one mapping from
enforcement to level.  Format modules are imported only when asked for, so `plangate
--version` never pays for rich (imported by `table` alone) or for xml.etree.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plangate.errors import ConfigError
from plangate.model import Enforcement, Finding, Outcome, Severity

if TYPE_CHECKING:  # engine imports policy and rules; a renderer only needs the type
    from plangate.engine import ScanResult
    from plangate.rules.base import Rule

FORMATS = ("table", "json", "sarif", "junit", "markdown", "github", "gitlab")

# "json" would shadow the standard library inside this package, hence jsonout.
_MODULES = {
    "table": "table",
    "json": "jsonout",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "github": "github",
    "gitlab": "gitlab",
}

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}  # critical first


def render(result: ScanResult, fmt: str, *, color: bool = False, width: int | None = None,
           docs_url: str | None = None) -> str:
    """``result`` as text in format ``fmt``; ``color`` and ``width`` matter to the table only,
    ``docs_url`` (the base of rules' help links) to SARIF only."""
    if fmt not in _MODULES:
        raise ConfigError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    module = importlib.import_module(f"plangate.report.{_MODULES[fmt]}")
    if fmt == "table":
        return module.render(result, color=color, width=width)
    if fmt == "sarif":
        return module.render(result, docs_url=docs_url)
    return module.render(result)


def fingerprinter(result: ScanResult) -> Callable[[Finding], str]:
    """A finding's stable identity: its rule, its address and the kind of input it came from,
    never its file or line, so a block that moves (or a plan finding mapped to its .tf line)
    stays the same finding across commits.  SARIF, JSON, GitHub, GitLab and ``--baseline``
    all use it."""
    kinds: dict[tuple[str, object], str] = {}
    for res in result.resources:  # a finding carries its resource's location: find its input kind
        kinds.setdefault((res.address, res.location), res.source_format)
        kinds.setdefault((res.address, None), res.source_format)

    def fingerprint(f: Finding) -> str:
        kind = kinds.get((f.address, f.location)) or kinds.get((f.address, None)) or "stack"
        return identity(f.rule_id, f.address, kind)

    return fingerprint


def identity(rule_id: str, address: str, kind: str) -> str:
    """The fingerprint of (rule, address, input kind): 32 hex digits of their SHA-256."""
    return hashlib.sha256("\0".join((rule_id, address, kind)).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprinted(result: ScanResult) -> list[tuple[Finding, str]]:
    """The findings in report order, each with the fingerprint every format shows: its
    `identity`, and for the second and later finding of one identity (a rule with several
    messages on one resource) ``:2``, ``:3``… after it, since GitLab and code scanning take
    equal fingerprints for one finding.  ``--baseline`` matches on the part before the colon."""
    fingerprint = fingerprinter(result)
    seen: Counter[str] = Counter()
    out = []
    for f in ordered(result.findings):
        base = fingerprint(f)
        seen[base] += 1
        out.append((f, base if seen[base] == 1 else f"{base}:{seen[base]}"))
    return out


def repo_path(file: str, root: str) -> str | None:
    """``file`` as a forward-slash path relative to ``root`` (a relative path is taken as one
    already), or None when it lies outside: what CI annotations and reports must name."""
    if os.path.isabs(file):
        try:
            file = os.path.relpath(file, root)
        except ValueError:  # another drive (Windows)
            return None
        if file.split(os.sep, 1)[0] == os.pardir:
            return None
    return file.replace(os.sep, "/").replace("\\", "/")


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings by severity (critical first), then address, then rule id; ties keep input order."""
    return sorted(findings, key=lambda f: (_SEVERITY_RANK[f.severity], f.address, f.rule_id))


@dataclass(frozen=True)
class Summary:
    resources: int
    rules: int
    outcomes: Mapping[Outcome, int]  # every outcome, zero included
    passed: bool
    exit_code: int

    @property
    def findings(self) -> int:
        return sum(self.outcomes.values())

    def sentence(self) -> str:
        """One line a human reads, e.g. for the table footer and the Markdown report."""
        counts = ", ".join(f"{self.outcomes[o]} {_plural(o, self.outcomes[o])}" for o in Outcome)
        gate = "gate passed" if self.passed else "gate failed"
        return (
            f"{self.resources} {'resource' if self.resources == 1 else 'resources'} scanned, "
            f"{self.rules} {'rule' if self.rules == 1 else 'rules'} enabled: {counts} ({gate})"
        )


def _plural(outcome: Outcome, count: int) -> str:
    # "unknown" and "waived" read as adjectives; only the nouns take an s.
    if outcome in (Outcome.VIOLATION, Outcome.WARNING) and count != 1:
        return outcome.value + "s"
    return outcome.value


def summarise(result: ScanResult) -> Summary:
    # A gated result (plangate.gate) counts the findings --quiet hides too.
    counts = Counter(f.outcome for f in getattr(result, "counted", None) or result.findings)
    return Summary(
        resources=len(result.resources),
        rules=len(result.rules),
        outcomes={o: counts.get(o, 0) for o in Outcome},
        passed=result.exit_code == 0,
        exit_code=result.exit_code,
    )


def enforcement(result: ScanResult, rule: Rule) -> Enforcement:
    """The rule's effective level under the scan's policy (its default when the policy lacks it)."""
    config = result.policy.rules.get(rule.id)
    return config.enforcement if config is not None else rule.enforcement
