"""The Pulumi policy pack, started as ``pulumi preview`` starts it and driven over gRPC.

One pack process per module (and per xdist worker): `plangate.frontends.pulumi.harness.PolicyPackHarness`
runs ``python -u -m pulumi.policy <engine> policypack`` with the ``PULUMI_*`` environment and
speaks the Analyzer protocol with the stubs from the ``pulumi`` SDK.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from plangate import engine, loaders
from plangate import policy as policy_mod
from plangate.frontends.pulumi.harness import (
    ConfigError,
    Diagnostic,
    PolicyPackHarness,
    Provider,
    StackResource,
    to_pulumi,
)
from plangate.frontends.pulumi.pack import UNKNOWN_PREFIX
from plangate.loaders.pulumi_wire import UNKNOWN, secret
from plangate.rules import RULES
from plangate.rules.base import Example, Rule
from plangate.settings import schema
from plangate.types import pulumi_type

PACK = ROOT / "policypack"
PREVIEWS = sorted((CORPUS / "pulumi" / "dundalek__stratify" / "test" / "resources" / "pulumi")
                  .glob("sample-preview-*.json"))
DENY_PREFIX = "unknown at plan time (on_unknown: deny): "

# Stack configuration the remediation reads (Pulumi.<stack>.yaml → PULUMI_CONFIG) and stack tags.
DEFAULT_TAGS = {"CostCenter": "cc-1042", "Environment": "prod"}
STACK_TAGS = {"Project": "fraud-scoring", "Owner": "stack-owner"}
GOOD_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "prod", "Project": "fraud"}


@pytest.fixture(scope="module")
def pack():
    harness = PolicyPackHarness(
        PACK, python=sys.executable,
        stack_config={"plangate:defaultTags": DEFAULT_TAGS}, stack_tags=STACK_TAGS,
        # -X importtime on stderr lets test_heavy_sdks_not_imported see every import.
        env={"PYTHONPROFILEIMPORTTIME": "1", "PLANGATE_CONFIG": ""},
    )
    with harness:
        yield harness


@pytest.fixture()
def fresh(pack):
    """The pack with the engine's default configuration (schema defaults, no file)."""
    pack.configure()
    return pack


def _of(diagnostics: list[Diagnostic], slug: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.policy == slug]


def _split(diagnostics: list[Diagnostic]) -> tuple[list[str], list[str]]:
    """(violation messages, undecided messages) as `Rule.run_example` reports them."""
    says = [d.message for d in diagnostics if not d.message.startswith(UNKNOWN_PREFIX)]
    undecided = [d.message.removeprefix(UNKNOWN_PREFIX) for d in diagnostics
                 if d.message.startswith(UNKNOWN_PREFIX)]
    return says, undecided


# --- metadata ------------------------------------------------------------------------------------


def test_one_policy_per_rule_with_its_metadata(fresh):
    info = fresh.get_info()
    assert info.name == "plangate" and info.supports_config
    assert [p.name for p in info.policies] == [r.slug for r in RULES]
    for rule in RULES:
        p = info.policy(rule.slug)
        assert rule.id in p.description and p.display_name == rule.title
        assert p.remediation_steps == rule.remediation and p.url == rule.url
        assert p.enforcement == rule.enforcement.value
        assert p.severity == rule.severity.value
        assert p.kind == ("stack" if rule.check_stack is not None or rule.slug == "expired-waiver" else "resource")
        # the schema is the settings declaration; defaults written once, in the dataclass
        assert p.config_schema == schema(rule.settings_type)


# --- (1) every rule example, through the pack ----------------------------------------------------


def _examples():
    for rule in RULES:
        for index, example in enumerate(rule.examples):
            yield pytest.param(rule, example,
                               id=f"{rule.id}-{index}-{example.name or 'example'}")


def _stack_resources(example: Example) -> list[StackResource]:
    """The example's resources as the engine would send them, named so that the loader gives
    them the example's addresses."""
    out = []
    for res in example.build():
        if any(n.startswith("execution role ") for n in res.notes):
            pytest.skip("a resource policy sees one resource: there is no execution role to link "
                        f"({res.address}'s role is noted by the loaders)")
        if res.action != "create":
            pytest.skip("the Analyzer protocol does not tell a pack whether a resource is "
                        f"created, updated or unchanged ({res.address} is {res.action})")
        try:
            token, props = to_pulumi(res)
        except ValueError as exc:
            pytest.skip(f"no Pulumi form: {exc}")
        out.append(StackResource(token, props, name=res.address.removeprefix(f"{res.type}.")))
    return out


