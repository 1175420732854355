"""The report renderers, on hand-made scan results (this file writes its own fixtures).

Whole documents are compared where the format is ours (JSON, SARIF, JUnit records,
Markdown); the rich table is checked row by row, since its box drawing belongs to rich.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plangate import policy as policy_mod
from plangate.engine import ScanResult
from plangate.errors import ConfigError
from plangate.model import Enforcement, Finding, Location, Outcome, Resource, Severity
from plangate.report import FORMATS, identity, ordered, render, summarise
from plangate.rules.base import DOCS_URL, Frameworks, Rule, rule

SARIF_SCHEMA = DATA / "schemas" / "sarif-schema-2.1.0.json"

LAMBDA, BUCKET, ENDPOINT = "aws_lambda_function", "aws_s3_bucket", "aws_sagemaker_endpoint"


@rule(
    id="PG-TAG-001",
    slug="cost-allocation-tags",
    title="Billable resources carry the cost-allocation tags",
    severity=Severity.HIGH,
    category="finops",
    applies_to=[LAMBDA, BUCKET],
    remediation="Add the missing tags, or set them as provider default tags.",
    frameworks=Frameworks(finops="Allocation", eu_ai_act="Art. 11"),
)
def tags_rule(res: Resource, cfg: Any) -> list[str]:
    """Every billable resource names its team, cost centre and environment."""
    return []


@rule(
    id="PG-TEL-002",
    slug="log-retention",
    title="Functions keep logs long enough to audit",
    severity=Severity.MEDIUM,
    category="telemetry",
    applies_to=[LAMBDA],
    remediation="Set retention_in_days to 30 or more.",
    enforcement=Enforcement.ADVISORY,
)
def retention_rule(res: Resource, cfg: Any) -> list[str]:
    """Log groups keep 30 days or more."""
    return []


@rule(
    id="PG-RAI-003",
    slug="model-card",
    title="Inference endpoints link a model card",
    severity=Severity.CRITICAL,
    category="responsible-ai",
    applies_to=[ENDPOINT],
    remediation="Tag the endpoint with model-card = <url>.",
    frameworks=Frameworks(nist_ai_rmf="MAP 1.1"),
)
def model_card_rule(res: Resource, cfg: Any) -> list[str]:
    """An endpoint that serves a model says where its model card lives."""
    return []


@rule(
    id="PG-GOV-900",
    slug="waivers-current",
    title="Waivers have not expired",
    severity=Severity.LOW,
    category="governance",
    applies_to=[],
    remediation="Renew the waiver with a new date, or fix the resources.",
    stack=True,
)
def waiver_rule(resources: Any, cfg: Any) -> list[Any]:
    """A waiver past its date no longer covers anything."""
    return []


@rule(
    id="PG-SEC-005",
    slug="disabled-one",
    title="A rule the policy turns off",
    severity=Severity.HIGH,
    category="security",
    applies_to=[LAMBDA],
    remediation="n/a",
)
def disabled_rule(res: Resource, cfg: Any) -> list[str]:
    """Never reported."""
    return []


CATALOGUE = [tags_rule, retention_rule, model_card_rule, waiver_rule, disabled_rule]
TAGS, RETENTION, CARD, WAIVERS = CATALOGUE[:4]
WAIVER_REASON = "legacy bucket, replaced in Q1 (owner platform, until 2027-03-31)"


def _policy() -> policy_mod.Policy:
    return policy_mod.build(
        {"rules": {"disabled-one": {"enforcement": "disabled"}}}, CATALOGUE, "test"
    )


def _finding(
    r: Rule,
    outcome: Outcome,
    address: str,
    rtype: str,
    message: str,
    location: Location | None = None,
    waiver: str = "",
) -> Finding:
    return Finding(r.id, r.slug, r.severity, outcome, address, rtype, message, location, waiver)


def _result(findings: list[Finding] | None = None) -> ScanResult:
    resources = [
        Resource(
            LAMBDA,
            "aws_lambda_function.api",
            "tfplan",
            location=Location("infra/main.tf", 12),
            properties={"environment": {"variables": {"TOKEN": "s3cr3t-value"}}},
        ),
        Resource(BUCKET, "aws_s3_bucket.logs", "tfplan", location=Location("infra/main.tf")),
        Resource(ENDPOINT, "aws_sagemaker_endpoint.llm", "tfplan"),
    ]
    if findings is None:
        findings = [
            # input order deliberately differs from report order
            _finding(
                TAGS,
                Outcome.WAIVED,
                "aws_s3_bucket.logs",
                BUCKET,
                "missing tags: env",
                Location("infra/main.tf"),
                WAIVER_REASON,
            ),
            _finding(
                RETENTION,
                Outcome.WARNING,
                "aws_lambda_function.api",
                LAMBDA,
                "log retention is 7 days, below 30",
                Location("infra/main.tf", 12),
            ),
            _finding(
                TAGS,
                Outcome.VIOLATION,
                "aws_lambda_function.api",
                LAMBDA,
                "missing tags: cost-center, env",
                Location("infra/main.tf", 12),
            ),
            _finding(
                CARD,
                Outcome.UNKNOWN,
                "aws_sagemaker_endpoint.llm",
                ENDPOINT,
                "tags.model-card is only known after apply",
            ),
            _finding(
                WAIVERS,
                Outcome.VIOLATION,
                "waivers[0]",
                "plangate_waiver",
                "waiver for PG-TAG-001 on 'x' (owner ops) expired on 2024-01-01",
                Location("plangate.yaml"),
            ),
        ]
    policy = _policy()
    return ScanResult(resources, findings, policy.enabled(), ["infra/plan.json"], policy)


def _partial(rule_id: str, address: str, kind: str) -> dict[str, str]:
    return {"plangateFinding/v1": identity(rule_id, address, kind)}


def _url(r: Rule) -> str:
    return f"{DOCS_URL}#{r.id.lower()}-{r.slug}"


def _shipped_docs(r: Rule) -> str:
    """SARIF's default helpUri: the rule's section of the docs/rules.md inside the package."""
    from plangate.report.sarif import SHIPPED_DOCS

    return f"{SHIPPED_DOCS.as_uri()}#{r.id.lower()}-{r.slug}"


# --- shared semantics ---------------------------------------------------------------------


def test_order_is_severity_then_address_then_rule_and_stable() -> None:
    result = _result()
    assert [(f.severity.value, f.address, f.rule_id) for f in ordered(result.findings)] == [
        ("critical", "aws_sagemaker_endpoint.llm", "PG-RAI-003"),
        ("high", "aws_lambda_function.api", "PG-TAG-001"),
        ("high", "aws_s3_bucket.logs", "PG-TAG-001"),
        ("medium", "aws_lambda_function.api", "PG-TEL-002"),
        ("low", "waivers[0]", "PG-GOV-900"),
    ]
    twins = [_finding(TAGS, Outcome.VIOLATION, "a", LAMBDA, m) for m in ("second", "first")]
    assert [f.message for f in ordered(twins)] == ["second", "first"]


def test_summary_counts_every_outcome() -> None:
    summary = summarise(_result())
    assert (summary.resources, summary.rules, summary.findings) == (3, 4, 5)
    assert summary.outcomes == {
        Outcome.VIOLATION: 2,
        Outcome.WARNING: 1,
        Outcome.UNKNOWN: 1,
        Outcome.WAIVED: 1,
    }
    assert (summary.passed, summary.exit_code) == (False, 1)
    assert summary.sentence() == (
        "3 resources scanned, 4 rules enabled: 2 violations, 1 warning, 1 unknown, 1 waived "
        "(gate failed)"
    )


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="unknown report format 'html'.*table, json"):
        render(_result(), "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_leaks_resource_property_values(fmt: str) -> None:
    assert "s3cr3t" not in render(_result(), fmt)


def test_rich_and_xml_load_only_when_their_format_is_used() -> None:
    code = (
        "import sys, plangate.report as r\n"
        "assert 'rich' not in sys.modules and 'xml.etree.ElementTree' not in sys.modules\n"
        "from plangate.report import jsonout, sarif, markdown\n"
        "assert 'rich' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- json -----------------------------------------------------------------------------------


def test_json_document() -> None:
    text = render(_result(), "json")
    assert json.loads(text) == {
        "version": 1,
        "tool": "plangate",
        "inputs": ["infra/plan.json"],
        "summary": {
            "resources": 3,
            "rules": 4,
            "findings": 5,
            "outcomes": {"violation": 2, "warning": 1, "unknown": 1, "waived": 1},
            "passed": False,
            "exit_code": 1,
        },
        "findings": [
            {
                "fingerprint": identity("PG-RAI-003", "aws_sagemaker_endpoint.llm", "tfplan"),
                "rule_id": "PG-RAI-003",
                "slug": "model-card",
                "severity": "critical",
                "outcome": "unknown",
                "address": "aws_sagemaker_endpoint.llm",
                "resource_type": ENDPOINT,
                "message": "tags.model-card is only known after apply",
                "file": None,
                "line": None,
                "waiver": None,
            },
            {
                "fingerprint": identity("PG-TAG-001", "aws_lambda_function.api", "tfplan"),
                "rule_id": "PG-TAG-001",
                "slug": "cost-allocation-tags",
                "severity": "high",
                "outcome": "violation",
                "address": "aws_lambda_function.api",
                "resource_type": LAMBDA,
                "message": "missing tags: cost-center, env",
                "file": "infra/main.tf",
                "line": 12,
                "waiver": None,
            },
            {
                "fingerprint": identity("PG-TAG-001", "aws_s3_bucket.logs", "tfplan"),
                "rule_id": "PG-TAG-001",
                "slug": "cost-allocation-tags",
                "severity": "high",
                "outcome": "waived",
                "address": "aws_s3_bucket.logs",
                "resource_type": BUCKET,
                "message": "missing tags: env",
                "file": "infra/main.tf",
                "line": None,
                "waiver": WAIVER_REASON,
            },
            {
                "fingerprint": identity("PG-TEL-002", "aws_lambda_function.api", "tfplan"),
                "rule_id": "PG-TEL-002",
                "slug": "log-retention",
                "severity": "medium",
                "outcome": "warning",
                "address": "aws_lambda_function.api",
                "resource_type": LAMBDA,
                "message": "log retention is 7 days, below 30",
                "file": "infra/main.tf",
                "line": 12,
                "waiver": None,
            },
            {
                "fingerprint": identity("PG-GOV-900", "waivers[0]", "stack"),
                "rule_id": "PG-GOV-900",
                "slug": "waivers-current",
                "severity": "low",
                "outcome": "violation",
                "address": "waivers[0]",
                "resource_type": "plangate_waiver",
                "message": "waiver for PG-TAG-001 on 'x' (owner ops) expired on 2024-01-01",
                "file": "plangate.yaml",
                "line": None,
                "waiver": None,
            },
        ],
        "rules": [
            {
                "id": "PG-TAG-001",
                "slug": "cost-allocation-tags",
                "title": TAGS.title,
                "severity": "high",
                "category": "finops",
                "enforcement": "mandatory",
                "url": _url(TAGS),
            },
            {
                "id": "PG-TEL-002",
                "slug": "log-retention",
                "title": RETENTION.title,
                "severity": "medium",
                "category": "telemetry",
                "enforcement": "advisory",
                "url": _url(RETENTION),
            },
            {
                "id": "PG-RAI-003",
                "slug": "model-card",
                "title": CARD.title,
                "severity": "critical",
                "category": "responsible-ai",
                "enforcement": "mandatory",
                "url": _url(CARD),
            },
            {
                "id": "PG-GOV-900",
                "slug": "waivers-current",
                "title": WAIVERS.title,
                "severity": "low",
                "category": "governance",
                "enforcement": "mandatory",
                "url": _url(WAIVERS),
            },
        ],
    }


def test_json_is_deterministic_sorted_and_two_space_indented() -> None:
    text = render(_result(), "json")
    assert text == render(_result(), "json")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert text.startswith('{\n  "findings": [\n    {\n      "address": ')


def test_json_without_findings_passes() -> None:
    doc = json.loads(render(_result([]), "json"))
    assert doc["findings"] == []
    assert doc["summary"] == {
        "resources": 3,
        "rules": 4,
        "findings": 0,
        "passed": True,
        "exit_code": 0,
        "outcomes": {"violation": 0, "warning": 0, "unknown": 0, "waived": 0},
    }


# --- sarif ----------------------------------------------------------------------------------


@functools.cache
def _validator() -> Any:
    """The SARIF 2.1.0 schema's validator, or None when ../shared/data is absent."""
    if not DATA.is_dir():
        return None
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema declares draft-04
    cls.check_schema(schema)
    return cls(schema)


