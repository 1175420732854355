"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

What code scanning needs, and where it comes from:

- artifact URIs relative to the working directory (the checkout in CI), resolved through the
  run's ``originalUriBaseIds`` entry ``%SRCROOT%``; a file outside it keeps an absolute URI;
- a ``region`` on every result (line 1 when a loader knows no line; a finding without a file
  points at the first input), since code scanning drops results it cannot place;
- ``security-severity`` on every rule (GitHub's scale: critical 9.0+, high 7.0-8.9, medium
  4.0-6.9, low 0.1-3.9);
- a ``helpUri`` per rule that resolves: ``docs_url`` (``plangate scan --docs-url`` or
  ``$PLANGATE_DOCS_URL``) + the rule's anchor, or by default the rule's section of the
  docs/rules.md shipped inside the installed package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import plangate
from plangate.model import Enforcement, Finding, Location, Outcome, Severity
from plangate.report import enforcement, fingerprinted, repo_path

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.rules.base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/plangate/plangate"

_RULE_LEVEL = {Enforcement.MANDATORY: "error", Enforcement.ADVISORY: "warning"}
_OUTCOME_LEVEL = {Outcome.VIOLATION: "error", Outcome.WARNING: "warning", Outcome.UNKNOWN: "note"}
# Characters a URI reference may hold as they are (RFC 3986 unreserved, sub-delims, ":@/").
_URI_SAFE = "/:@!$&'()*+,;=-._~"
SRCROOT = "%SRCROOT%"
#: The partialFingerprints key: plangate's identity (rule, address, input kind), version 1.
PARTIAL_FINGERPRINT = "plangateFinding/v1"
#: GitHub code scanning's security-severity per plangate severity.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "2.0", Severity.INFO: "0.0"}
#: The catalogue shipped with the package (docs/rules.md in the repository links to it).
SHIPPED_DOCS = Path(plangate.__file__).resolve().parent / "docs" / "rules.md"


def _version() -> str:
    return getattr(plangate, "__version__", "0.1.0")


def _uri(path: str) -> str:
    """A file path as SARIF's artifact URI: forward slashes, only illegal characters escaped."""
    path = path.replace("\\", "/")
    try:
        # A name that was not UTF-8 on disk decodes to escaped surrogates: give back its bytes.
        return quote(path, safe=_URI_SAFE, errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe=_URI_SAFE, errors="surrogatepass")


def _file_uri(path: str) -> str:
    """An absolute path as a file URI (`Path.as_uri` refuses a name with a lone surrogate)."""
    try:
        return Path(path).as_uri()
    except UnicodeEncodeError:
        return "file://" + _uri(path)


def help_uri(r: Rule, docs_url: str | None = None) -> str:
    """Where the rule's documentation is: ``docs_url`` + its anchor, else the shipped docs."""
    anchor = r.url.rsplit("#", 1)[1]
    base = docs_url or os.environ.get("PLANGATE_DOCS_URL") or SHIPPED_DOCS.as_uri()
    return f"{base.split('#', 1)[0]}#{anchor}"


def _descriptor(result: ScanResult, r: Rule, docs_url: str | None) -> dict[str, Any]:
    frameworks = (r.frameworks.finops, r.frameworks.nist_ai_rmf, r.frameworks.eu_ai_act)
    return {
        "id": r.id,
        "name": r.slug,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.description or r.title},
        "help": {"text": r.remediation, "markdown": r.remediation},
        "helpUri": help_uri(r, docs_url),
        "defaultConfiguration": {"level": _RULE_LEVEL[enforcement(result, r)]},
        "properties": {
            "category": r.category,
            "security-severity": SECURITY_SEVERITY[r.severity],
            "tags": [r.category, *(name for name in frameworks if name)],
        },
    }


def _locations(f: Finding, fallback: Location | None, root: str) -> list[dict[str, Any]]:
    where: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": f.address, "kind": "resource"}]
    }
    location = f.location or fallback
    if location is not None:
        where["physicalLocation"] = _physical(location, root)
    return [where]


def _artifact(file: str, root: str) -> dict[str, Any]:
    """A relative path stays relative to %SRCROOT%; an absolute one below ``root`` becomes
    relative; anything else keeps an absolute file URI."""
    relative = repo_path(file, root)
    if relative is not None:
        return {"uri": _uri(relative), "uriBaseId": SRCROOT}
    return {"uri": _file_uri(file)}


def _physical(location: Location, root: str) -> dict[str, Any]:
    # SARIF lines start at 1; a loader that knows no line (0 or None) points at the file's top.
    line = location.line if location.line and location.line > 0 else 1
    return {"artifactLocation": _artifact(location.file, root), "region": {"startLine": line}}


def _result(f: Finding, index: dict[str, int], rule_levels: dict[str, str],
            fallback: Location | None, root: str, fingerprint: str) -> dict[str, Any]:
    if f.outcome is Outcome.WAIVED:
        # A waived finding keeps its rule's level; the suppression is what silences it.
        level = rule_levels.get(f.rule_id, "warning")
    else:
        level = _OUTCOME_LEVEL[f.outcome]
    out: dict[str, Any] = {"ruleId": f.rule_id, "level": level, "message": {"text": f.message}}
    if f.rule_id in index:
        out["ruleIndex"] = index[f.rule_id]
    out["locations"] = _locations(f, fallback, root)
    # Code scanning follows a result across commits by this, not by its line.
    out["partialFingerprints"] = {PARTIAL_FINGERPRINT: fingerprint}
    out["properties"] = {"outcome": f.outcome.value, "severity": f.severity.value}
    if f.outcome is Outcome.WAIVED:
        out["suppressions"] = [{"kind": "external", "justification": f.waiver}]
    return out


def document(result: ScanResult, docs_url: str | None = None, root: str | None = None) -> dict[str, Any]:
    """The SARIF log; ``root`` (default: the working directory) is what %SRCROOT% stands for."""
    root = os.path.abspath(root or os.getcwd())
    fallback = Location(result.inputs[0]) if result.inputs else None
    rules = [r for r in result.rules if enforcement(result, r) is not Enforcement.DISABLED]
    descriptors = [_descriptor(result, r, docs_url) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    levels = {d["id"]: d["defaultConfiguration"]["level"] for d in descriptors}
    driver = {
        "name": "plangate",
        "informationUri": INFORMATION_URI,
        "version": _version(),
        "rules": descriptors,
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(root).rstrip("/") + "/"}},
                "results": [_result(f, index, levels, fallback, root, fingerprint)
                            for f, fingerprint in fingerprinted(result)],
            }
        ],
    }


def render(result: ScanResult, docs_url: str | None = None) -> str:
    return json.dumps(document(result, docs_url), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