def _pack_verdict(pack: PolicyPackHarness, rule: Rule, example: Example) -> list[Diagnostic]:
    pack.configure({rule.slug: dict(example.settings)} if example.settings else None)
    if rule.check_stack is not None:
        return _of(pack.analyze_stack(_stack_resources(example)), rule.slug)
    got = []
    for resource in _stack_resources(example):
        got += _of(pack.analyze(resource.type, resource.props, name=resource.name), rule.slug)
    return got


def _as_plangate_yaml_holds_it(example: Example) -> Example:
    """The example's waivers as the pack reads them from plangate.yaml: the rule named by its
    id (the policy file accepts a slug or an id and keeps the id), and on today's calendar
    (the pack judges waivers on the day it runs), each expiry keeping its distance from the
    example's ``today``."""
    shift = dt.date.today() - dt.date.fromisoformat(example.today) if example.today else dt.timedelta()
    rule_id = {**{r.slug: r.id for r in RULES}, **{r.id: r.id for r in RULES}}
    waivers = tuple({**w, "rule": rule_id[w["rule"]],
                     "expires": (dt.date.fromisoformat(str(w["expires"])) + shift).isoformat()}
                    for w in example.waivers)
    return dataclasses.replace(example, waivers=waivers, today="")


@pytest.mark.parametrize("rule,example", list(_examples()))
def test_pack_verdict_equals_rule_example(pack, rule: Rule, example: Example, tmp_path: Path):
    if example.waivers:  # waivers live in plangate.yaml: a pack started with the example's
        example = _as_plangate_yaml_holds_it(example)
        config = tmp_path / "plangate.yaml"
        config.write_text(json.dumps({"waivers": list(example.waivers)}), encoding="utf-8")
        with PolicyPackHarness(PACK, python=sys.executable, env={"PLANGATE_CONFIG": str(config)}) as own:
            got = _pack_verdict(own, rule, example)
    else:
        got = _pack_verdict(pack, rule, example)
    assert _split(got) == rule.run_example(example)
    for d in got:  # violations gate, undecided checks never do
        assert d.enforcement == ("advisory" if d.message.startswith(UNKNOWN_PREFIX) else rule.enforcement.value)
    for d in got:  # violations gate, undecided checks never do
        assert d.enforcement == ("advisory" if d.message.startswith(UNKNOWN_PREFIX) else rule.enforcement.value)


# --- (2) the corpus previews: pack verdicts == plangate scan -------------------------------------


def _steps(preview: dict) -> list[tuple[str, str, dict]]:
    """(type token, urn, properties) of the resources a preview goes on with (no deletes)."""
    out = []
    for step in preview["steps"]:
        if step["op"] in ("delete", "delete-replaced", "discard", "discard-replaced", "read"):
            continue
        state = step.get("newState") or step.get("oldState") or {}
        out.append((state["type"], step["urn"], state.get("inputs") or state.get("outputs") or {}))
    return out


def _urn_name(urn: str) -> str:
    return urn.split("::", 3)[3]


@pytest.mark.skipif(not PREVIEWS, reason=f"corpus previews absent under {CORPUS} (see shared/corpus/SOURCES.md)")
@pytest.mark.parametrize("path", PREVIEWS, ids=lambda p: p.name)
def test_corpus_preview_verdicts_equal_scan(fresh, path: Path):
    from plangate.frontends.pulumi.pack import verdict

    scan = engine.evaluate(loaders.load(path), policy_mod.defaults(RULES))
    assert scan, "the sample previews have untagged billable resources: expect findings"
    steps = _steps(json.loads(path.read_text(encoding="utf-8")))
    urn_by_address = {f"{pulumi_type(t)}.{_urn_name(urn)}": urn for t, urn, _ in steps}
    expected = sorted((urn_by_address.get(f.address, ""), f.slug, *_level_message(verdict(f))) for f in scan)

    got = []
    for token, urn, props in steps:
        got += [(urn, d.policy, d.enforcement, d.message)
                for d in fresh.analyze(token, props, urn=urn, name=_urn_name(urn))]
    got += [(d.urn, d.policy, d.enforcement, d.message) for d in
            fresh.analyze_stack([StackResource(t, p, urn=urn, name=_urn_name(urn)) for t, urn, p in steps])]
    assert sorted(got) == expected


def _level_message(pair) -> tuple[str, str]:
    level, message = pair
    return level.value, message