def _sarif_validator() -> Any:
    validator = _validator()
    if validator is None:
        pytest.skip(f"{DATA} is absent, so the SARIF 2.1.0 schema cannot be read")
    return validator


def _location(uri: str | None, line: int | None, address: str) -> dict[str, Any]:
    # Issue 12: every result has a region (line 1 when none is known; a finding without a
    # file points at the first input) and URIs are relative to %SRCROOT%.
    where: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": address, "kind": "resource"}]
    }
    where["physicalLocation"] = {"artifactLocation": {"uri": uri or "infra/plan.json", "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": line or 1}}
    return where


def test_sarif_document_validates_against_the_schema() -> None:
    validator = _sarif_validator()
    doc = json.loads(render(_result(), "sarif"))
    validator.validate(doc)
    import plangate

    assert doc == {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "plangate",
                        "informationUri": "https://github.com/plangate/plangate",
                        "version": getattr(plangate, "__version__", "0.1.0"),
                        "rules": [
                            {
                                "id": "PG-TAG-001",
                                "name": "cost-allocation-tags",
                                "shortDescription": {"text": TAGS.title},
                                "fullDescription": {
                                    "text": "Every billable resource names its team, cost centre and "
                                    "environment."
                                },
                                "help": {"text": TAGS.remediation, "markdown": TAGS.remediation},
                                "helpUri": _shipped_docs(TAGS),
                                "defaultConfiguration": {"level": "error"},
                                "properties": {
                                    "category": "finops",
                                    "security-severity": "8.0",
                                    "tags": ["finops", "Allocation", "Art. 11"],
                                },
                            },
                            {
                                "id": "PG-TEL-002",
                                "name": "log-retention",
                                "shortDescription": {"text": RETENTION.title},
                                "fullDescription": {"text": "Log groups keep 30 days or more."},
                                "help": {
                                    "text": RETENTION.remediation,
                                    "markdown": RETENTION.remediation,
                                },
                                "helpUri": _shipped_docs(RETENTION),
                                "defaultConfiguration": {"level": "warning"},
                                "properties": {"category": "telemetry", "security-severity": "5.5",
                                               "tags": ["telemetry"]},
                            },
                            {
                                "id": "PG-RAI-003",
                                "name": "model-card",
                                "shortDescription": {"text": CARD.title},
                                "fullDescription": {
                                    "text": "An endpoint that serves a model says where its model card "
                                    "lives."
                                },
                                "help": {"text": CARD.remediation, "markdown": CARD.remediation},
                                "helpUri": _shipped_docs(CARD),
                                "defaultConfiguration": {"level": "error"},
                                "properties": {
                                    "category": "responsible-ai",
                                    "security-severity": "9.5",
                                    "tags": ["responsible-ai", "MAP 1.1"],
                                },
                            },
                            {
                                "id": "PG-GOV-900",
                                "name": "waivers-current",
                                "shortDescription": {"text": WAIVERS.title},
                                "fullDescription": {
                                    "text": "A waiver past its date no longer covers anything."
                                },
                                "help": {
                                    "text": WAIVERS.remediation,
                                    "markdown": WAIVERS.remediation,
                                },
                                "helpUri": _shipped_docs(WAIVERS),
                                "defaultConfiguration": {"level": "error"},
                                "properties": {"category": "governance", "security-severity": "2.0",
                                               "tags": ["governance"]},
                            },
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "results": [
                    {
                        "ruleId": "PG-RAI-003",
                        "ruleIndex": 2,
                        "level": "note",
                        "message": {"text": "tags.model-card is only known after apply"},
                        "locations": [_location(None, None, "aws_sagemaker_endpoint.llm")],
                        "partialFingerprints": _partial("PG-RAI-003", "aws_sagemaker_endpoint.llm", "tfplan"),
                        "properties": {"outcome": "unknown", "severity": "critical"},
                    },
                    {
                        "ruleId": "PG-TAG-001",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": "missing tags: cost-center, env"},
                        "locations": [_location("infra/main.tf", 12, "aws_lambda_function.api")],
                        "partialFingerprints": _partial("PG-TAG-001", "aws_lambda_function.api", "tfplan"),
                        "properties": {"outcome": "violation", "severity": "high"},
                    },
                    {
                        "ruleId": "PG-TAG-001",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": "missing tags: env"},
                        "locations": [_location("infra/main.tf", None, "aws_s3_bucket.logs")],
                        "partialFingerprints": _partial("PG-TAG-001", "aws_s3_bucket.logs", "tfplan"),
                        "properties": {"outcome": "waived", "severity": "high"},
                        "suppressions": [{"kind": "external", "justification": WAIVER_REASON}],
                    },
                    {
                        "ruleId": "PG-TEL-002",
                        "ruleIndex": 1,
                        "level": "warning",
                        "message": {"text": "log retention is 7 days, below 30"},
                        "locations": [_location("infra/main.tf", 12, "aws_lambda_function.api")],
                        "partialFingerprints": _partial("PG-TEL-002", "aws_lambda_function.api", "tfplan"),
                        "properties": {"outcome": "warning", "severity": "medium"},
                    },
                    {
                        "ruleId": "PG-GOV-900",
                        "ruleIndex": 3,
                        "level": "error",
                        "message": {
                            "text": "waiver for PG-TAG-001 on 'x' (owner ops) expired on 2024-01-01"
                        },
                        "locations": [_location("plangate.yaml", None, "waivers[0]")],
                        "partialFingerprints": _partial("PG-GOV-900", "waivers[0]", "stack"),
                        "properties": {"outcome": "violation", "severity": "low"},
                    },
                ],
            }
        ],
    }


