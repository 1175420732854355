"""plangate.yaml: settings, enforcement, waivers, and the errors a user sees."""

from __future__ import annotations

import datetime as dt

import pytest

from plangate import policy
from plangate.engine import evaluate
from plangate.errors import ConfigError
from plangate.model import Enforcement, Outcome, Resource
from plangate.rules import BY_ID, RULES

TODAY = dt.date(2026, 11, 28)
GOOD = {"CostCenter": "cc-1", "Owner": "o", "Environment": "prod", "Project": "p"}


def _bucket(address="aws_s3_bucket.logs", **tags):
    return Resource("aws_s3_bucket", address, "test", tags=tags)


def _write(tmp_path, text):
    path = tmp_path / "plangate.yaml"
    path.write_text(text)
    return path


def test_defaults_when_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pol = policy.load(None, RULES)
    assert pol.source == "(defaults)"
    assert pol.config(BY_ID["PG-TAG-001"]).settings.required == ("CostCenter", "Owner", "Environment", "Project")


def test_settings_and_enforcement_by_slug_or_id(tmp_path):
    pol = policy.load(_write(tmp_path, """
rules:
  cost-allocation-tags: {required: [team], enforcement: advisory}
  PG-EXP-001: {enforcement: disabled}
"""), RULES)
    assert pol.config(BY_ID["PG-TAG-001"]).settings.required == ("team",)
    assert pol.config(BY_ID["PG-TAG-001"]).enforcement is Enforcement.ADVISORY
    assert BY_ID["PG-EXP-001"] not in pol.enabled()
    [f] = evaluate([_bucket()], pol, TODAY)
    assert (f.outcome, f.message) == (Outcome.WARNING, "missing tags: team")


@pytest.mark.parametrize("text,error", [
    ("rules: {nope: {}}", "rules: no rule 'nope' (see `plangate rules`)"),
    ("rules: {cost-allocation-tags: {required: team}}",
     "rules.cost-allocation-tags.required: expected a list, got 'team'"),
    ("rules: {cost-allocation-tags: {requried: [a]}}",
     "rules.cost-allocation-tags: unknown setting 'requried' (known: allowed_values, enforced_for, key_case, "
     "patterns, required, required_for)"),
    ("rules: {cost-allocation-tags: {patterns: {Owner: '([a-z'}}}",
     "rules.cost-allocation-tags.patterns.Owner: invalid regular expression '([a-z': "
     "unterminated character set at position 1"),
    ("rules: {cost-allocation-tags: {enforcement: strict}}",
     "rules.cost-allocation-tags.enforcement: expected mandatory, advisory or disabled, got 'strict'"),
    ("rules: {prohibited-ai-risk-tier: {enforcement: advisory}}",
     "rules.prohibited-ai-risk-tier.enforcement: PG-RAI-002 is always mandatory and cannot be lowered"),
    ("on_unknown: maybe", "on_unknown: expected warn or deny, got 'maybe'"),
    ("colour: red", "unknown key 'colour' (known: assurance, on_unknown, rules, waivers)"),
    ("- just a list", "expected a mapping at the top level"),
    ("waivers: [{rule: PG-TAG-001, resource: x}]",
     "waivers[0]: missing expires, owner, reason (every waiver needs all five)"),
    ("waivers: [{rule: PG-TAG-001, resource: x, reason: r, owner: o, expires: soon}]",
     "waivers[0].expires: expected a date YYYY-MM-DD, got 'soon'"),
    ("waivers: [{rule: PG-RAI-002, resource: x, reason: r, owner: o, expires: 2027-01-01}]",
     "waivers[0].rule: PG-RAI-002 cannot be waived"),
])
def test_config_errors_name_file_and_key(tmp_path, text, error):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        policy.load(path, RULES)
    assert str(info.value) == f"{path}: {error}"


def test_invalid_yaml_has_position(tmp_path):
    path = _write(tmp_path, "rules:\n  a: [1, 2\n")
    with pytest.raises(ConfigError, match=rf"^{path}:3:1: invalid YAML: "):
        policy.load(path, RULES)


def test_missing_policy_file(tmp_path):
    with pytest.raises(ConfigError, match="no such policy file"):
        policy.load(tmp_path / "absent.yaml", RULES)


def _waived_policy(tmp_path, expires):
    return policy.load(_write(tmp_path, f"""
waivers:
  - rule: cost-allocation-tags
    resource: "aws_s3_bucket.legacy_*"
    reason: predates tagging
    owner: platform
    expires: {expires}
"""), RULES)


def test_waiver_in_force_waives_matching_resources_only(tmp_path):
    pol = _waived_policy(tmp_path, "2027-01-31")
    findings = evaluate([_bucket("aws_s3_bucket.legacy_a"), _bucket("aws_s3_bucket.new")], pol, TODAY)
    assert [(f.address, f.outcome) for f in findings] == [
        ("aws_s3_bucket.legacy_a", Outcome.WAIVED),
        ("aws_s3_bucket.new", Outcome.VIOLATION),
    ]
    assert findings[0].waiver == "predates tagging (owner platform, until 2027-01-31)"


def test_expired_waiver_is_itself_a_finding_and_stops_waiving(tmp_path):
    pol = _waived_policy(tmp_path, "2026-11-27")
    findings = evaluate([_bucket("aws_s3_bucket.legacy_a", **GOOD)], pol, TODAY)
    assert [(f.rule_id, f.outcome, f.address, f.message) for f in findings] == [(
        "PG-GOV-001", Outcome.VIOLATION, "waivers[0]",
        "waiver for PG-TAG-001 on 'aws_s3_bucket.legacy_*' (owner platform) expired on "
        "2026-11-27: renew it with a new date or fix the resources",
    )]


def test_on_unknown_deny_turns_unknowns_into_violations(tmp_path):
    res = Resource("aws_s3_bucket", "aws_s3_bucket.x", "test", unknown=frozenset({"tags"}))
    warn = evaluate([res], policy.defaults(RULES), TODAY)
    deny = evaluate([res], policy.load(_write(tmp_path, "on_unknown: deny"), RULES), TODAY)
    assert [f.outcome for f in warn] == [Outcome.UNKNOWN]
    assert [f.outcome for f in deny] == [Outcome.VIOLATION]
    assert deny[0].message.startswith("unknown at plan time (on_unknown: deny): tags are unknown")