BUCKET = "aws:s3/bucket:Bucket"


def test_provider_default_tags_count_as_the_resources_tags(fresh):
    """The engine sends each resource's provider; its defaultTags (a JSON string, as providers
    hold config) are effective tags, as in `plangate scan` on a preview."""
    provider = Provider("pulumi:providers:aws", {"region": "eu-west-1",
                                                  "defaultTags": json.dumps({"tags": GOOD_TAGS})}, name="eu")
    assert _of(fresh.analyze(BUCKET, {"bucket": "b"}, provider=provider), "cost-allocation-tags") == []
    assert _of(fresh.analyze(BUCKET, {"bucket": "b"}), "cost-allocation-tags") != []


# --- (3) --policy-pack-config changes verdicts ---------------------------------------------------


def test_policy_pack_config_file_changes_verdicts(pack, tmp_path):
    props = {"bucket": "logs", "tags": {"Owner": "ml-platform"}}
    pack.configure()
    before = _of(pack.analyze(BUCKET, props), "cost-allocation-tags")
    assert [(d.enforcement, d.message) for d in before] == [
        ("mandatory", "missing tags: CostCenter, Environment, Project")]

    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({
        "all": "mandatory",
        "cost-allocation-tags": {"enforcementLevel": "advisory", "required": ["Owner", "team"]},
        "responsible-ai-metadata": "disabled",
    }))
    sent = pack.configure(config)
    assert sent["inference-tracing"]["enforcementLevel"] == "mandatory"
    after = _of(pack.analyze(BUCKET, props), "cost-allocation-tags")
    assert [(d.enforcement, d.message) for d in after] == [("advisory", "missing tags: team")]

    pack.configure({"all": "disabled"})
    assert pack.analyze(BUCKET, props) == []


def test_integer_settings_survive_the_wire(pack):
    """Config crosses gRPC as doubles (365 → 365.0); int settings must still parse."""
    pack.configure({"inference-log-retention": {"max_retention_days": 365}})
    fn = StackResource("aws:lambda/function:Function",
                       {"name": "scorer", "tags": {"app": "ai-model-inference"},
                        "loggingConfig": {"logGroup": "/ml/scorer", "logFormat": "JSON"}}, name="scorer")
    group = StackResource("aws:cloudwatch/logGroup:LogGroup", {"name": "/ml/scorer", "retentionInDays": 400},
                          name="group")
    got = _of(pack.analyze_stack([fn, group]), "inference-log-retention")
    assert [d.message for d in got] == ["log group /ml/scorer keeps logs 400 days, over the 365-day maximum"]
    assert got[0].urn == pack.urn(fn.type, "scorer")


def test_config_the_engine_would_refuse_is_refused(pack):
    with pytest.raises(ConfigError, match="cost-allocation-tags: required"):
        pack.configure({"cost-allocation-tags": {"required": "Owner"}})
    with pytest.raises(ConfigError, match="not a valid enforcement level"):
        pack.configure({"all": "strict"})


def test_locked_rule_stays_mandatory_under_all_advisory(pack):
    pack.configure({"all": "advisory"})
    tags = {"ai.plangate.dev/risk-tier": "unacceptable"}
    got = _of(pack.analyze("aws:lambda/function:Function", {"name": "f", "tags": tags}), "prohibited-ai-risk-tier")
    assert [d.enforcement for d in got] == ["mandatory"]


# --- (4) remediation ----------------------------------------------------------------------------


def test_remediation_adds_missing_tags_and_leaves_user_tags(pack):
    pack.configure({"cost-allocation-tags": {"enforcementLevel": "remediate"}})
    props = {"bucket": "logs", "acl": "private", "policy": UNKNOWN,
             "serverSideEncryptionConfiguration": secret({"rule": {"kmsKeyId": "k"}}),
             "tags": {"Owner": "jane", "team": "ml"}}
    (fix,) = pack.remediate(BUCKET, props)
    assert fix.policy == "cost-allocation-tags"
    # Owner was set by the user: kept, though the stack tags say otherwise; the rest added
    assert fix.properties["tags"] == {"Owner": "jane", "team": "ml", "CostCenter": "cc-1042",
                                      "Environment": "prod", "Project": "fraud-scoring"}
    # every other property goes back exactly as it came, unknowns and secrets included
    assert {k: v for k, v in fix.properties.items() if k != "tags"} == {k: v for k, v in props.items() if k != "tags"}
    # the engine re-analyses the remediated resource: the remediate-level policy now passes
    assert _of(pack.analyze(BUCKET, fix.properties), "cost-allocation-tags") == []


