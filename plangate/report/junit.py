"""The JUnit XML report: a suite per rule, a test case per (applicable resource, rule).

Only violations fail a test case, because only they fail the gate.  Warnings and unknowns
are reported in ``<system-out>`` and as properties; waived findings skip the test case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plangate.model import Finding, Outcome
from plangate.report import ordered

if TYPE_CHECKING:
    from plangate.engine import ScanResult

# XML 1.0 cannot carry these even as character references, so they are shown escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class _Case:
    classname: str
    name: str
    findings: list[Finding] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[Finding]:
        return [f for f in self.findings if f.outcome is outcome]


def _cases(result: ScanResult, applies_to: Iterable[str], findings: list[Finding]) -> list[_Case]:
    """Applicable resources in input order, then addresses only findings name (stack rules,
    waivers), in finding order."""
    types = frozenset(applies_to)
    cases = {r.address: _Case(r.type, r.address) for r in result.resources if r.type in types}
    for f in findings:
        case = cases.setdefault(f.address, _Case(f.resource_type, f.address))
        case.findings.append(f)
    return list(cases.values())


def _testcase(case: _Case, rule_id: str) -> ET.Element:
    element = ET.Element("testcase", classname=_xml(case.classname), name=_xml(case.name))
    advisory = case.of(Outcome.WARNING) + case.of(Outcome.UNKNOWN)
    if advisory:
        properties = ET.SubElement(element, "properties")
        for f in advisory:
            ET.SubElement(properties, "property", name=f.outcome.value, value=_xml(f.message))
    violations, waived = case.of(Outcome.VIOLATION), case.of(Outcome.WAIVED)
    if violations:
        messages = [f.message for f in violations]
        failure = ET.SubElement(
            element, "failure", message=_xml("; ".join(messages)), type=_xml(rule_id)
        )
        failure.text = _xml("\n".join(_line(f) for f in violations))
    elif waived:
        # One reason per waiver; findings under the same waiver repeat it, so keep it once.
        reasons = dict.fromkeys(f.waiver for f in waived)
        ET.SubElement(element, "skipped", message=_xml("; ".join(reasons)))
    out = advisory + (waived if violations else [])  # waived beside a failure still gets told
    if out:
        system_out = ET.SubElement(element, "system-out")
        system_out.text = _xml("\n".join(f"{f.outcome.value}: {_line(f)}" for f in out))
    return element


def _line(f: Finding) -> str:
    return f"{f.location}: {f.message}" if f.location else f.message


def _suite(name: str, cases: list[_Case], rule_id: str) -> ET.Element:
    elements = [_testcase(c, rule_id) for c in cases]
    failures = sum(1 for e in elements if e.find("failure") is not None)
    skipped = sum(1 for e in elements if e.find("skipped") is not None)
    suite = ET.Element(
        "testsuite",
        name=_xml(name),
        tests=str(len(elements)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    suite.extend(elements)
    return suite


def _suites(result: ScanResult) -> list[ET.Element]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in ordered(result.findings):
        by_rule[f.rule_id].append(f)
    suites = []
    known: set[str] = set()
    for r in result.rules:
        known.add(r.id)
        cases = _cases(result, r.applies_to, by_rule.get(r.id, []))
        suites.append(_suite(f"{r.id} {r.slug}", cases, r.id))
    # A finding whose rule is not in the list still has to show, or the gate lies.
    for rule_id, findings in by_rule.items():
        if rule_id not in known:
            cases = _cases(result, (), findings)
            suites.append(_suite(f"{rule_id} {findings[0].slug}", cases, rule_id))
    return suites


def document(result: ScanResult) -> ET.Element:
    suites = _suites(result)
    root = ET.Element("testsuites", name="plangate")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.extend(suites)
    return root


def render(result: ScanResult) -> str:
    root = document(result)
    ET.indent(root)
    # us-ascii: anything else becomes a character reference, so no output encoding can break it.
    return ET.tostring(root, encoding="us-ascii", xml_declaration=True).decode("ascii") + "\n"