def test_sarif_uris_use_forward_slashes_and_escape_only_what_a_uri_cannot_hold() -> None:
    result = _result(
        [
            _finding(
                TAGS, Outcome.VIOLATION, "a", LAMBDA, "m", Location("infra\\prod\\main.tf", 3)
            ),
            _finding(TAGS, Outcome.VIOLATION, "b", LAMBDA, "m", Location("my dir/é#1.tf", 0)),
        ]
    )
    doc = json.loads(render(result, "sarif"))
    _sarif_validator().validate(doc)
    physical = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    assert physical == [
        {"artifactLocation": {"uri": "infra/prod/main.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 3}},
        {"artifactLocation": {"uri": "my%20dir/%C3%A9%231.tf", "uriBaseId": "%SRCROOT%"},
         "region": {"startLine": 1}},  # line 0 means not known: the file's top (issue 12)
    ]


# --- junit ----------------------------------------------------------------------------------


def _records(xml_text: str) -> list[tuple[str, dict[str, str], list[tuple[Any, ...]]]]:
    """Each suite as (name, counts, cases); each case as (classname, name, children)."""
    root = ET.fromstring(xml_text)
    suites = []
    for suite in root.findall("testsuite"):
        cases = []
        for case in suite.findall("testcase"):
            children = tuple(_child(c) for c in case)
            cases.append((case.get("classname"), case.get("name"), children))
        counts = {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
        suites.append((suite.get("name"), counts, cases))
    return suites


def _child(element: ET.Element) -> tuple[Any, ...]:
    if element.tag == "properties":
        return ("properties", tuple((p.get("name"), p.get("value")) for p in element))
    return (element.tag, dict(element.attrib), element.text)


def test_junit_suites_cases_and_counts() -> None:
    text = render(_result(), "junit")
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "2",
        "errors": "0",
        "skipped": "1",
    }

    def counts(tests: int, failures: int, skipped: int) -> dict[str, str]:
        return {
            "tests": str(tests),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
        }

    assert _records(text) == [
        (
            "PG-TAG-001 cost-allocation-tags",
            counts(2, 1, 1),
            [
                (
                    LAMBDA,
                    "aws_lambda_function.api",
                    (
                        (
                            "failure",
                            {"message": "missing tags: cost-center, env", "type": "PG-TAG-001"},
                            "infra/main.tf:12: missing tags: cost-center, env",
                        ),
                    ),
                ),
                (BUCKET, "aws_s3_bucket.logs", (("skipped", {"message": WAIVER_REASON}, None),)),
            ],
        ),
        (
            "PG-TEL-002 log-retention",
            counts(1, 0, 0),
            [
                (
                    LAMBDA,
                    "aws_lambda_function.api",
                    (
                        ("properties", (("warning", "log retention is 7 days, below 30"),)),
                        (
                            "system-out",
                            {},
                            "warning: infra/main.tf:12: log retention is 7 days, below 30",
                        ),
                    ),
                ),
            ],
        ),
        (
            "PG-RAI-003 model-card",
            counts(1, 0, 0),
            [
                (
                    ENDPOINT,
                    "aws_sagemaker_endpoint.llm",
                    (
                        ("properties", (("unknown", "tags.model-card is only known after apply"),)),
                        ("system-out", {}, "unknown: tags.model-card is only known after apply"),
                    ),
                ),
            ],
        ),
        (
            "PG-GOV-900 waivers-current",
            counts(1, 1, 0),
            [
                (
                    "plangate_waiver",
                    "waivers[0]",
                    (
                        (
                            "failure",
                            {
                                "message": "waiver for PG-TAG-001 on 'x' (owner ops) expired on "
                                "2024-01-01",
                                "type": "PG-GOV-900",
                            },
                            (
                                "plangate.yaml: waiver for PG-TAG-001 on 'x' (owner ops) expired on "
                                "2024-01-01"
                            ),
                        ),
                    ),
                ),
            ],
        ),
    ]


def test_junit_joins_every_violation_of_one_resource_and_rule() -> None:
    result = _result(
        [
            _finding(
                TAGS, Outcome.VIOLATION, "aws_lambda_function.api", LAMBDA, "missing tags: env"
            ),
            _finding(TAGS, Outcome.VIOLATION, "aws_lambda_function.api", LAMBDA, "bad tag: Team"),
            _finding(TAGS, Outcome.UNKNOWN, "aws_lambda_function.api", LAMBDA, "tags unknown"),
        ]
    )
    suite = _records(render(result, "junit"))[0]
    assert suite == (
        "PG-TAG-001 cost-allocation-tags",
        {"tests": "2", "failures": "1", "errors": "0", "skipped": "0"},
        [
            (
                LAMBDA,
                "aws_lambda_function.api",
                (
                    ("properties", (("unknown", "tags unknown"),)),
                    (
                        "failure",
                        {"message": "missing tags: env; bad tag: Team", "type": "PG-TAG-001"},
                        "missing tags: env\nbad tag: Team",
                    ),
                    ("system-out", {}, "unknown: tags unknown"),
                ),
            ),
            (BUCKET, "aws_s3_bucket.logs", ()),
        ],
    )


# --- markdown -------------------------------------------------------------------------------


def test_markdown_report() -> None:
    assert render(_result(), "markdown") == "\n".join(
        [
            "<!-- plangate -->",
            "## ❌ plangate: gate failed",
            "",
            (
                "3 resources scanned, 4 rules enabled: 2 violations, 1 warning, 1 unknown, 1 waived "
                "(gate failed)"
            ),
            "",
            "### Findings by rule",
            "",
            "| Rule | violation | warning | unknown | waived |",
            "| --- | --- | --- | --- | --- |",
            f"| [PG-GOV-900]({_url(WAIVERS)}) waivers-current | 1 | 0 | 0 | 0 |",
            f"| [PG-TAG-001]({_url(TAGS)}) cost-allocation-tags | 1 | 0 | 0 | 1 |",
            f"| [PG-RAI-003]({_url(CARD)}) model-card | 0 | 0 | 1 | 0 |",
            f"| [PG-TEL-002]({_url(RETENTION)}) log-retention | 0 | 1 | 0 | 0 |",
            "",
            "### Findings",
            "",
            "| Outcome | Severity | Rule | Resource | Message | Location |",
            "| --- | --- | --- | --- | --- | --- |",
            (
                f"| unknown | critical | [PG-RAI-003]({_url(CARD)}) model-card | "
                r"aws\_sagemaker\_endpoint.llm | tags.model-card is only known after apply |  |"
            ),
            (
                f"| **violation** | high | [PG-TAG-001]({_url(TAGS)}) cost-allocation-tags | "
                r"aws\_lambda\_function.api | missing tags: cost-center, env | infra/main.tf:12 |"
            ),
            (
                f"| waived | high | [PG-TAG-001]({_url(TAGS)}) cost-allocation-tags | "
                r"aws\_s3\_bucket.logs | missing tags: env<br>*waived:* legacy bucket, replaced in Q1 "
                "(owner platform, until 2027-03-31) | infra/main.tf |"
            ),
            (
                f"| warning | medium | [PG-TEL-002]({_url(RETENTION)}) log-retention | "
                r"aws\_lambda\_function.api | log retention is 7 days, below 30 | infra/main.tf:12 |"
            ),
            (
                f"| **violation** | low | [PG-GOV-900]({_url(WAIVERS)}) waivers-current | "
                r"waivers\[0\] | waiver for PG-TAG-001 on 'x' (owner ops) expired on 2024-01-01 | "
                "plangate.yaml |"
            ),
            "",
            "<details>",
            "<summary>Rules evaluated (4)</summary>",
            "",
            "| Rule | Title | Severity | Enforcement | Category |",
            "| --- | --- | --- | --- | --- |",
            (
                f"| [PG-TAG-001]({_url(TAGS)}) cost-allocation-tags | {TAGS.title} | high | mandatory "
                "| finops |"
            ),
            (
                f"| [PG-TEL-002]({_url(RETENTION)}) log-retention | {RETENTION.title} | medium | "
                "advisory | telemetry |"
            ),
            (
                f"| [PG-RAI-003]({_url(CARD)}) model-card | {CARD.title} | critical | mandatory | "
                "responsible-ai |"
            ),
            (
                f"| [PG-GOV-900]({_url(WAIVERS)}) waivers-current | {WAIVERS.title} | low | mandatory "
                "| governance |"
            ),
            "",
            "</details>",
            "",
        ]
    )


def test_markdown_passing_gate_and_hostile_cells() -> None:
    text = render(
        _result(
            [
                _finding(RETENTION, Outcome.WARNING, "a|b", LAMBDA, "x | y\n<script>*z*"),
            ]
        ),
        "markdown",
    )
    assert text.startswith("<!-- plangate -->\n## ✅ plangate: gate passed\n")
    row = next(line for line in text.splitlines() if line.startswith("| warning"))
    assert r"| a\|b | x \| y<br>\<script\>\*z\* |" in row
    assert render(_result([]), "markdown").split("\n")[5] == "No findings."


# --- table ----------------------------------------------------------------------------------


def _table_rows(text: str) -> list[list[str]]:
    """Header and rows as cells.  Header lines (┃) fold into one row; a body line (│) with an
    empty outcome cell continues the row above, joined by a newline."""
    header: list[str] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in re.split("[│┃]", line)[1:-1]]
        if line.startswith("┃"):
            header = [old + new for old, new in zip(header, cells)] if header else cells
        elif line.startswith("│") and rows and not cells[0]:
            rows[-1] = [f"{old}\n{new}" if new else old for old, new in zip(rows[-1], cells)]
        elif line.startswith("│"):
            rows.append(cells)
    return [header, *rows]


def test_table_rows_and_summary_without_color() -> None:
    text = render(_result(), "table", width=300)  # wide: only explicit newlines break cells
    assert "\x1b" not in text
    assert _table_rows(text) == [
        ["outcome", "severity", "rule", "resource", "message", "location"],
        ["unknown", "critical", "PG-RAI-003\nmodel-card", "aws_sagemaker_endpoint.llm",
         "tags.model-card is only known after apply", ""],
        ["violation", "high", "PG-TAG-001\ncost-allocation-tags", "aws_lambda_function.api",
         "missing tags: cost-center, env", "infra/main.tf:12"],
        ["waived", "high", "PG-TAG-001\ncost-allocation-tags", "aws_s3_bucket.logs",
         f"missing tags: env\nwaived: {WAIVER_REASON}", "infra/main.tf"],
        ["warning", "medium", "PG-TEL-002\nlog-retention", "aws_lambda_function.api",
         "log retention is 7 days, below 30", "infra/main.tf:12"],
        ["violation", "low", "PG-GOV-900\nwaivers-current", "waivers[0]",
         "waiver for PG-TAG-001 on 'x' (owner ops) expired on 2024-01-01", "plangate.yaml"],
    ]  # fmt: skip
    assert text.splitlines()[-1] == summarise(_result()).sentence()


def test_table_keeps_every_field_on_a_narrow_terminal() -> None:
    # Issue 12: at 80 columns six columns cannot hold whole addresses and paths, and folding
    # them mid-token is what the issue reports; the list layout keeps every field instead.
    text = render(_result(), "table", width=80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines[:-1])  # the summary stays one line
    assert lines[-1] == summarise(_result()).sentence()
    assert [line.split()[0] for line in lines if not line.startswith(" ")][:-1] == [
        "unknown", "violation", "waived", "warning", "violation"]  # fmt: skip
    for f in _result().findings:  # every address and location whole, on a line of its own
        assert f"  {f.address}" in lines
        if f.location:
            assert f"  at {f.location}" in lines


def test_table_empty_color_and_hostile_text() -> None:
    assert render(_result([]), "table").splitlines() == [
        "No findings.",
        (
            "3 resources scanned, 4 rules enabled: 0 violations, 0 warnings, 0 unknown, 0 waived "
            "(gate passed)"
        ),
    ]
    assert "\x1b[" in render(_result(), "table", color=True)
    hostile = _finding(TAGS, Outcome.VIOLATION, "a", LAMBDA, "[bold]x[/] \x1b[2J :smile:")
    text = render(_result([hostile]), "table", width=200)
    assert "\x1b" not in text
    assert r"[bold]x[/] \x1b[2J :smile:" in text


# --- arbitrary text -------------------------------------------------------------------------

HOSTILE = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["<", "&", "]]>", "\x00", "\x1b", "\r", '"', "\ud800", "\\", "|"]),
    ),
    max_size=20,
).map("".join)
XML_LEGAL = st.text(
    st.characters(
        exclude_categories=("Cs",),
        exclude_characters="\x00\x01\x02\x03\x04"
        "\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
        "\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
    ),
    max_size=30,
)
OUTCOMES = st.sampled_from(list(Outcome))