def test_remediation_adds_only_the_keys_required_for_the_resource_type(pack):
    """required_for narrows a key to some types: the remediation adds what the check reports
    for this type, not every key any type needs."""
    pack.configure({"cost-allocation-tags": {"enforcementLevel": "remediate",
                                             "required_for": {"CostCenter": ["aws_instance"]}}})
    (fix,) = pack.remediate(BUCKET, {"bucket": "logs", "tags": {"Owner": "jane"}})
    assert fix.properties["tags"] == {"Owner": "jane", "Environment": "prod", "Project": "fraud-scoring"}
    assert _of(pack.analyze(BUCKET, fix.properties), "cost-allocation-tags") == []
    pack.configure()


def test_no_remediation_when_nothing_is_missing_unknown_or_level_is_not_remediate(pack):
    pack.configure({"cost-allocation-tags": {"enforcementLevel": "remediate"}})
    assert pack.remediate(BUCKET, {"bucket": "b", "tags": GOOD_TAGS}) == []
    assert pack.remediate(BUCKET, {"bucket": "b", "tags": UNKNOWN}) == []
    # a wholly secret tags map is judged (its keys are read) but never rewritten in the clear
    assert pack.remediate(BUCKET, {"bucket": "b", "tags": secret({"Owner": "jane"})}) == []
    pack.configure()
    assert pack.remediate(BUCKET, {"bucket": "b", "tags": {}}) == []


# --- (5) unknowns: a precise finding, not a silent pass nor the SDK's note -----------------------

LAMBDA = "aws:lambda/function:Function"
UNKNOWN_TAGS = "tags are unknown until apply; cannot check CostCenter, Owner, Environment, Project"


def test_unknown_tags_give_a_precise_note(fresh):
    got = fresh.analyze(LAMBDA, {"name": "scorer", "runtime": "python3.12", "tags": UNKNOWN})
    assert not any("can't run policy" in d.message for d in got)
    assert [(d.enforcement, d.message) for d in _of(got, "cost-allocation-tags")] == [
        ("advisory", UNKNOWN_PREFIX + UNKNOWN_TAGS)]
    one = fresh.analyze(LAMBDA, {"name": "scorer", "tags": {**GOOD_TAGS, "Owner": UNKNOWN}})
    assert [d.message for d in _of(one, "cost-allocation-tags")] == [
        UNKNOWN_PREFIX + "tag values unknown until apply: Owner"]


PLANGATE_YAML = """
on_unknown: deny
waivers:
  - rule: cost-allocation-tags
    resource: "aws_s3_bucket.legacy_*"
    reason: bucket predates tagging
    owner: platform-team
    expires: 2999-12-31
  - rule: function-url-auth
    resource: "aws_lambda_function_url.demo"
    reason: partner pilot
    owner: ml-platform
    expires: 2020-01-31
"""


def test_plangate_yaml_on_unknown_deny_and_waivers(tmp_path):
    config = tmp_path / "plangate.yaml"
    config.write_text(PLANGATE_YAML)
    with PolicyPackHarness(PACK, python=sys.executable, env={"PLANGATE_CONFIG": str(config)}) as pack:
        pack.configure()
        unknown = _of(pack.analyze(LAMBDA, {"name": "scorer", "tags": UNKNOWN}), "cost-allocation-tags")
        waived = _of(pack.analyze(BUCKET, {"bucket": "b"}, name="legacy_logs"), "cost-allocation-tags")
        stack = _of(pack.analyze_stack([StackResource(BUCKET, {"bucket": "b"}, name="b")]), "expired-waiver")
    assert [(d.enforcement, d.message) for d in unknown] == [("mandatory", DENY_PREFIX + UNKNOWN_TAGS)]
    assert [(d.enforcement, d.message) for d in waived] == [
        ("advisory", "waived: missing tags: CostCenter, Owner, Environment, Project "
                     "(bucket predates tagging (owner platform-team, until 2999-12-31))")]
    assert [(d.enforcement, d.urn) for d in stack] == [("mandatory", "")]
    assert "expired on 2020-01-31" in stack[0].message


NAIVE_PACK = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def validate(args, report_violation):
    if "CostCenter" not in (args.props.get("tags") or {}):
        report_violation("missing CostCenter")

