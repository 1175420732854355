"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import plangate
from plangate.model import Enforcement, Finding, Location, Outcome
from plangate.report import enforcement, ordered

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.rules.base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/plangate/plangate"

_RULE_LEVEL = {Enforcement.MANDATORY: "error", Enforcement.ADVISORY: "warning"}
_OUTCOME_LEVEL = {Outcome.VIOLATION: "error", Outcome.WARNING: "warning", Outcome.UNKNOWN: "note"}
# Characters a URI reference may hold as they are (RFC 3986 unreserved, sub-delims, ":@/").
_URI_SAFE = "/:@!$&'()*+,;=-._~"


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


def _descriptor(result: ScanResult, r: Rule) -> dict[str, Any]:
    frameworks = (r.frameworks.finops, r.frameworks.nist_ai_rmf, r.frameworks.eu_ai_act)
    return {
        "id": r.id,
        "name": r.slug,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.description or r.title},
        "help": {"text": r.remediation, "markdown": r.remediation},
        "helpUri": r.url,
        "defaultConfiguration": {"level": _RULE_LEVEL[enforcement(result, r)]},
        "properties": {
            "category": r.category,
            "tags": [r.category, *(name for name in frameworks if name)],
        },
    }


def _locations(f: Finding) -> list[dict[str, Any]]:
    where: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": f.address, "kind": "resource"}]
    }
    if f.location is not None:
        where["physicalLocation"] = _physical(f.location)
    return [where]


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location.file)}}
    if location.line and location.line > 0:  # SARIF lines start at 1; 0 means "not known"
        physical["region"] = {"startLine": location.line}
    return physical


def _result(f: Finding, index: dict[str, int], rule_levels: dict[str, str]) -> dict[str, Any]:
    if f.outcome is Outcome.WAIVED:
        # A waived finding keeps its rule's level; the suppression is what silences it.
        level = rule_levels.get(f.rule_id, "warning")
    else:
        level = _OUTCOME_LEVEL[f.outcome]
    out: dict[str, Any] = {"ruleId": f.rule_id, "level": level, "message": {"text": f.message}}
    if f.rule_id in index:
        out["ruleIndex"] = index[f.rule_id]
    out["locations"] = _locations(f)
    out["properties"] = {"outcome": f.outcome.value, "severity": f.severity.value}
    if f.outcome is Outcome.WAIVED:
        out["suppressions"] = [{"kind": "external", "justification": f.waiver}]
    return out


def document(result: ScanResult) -> dict[str, Any]:
    rules = [r for r in result.rules if enforcement(result, r) is not Enforcement.DISABLED]
    descriptors = [_descriptor(result, r) for r in rules]
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
                "results": [_result(f, index, levels) for f in ordered(result.findings)],
            }
        ],
    }


def render(result: ScanResult) -> str:
    return json.dumps(document(result), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
