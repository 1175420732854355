"""Every rule's examples are its tests; the registry's invariants hold."""

from __future__ import annotations

import re

import pytest

from plangate import settings
from plangate.model import Enforcement, Severity
from plangate.rules import BY_ID, RULES


def _cases():
    for r in RULES:
        for i, ex in enumerate(r.examples):
            yield pytest.param(r, ex, id=f"{r.id}-{i}-{ex.name or ('pass' if ex.passes else 'fail')}")


@pytest.mark.parametrize("rule,example", list(_cases()))
def test_example(rule, example):
    says, undecided = rule.run_example(example)
    assert (says, undecided) == (list(example.says), list(example.undecided))


def test_ids_and_slugs_unique_and_well_formed():
    ids = [r.id for r in RULES]
    slugs = [r.slug for r in RULES]
    assert len(set(ids)) == len(ids) and len(set(slugs)) == len(slugs)
    for r in RULES:
        assert re.fullmatch(r"PG-[A-Z]{3}-\d{3}", r.id), r.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.slug), r.slug


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_metadata_complete(rule):
    assert rule.title and rule.description and rule.remediation
    assert rule.category in {"finops", "responsible-ai", "telemetry", "security", "governance"}
    assert isinstance(rule.severity, Severity)
    assert (rule.check is None) != (rule.check_stack is None)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_passing_and_failing_examples(rule):
    assert any(ex.passes for ex in rule.examples), "no passing example"
    assert any(ex.says or ex.undecided for ex in rule.examples), "no failing or undecided example"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_settings_schema_derives_from_declaration(rule):
    schema = settings.schema(rule.settings_type)
    defaults = settings.as_dict(rule.settings_type())
    assert {k: v["default"] for k, v in schema.items()} == defaults
    # a schema's defaults parse back to the same settings
    assert settings.parse(rule.settings_type, defaults, "t") == rule.settings_type()


def test_locked_rule_is_mandatory():
    assert BY_ID["PG-RAI-002"].locked and BY_ID["PG-RAI-002"].enforcement is Enforcement.MANDATORY