PolicyPack("naive", [ResourceValidationPolicy(name="tags", description="tags present",
           validate=validate, enforcement_level=EnforcementLevel.MANDATORY)])
'''


def test_the_sdk_alone_would_turn_the_unknown_into_an_advisory_note(tmp_path):
    """Why the pack reads the raw request: through ``args.props`` an unknown raises, and the
    SDK reports a mandatory policy as an advisory "can't run" note instead of a finding."""
    (tmp_path / "__main__.py").write_text(NAIVE_PACK)
    with PolicyPackHarness(tmp_path, python=sys.executable) as naive:
        (note,) = naive.analyze(BUCKET, {"bucket": "b", "tags": UNKNOWN})
    assert note.enforcement == "advisory" and "can't run policy 'tags'" in note.message


# --- (6) secrets never reach a diagnostic --------------------------------------------------------

SECRET_VALUE = "production-eu-west-1-do-not-print"


def test_secret_values_never_appear_in_diagnostics(pack):
    pack.configure({"cost-allocation-tags": {"enforcementLevel": "remediate"}})
    endpoint = "aws:sagemaker/endpoint:Endpoint"
    rai = {f"ai.plangate.dev/{k}": "x" for k in ("model-id", "data-lineage-url", "risk-tier", "accountable-owner")}
    cases = [
        (LAMBDA, {"name": "scorer", "tags": {**GOOD_TAGS, "Environment": secret(SECRET_VALUE)},
                  "environment": {"variables": {"API_KEY": secret(SECRET_VALUE)}}}),
        (endpoint, {"name": "ep", "tags": {**rai, "ai.plangate.dev/model-card-url": secret(SECRET_VALUE)}}),
        (BUCKET, {"bucket": secret(SECRET_VALUE), "tags": secret({"Environment": SECRET_VALUE})}),
        ("aws:lambda/functionUrl:FunctionUrl", {"authorizationType": secret(SECRET_VALUE)}),
    ]
    texts = []
    for token, props in cases:
        texts += [d.raw_message for d in pack.analyze(token, props)]
        texts += [r.diagnostic for r in pack.remediate(token, props)]
    stack = [StackResource(token, props, name=f"r{i}") for i, (token, props) in enumerate(cases)]
    texts += [d.raw_message for d in pack.analyze_stack(stack)]
    assert texts, "the cases are meant to produce findings"
    assert not [t for t in texts if SECRET_VALUE in t]
    # a secret tag value counts as present, and it is still checked against its allowed values,
    # shown as [secret] (issue 12: the gate must not pass on a value it never looked at)
    assert [d.message for d in _of(pack.analyze(*cases[0]), "cost-allocation-tags")] == [
        "tag Environment=[secret] is not one of: dev, test, staging, prod"]


# --- (7) the pack stays light ---------------------------------------------------------------------


def test_heavy_sdks_not_imported(fresh):
    fresh.analyze(LAMBDA, {"name": "scorer", "tags": {"app": "ai-model-inference"}})
    fresh.analyze_stack([StackResource(LAMBDA, {"name": "scorer"}, name="scorer")])
    fresh.remediate(BUCKET, {"bucket": "b"})
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)", fresh.stderr(), re.M))
    assert "plangate.frontends.pulumi.pack" in imported, "importtime output missing: cannot judge"
    assert not {m for m in imported if m.split(".")[0] in ("pulumi_aws", "sklearn")}


# --- (8) the servicer internals the handler reads are version-bound --------------------------------


def test_pack_refuses_a_pulumi_policy_it_was_not_written_for():
    from plangate.frontends.pulumi.pack import SUPPORTED_SDK, check_sdk_version

    major, minor = SUPPORTED_SDK
    check_sdk_version(f"{major}.{minor}.0")
    check_sdk_version(f"{major}.{minor}.7")
    for other in (f"{major}.{minor + 1}.0", f"{major}.{minor - 1}.3", f"{major + 1}.0.0", "dev"):
        with pytest.raises(RuntimeError, match=rf"supports pulumi-policy {major}\.{minor}\.x, not {other}"):
            check_sdk_version(other)


def test_requirements_pin_the_supported_pulumi_policy_and_name_plangate_by_version():
    from plangate.frontends.pulumi.pack import SUPPORTED_SDK

    major, minor = SUPPORTED_SDK
    lines = [line.strip() for line in (PACK / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert lines == [f"plangate[pulumi]=={version.group(1)}", f"pulumi-policy>={major}.{minor},<{major}.{minor + 1}"]
