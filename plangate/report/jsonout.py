"""The JSON report: one stable document (sorted keys, 2-space indent) for tools and snapshots."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from plangate.model import Finding, Outcome
from plangate.report import enforcement, fingerprinted, summarise

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.rules.base import Rule

VERSION = 1  # bump when a key changes meaning or disappears


def _finding(f: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "rule_id": f.rule_id,
        "slug": f.slug,
        "severity": f.severity.value,
        "outcome": f.outcome.value,
        "address": f.address,
        "resource_type": f.resource_type,
        "message": f.message,
        "file": f.location.file if f.location else None,
        "line": f.location.line if f.location else None,
        "waiver": f.waiver or None,
    }


def _rule(result: ScanResult, r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "slug": r.slug,
        "title": r.title,
        "severity": r.severity.value,
        "category": r.category,
        "enforcement": enforcement(result, r).value,
        "url": r.url,
    }


def document(result: ScanResult) -> dict[str, Any]:
    """The report as plain data; `render` only serialises it."""
    summary = summarise(result)
    engines = result.load.engines("hcl")
    engine = {"hcl_engine": "; ".join(engines)} if engines else {}
    return {
        "version": VERSION,
        "tool": "plangate",
        "inputs": list(result.inputs),
        **engine,  # which engine read the HCL inputs: tfparse's evaluator or plangate's reader
        "summary": {
            "resources": summary.resources,
            "rules": summary.rules,
            "findings": summary.findings,
            "outcomes": {o.value: summary.outcomes[o] for o in Outcome},
            "passed": summary.passed,
            "exit_code": summary.exit_code,
        },
        "findings": [_finding(f, fingerprint) for f, fingerprint in fingerprinted(result)],
        "rules": [_rule(result, r) for r in result.rules],
    }


def render(result: ScanResult) -> str:
    # ASCII only: the text survives any stdout encoding and any lone surrogate a plan carried.
    doc = document(result)
    try:  # orjson writes the same text several times faster; only pure-ASCII output is taken
        import orjson

        fast = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        if fast.isascii():
            return fast.decode("ascii") + "\n"
    except (ImportError, TypeError):
        pass
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