def _one(message: str, address: str, waiver: str, path: str, outcome: Outcome) -> ScanResult:
    finding = _finding(
        TAGS,
        outcome,
        address,
        LAMBDA,
        message,
        Location(path or "f", 1),
        waiver if outcome is Outcome.WAIVED else "",
    )
    return _result([finding])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=HOSTILE, address=HOSTILE, waiver=HOSTILE, path=HOSTILE, outcome=OUTCOMES)
@example(message="", address="", waiver="", path="/\ud800", outcome=Outcome.VIOLATION)  # found once: as_uri raised
def test_any_text_gives_well_formed_xml_and_valid_json(
    message: str, address: str, waiver: str, path: str, outcome: Outcome
) -> None:
    result = _one(message, address, waiver, path, outcome)
    root = ET.fromstring(render(result, "junit"))
    assert sum(int(s.get("tests")) for s in root) == int(root.get("tests"))
    doc = json.loads(render(result, "json"))
    assert doc["findings"][0]["message"] == message
    assert doc["findings"][0]["address"] == address
    sarif = json.loads(render(result, "sarif"))
    assert sarif["runs"][0]["results"][0]["message"]["text"] == message
    if _validator() is not None:
        _validator().validate(sarif)
    markdown = render(result, "markdown").split("\n")  # CommonMark's line ends, not splitlines
    assert len(markdown) == len(render(_one("m", "a", "w", "f", outcome), "markdown").split("\n"))
    assert _unescaped_pipes(markdown[9]) == 6  # the by-rule row keeps exactly five cells
    assert _unescaped_pipes(markdown[15]) == 7  # the finding row keeps exactly six cells
    annotations = render(result, "github")
    if outcome is not Outcome.WAIVED:  # one workflow command, whatever the text holds
        assert annotations.count("\n") == 1 and annotations.startswith("::") and "\r" not in annotations
    gitlab = json.loads(render(result, "gitlab"))
    assert [i["check_name"] for i in gitlab] == ([] if outcome is Outcome.WAIVED else [TAGS.id])
    assert "\x1b" not in render(result, "table")


def _unescaped_pipes(line: str) -> int:
    count, escaped = 0, False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            count += 1
    return count


@settings(max_examples=100, deadline=None)
@given(message=XML_LEGAL, address=XML_LEGAL, waiver=XML_LEGAL)
def test_xml_legal_text_round_trips_through_junit(message: str, address: str, waiver: str) -> None:
    violated = _one(message, address, "", "f", Outcome.VIOLATION)
    cases = [
        c
        for c in ET.fromstring(render(violated, "junit")).iter("testcase")
        if c.find("failure") is not None
    ]
    assert [(c.get("name"), c.find("failure").get("message")) for c in cases] == [
        (address, message)
    ]
    skipped = _one(message, address, waiver, "f", Outcome.WAIVED)
    reasons = [s.get("message") for s in ET.fromstring(render(skipped, "junit")).iter("skipped")]
    assert reasons == [waiver]
