"""The Pulumi CrossGuard adapter: the rule registry as pulumi-policy objects, and the handler
that evaluates them.  No rule logic lives here.

- Every rule becomes one policy named by its slug: a ``ResourceValidationPolicy`` for resource
  rules, a ``StackValidationPolicy`` for stack rules (expired waivers among them: their
  findings are about the policy file, so they are reported once per stack).  Description,
  severity, remediation steps, URL, tags and the ``config_schema`` (from
  `plangate.settings.schema`, defaults written once) come from the rule.
- Enforcement levels and settings start from ``plangate.yaml`` (``$PLANGATE_CONFIG``, else
  ``plangate.yaml`` beside the pack) and are overridden by ``--policy-pack-config``; the
  engine merges both and hands the result to ``Configure``.
- Verdicts come from `plangate.engine.evaluate`, exactly as ``plangate scan`` computes them;
  a `Finding` becomes a diagnostic: a violation at ``mandatory``, a warning, an undecided
  (unknown-at-preview) check or a waived one at ``advisory``.

Why the analysis does not go through ``args.props``
---------------------------------------------------
pulumi-policy 1.21 hands validations ``args.props`` wrapped by ``unknown_checking_proxy``:
any read of an unknown value raises ``UnknownValueError`` (``props["tags"]``, ``.get``, and
even ``"tags" in props``, which ``Mapping.__contains__`` answers by reading the value); the
SDK catches it and reports an *advisory* "can't run policy ... during preview" note instead,
so a mandatory policy silently stops gating on exactly the resources it cannot see.  It also
decodes ``Analyze`` properties with ``proxy_secrets=False``, unwrapping the secret
signature, so a policy cannot tell a secret from a plain value.  The raw request,
however, carries both: the engine marshals properties with ``KeepUnknowns`` and
``KeepSecrets`` (the unknown sentinel string and the ``{sig: secret, value}`` wrapper).

So `install` replaces ``Analyze`` / ``AnalyzeStack`` on pulumi-policy's servicer with
`_analyze` / `_analyze_stack`: they read ``request.properties`` (a protobuf Struct) directly,
turn each resource into one `Resource` with the Pulumi loader (unknown paths in
``Resource.unknown``, secrets replaced by ``REDACTED``), evaluate every plangate policy in one
pass and build diagnostics from what the SDK's own ``_create_report_violation`` writes (one
template per policy and level, copied per finding).  Doing it once per request instead of
once per policy also removes the SDK's per-policy decoding, which costs more than the rules
themselves.  Policies that are not plangate's still run through the SDK's loop.
``Remediate`` keeps the SDK's loop; `install` only records the raw request for the
remediation to read.  The servicer internals this relies on are version-bound, so `serve`
checks the installed pulumi-policy against `SUPPORTED_SDK` at start-up and `install` checks
each internal it uses (`_get_enforcement_level`, `_get_policy_config`,
`_create_report_violation`, the private policy list and config), failing with a message
naming the supported version, never silently; ``policypack/requirements.txt`` pins
pulumi-policy to that minor version.

The pack is served by pulumi-policy's own server, as every Python pack is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi_policy as pp
from pulumi.runtime import proto
from pulumi_policy import policy as sdk

from plangate import settings as settings_mod
from plangate.audit.preview import PreviewRecorder
from plangate.engine import evaluate
from plangate.loaders import pulumi as pulumi_loader
from plangate.loaders.pulumi_wire import from_struct
from plangate.model import Enforcement, Finding, Outcome, Resource, Severity
from plangate.policy import Policy, RuleConfig, defaults, load_baselines, rule_config
from plangate.policy import load as load_policy_file
from plangate.rules import RULES
from plangate.rules.base import Rule
from plangate.rules.tags import TagPolicy, cost_allocation_tags, missing_tags

PACK_NAME = "plangate"
CONFIG_ENV = "PLANGATE_CONFIG"
# Stack configuration key holding default values for missing cost-allocation tags.
DEFAULT_TAGS_KEY = "plangate:defaultTags"
UNKNOWN_PREFIX = "unknown at plan time: "
# The pulumi-policy minor version whose servicer internals the request handler is written for.
SUPPORTED_SDK = (1, 21)
_SUPPORTED_TEXT = ".".join(map(str, SUPPORTED_SDK))

_LEVEL = {  # plangate → pulumi
    Enforcement.MANDATORY: pp.EnforcementLevel.MANDATORY,
    Enforcement.ADVISORY: pp.EnforcementLevel.ADVISORY,
    Enforcement.DISABLED: pp.EnforcementLevel.DISABLED,
}
_ENFORCEMENT = {  # pulumi → plangate; a remediated policy still gates what remains
    pp.EnforcementLevel.MANDATORY: Enforcement.MANDATORY,
    pp.EnforcementLevel.REMEDIATE: Enforcement.MANDATORY,
    pp.EnforcementLevel.ADVISORY: Enforcement.ADVISORY,
    pp.EnforcementLevel.DISABLED: Enforcement.DISABLED,
}
_SEVERITY = {
    Severity.CRITICAL: pp.Severity.CRITICAL,
    Severity.HIGH: pp.Severity.HIGH,
    Severity.MEDIUM: pp.Severity.MEDIUM,
    Severity.LOW: pp.Severity.LOW,
}


# --- the registry as policies ------------------------------------------------------------------


class PlangateResourcePolicy(pp.ResourceValidationPolicy):
    """A resource rule; evaluated by `_analyze`, so its ``validate`` has nothing left to do."""

    def __init__(self, rule: Rule, **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(validate=_evaluated_by_handler, **kwargs)


class PlangateStackPolicy(pp.StackValidationPolicy):
    """A stack rule; evaluated by `_analyze_stack`."""

    def __init__(self, rule: Rule, **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(validate=_evaluated_by_handler, **kwargs)


def _evaluated_by_handler(args: Any, report_violation: Any) -> None:
    """Reached only when the SDK loop runs for a pack that mixes in foreign policies; the
    plangate handler has already evaluated this policy for the same request."""


def is_stack_rule(rule: Rule) -> bool:
    return rule.check_stack is not None


def build_policies(policy: Policy) -> list[pp.Policy]:
    """One pulumi-policy object per rule of ``policy.catalogue``, in registry order."""
    install()
    return [_policy_for(rule, policy.config(rule)) for rule in policy.catalogue]


def _policy_for(rule: Rule, cfg: RuleConfig) -> pp.Policy:
    common: dict[str, Any] = dict(
        name=rule.slug,
        description=f"{rule.title} ({rule.id})",
        display_name=rule.title,
        enforcement_level=_LEVEL[cfg.enforcement],
        config_schema=pp.PolicyConfigSchema(properties=settings_mod.schema(rule.settings_type)),
        severity=_SEVERITY.get(rule.severity),
        framework=_framework(rule),
        tags=[rule.id, rule.category],
        remediation_steps=rule.remediation,
        url=rule.url,
    )
    if is_stack_rule(rule):
        return PlangateStackPolicy(rule, **common)
    if rule is cost_allocation_tags:
        # The SDK calls remediate only when the policy runs at the "remediate" level.
        return PlangateResourcePolicy(rule, remediate=remediate_cost_tags, **common)
    return PlangateResourcePolicy(rule, **common)


def _framework(rule: Rule) -> pp.PolicyComplianceFramework | None:
    """pulumi-policy takes one framework per policy: the most specific one the rule names."""
    fw = rule.frameworks
    for name, version, reference in (("EU AI Act", "2024/1689", fw.eu_ai_act),
                                     ("NIST AI RMF", "1.0", fw.nist_ai_rmf),
                                     ("FinOps Framework", "2024", fw.finops)):
        if reference:
            return pp.PolicyComplianceFramework(name=name, version=version, reference=reference)
    return None


def initial_config(policy: Policy) -> dict[str, dict[str, Any]]:
    """``plangate.yaml`` as the pack's initial config: the engine layers it between the schema
    defaults and ``--policy-pack-config``.  Every entry names its level, because the engine
    reads a missing level in initial config as ``advisory``."""
    out: dict[str, dict[str, Any]] = {}
    for rule in policy.catalogue:
        cfg = policy.config(rule)
        defaults = settings_mod.as_dict(rule.settings_type())
        changed = {k: v for k, v in settings_mod.as_dict(cfg.settings).items() if defaults.get(k) != v}
        out[rule.slug] = {"enforcementLevel": _LEVEL[cfg.enforcement], **changed}
    return out


def load_policy(pack_dir: str | os.PathLike[str]) -> Policy:
    """``$PLANGATE_CONFIG``, else ``plangate.yaml`` in the pack directory, else defaults."""
    path = os.environ.get(CONFIG_ENV) or None
    beside = Path(pack_dir) / "plangate.yaml"
    if path is None and beside.is_file():
        path = str(beside)
    return load_policy_file(path, RULES) if path else defaults(RULES)


def serve(pack_dir: str | os.PathLike[str]) -> None:
    """Build the pack and serve it (blocks; this is what ``policypack/__main__.py`` runs)."""
    check_sdk_version(sdk.VERSION)
    policy = load_policy(pack_dir)
    _STATE.base = policy
    has_file = policy.source != "(defaults)"
    pp.PolicyPack(
        name=PACK_NAME,
        policies=build_policies(policy),
        initial_config=initial_config(policy) if has_file else None,
        description="plangate: FinOps and responsible-AI guardrails for AI inference on AWS",
    )


def check_sdk_version(version: str) -> None:
    """Refuse to start on a pulumi-policy other than `SUPPORTED_SDK`'s minor version: the
    request handler reads servicer internals that may change between minor versions."""
    try:
        major_minor = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        major_minor = ()
    if major_minor != SUPPORTED_SDK:
        raise RuntimeError(f"plangate's policy pack supports pulumi-policy {_SUPPORTED_TEXT}.x, not {version} "
                           "(see policypack/requirements.txt)")


# --- the request handler ----------------------------------------------------------------------


@dataclass
class _Evaluation:
    """Rule settings and levels for one Configure state; rebuilt when the engine reconfigures."""

    config_ref: Any  # the SDK's config dicts, held so their identity stays unique
    levels_ref: Any
    resource_policy: Policy  # stack rules disabled
    stack_policy: Policy  # resource rules disabled
    by_slug: dict[str, pp.Policy]
    foreign: bool  # the pack also holds policies that are not plangate's
    by_type: dict[str, Policy] = dataclasses.field(default_factory=dict)
    diagnostics: dict[tuple[str, pp.EnforcementLevel], Any] = dataclasses.field(default_factory=dict)

    def for_type(self, resource_type: str) -> Policy:
        """``resource_policy`` with its catalogue cut to the rules that apply to the type, so a
        single-resource evaluation does not test every rule's scope on every request."""
        cut = self.by_type.get(resource_type)
        if cut is None:
            base = self.resource_policy
            rules = tuple(r for r in base.catalogue if r.applies(resource_type))
            cut = self.by_type[resource_type] = dataclasses.replace(base, catalogue=rules)
        return cut


class _State:
    def __init__(self) -> None:
        self.base: Policy | None = None  # plangate.yaml, or defaults
        self.evaluations: dict[int, _Evaluation] = {}  # by id(servicer)
        self.local = threading.local()  # the raw request of the RPC in progress


_STATE = _State()
_AUDIT = PreviewRecorder.from_env()  # records each preview's decisions when $PLANGATE_AUDIT_LOG is set
_REQUIRED_INTERNALS = ("_get_enforcement_level", "_get_policy_config", "_create_report_violation",
                       "Analyze", "AnalyzeStack", "Remediate")


def install() -> None:
    """Route pulumi-policy's ``Analyze`` / ``AnalyzeStack`` through the plangate handler and let
    ``Remediate`` record its raw request (see the module docstring).  Idempotent."""
    servicer = sdk._PolicyAnalyzerServicer
    if getattr(servicer, "_plangate_installed", False):
        return
    missing = [name for name in _REQUIRED_INTERNALS if not hasattr(servicer, name)]
    if missing:
        raise RuntimeError(f"pulumi-policy {sdk.VERSION} lacks {', '.join(missing)}; plangate's pack "
                           f"supports pulumi-policy {_SUPPORTED_TEXT} (see policypack/requirements.txt)")
    servicer.Analyze = _handler(servicer.Analyze, _analyze)
    servicer.AnalyzeStack = _handler(servicer.AnalyzeStack, _analyze_stack)
    servicer.Remediate = _recording(servicer.Remediate)
    servicer._plangate_installed = True


def _handler(original: Callable[..., Any], ours: Callable[[Any, Any, _Evaluation], Any]
             ) -> Callable[..., Any]:
    @functools.wraps(original)
    def handle(self: Any, request: Any, context: Any) -> Any:
        evaluation = _evaluation(self)
        response = ours(self, request, evaluation)
        if evaluation.foreign:
            extra = original(self, request, context)
            response.diagnostics.extend(extra.diagnostics)
            response.not_applicable.extend(extra.not_applicable)
        return response

    return handle


def _recording(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handle(self: Any, request: Any, context: Any) -> Any:
        _STATE.local.request = request
        try:
            return original(self, request, context)
        finally:
            _STATE.local.request = None

    return handle


def _mangled(name: str) -> str:
    """The attribute name of the servicer's private ``self.__<name>``."""
    return f"_PolicyAnalyzerServicer__{name}"


_CONFIG_ATTR = _mangled("policy_pack_config")
_LEVELS_ATTR = _mangled("policy_pack_config_enforcement_level")
_MISSING = object()


def _sdk_attr(servicer: Any, name: str) -> Any:
    """A private attribute of pulumi-policy's servicer (``self.__policies`` and the like)."""
    try:
        return getattr(servicer, _mangled(name))
    except AttributeError:
        raise RuntimeError(f"pulumi-policy {sdk.VERSION}'s servicer has no {name}; plangate's pack "
                           f"supports pulumi-policy {_SUPPORTED_TEXT} (see policypack/requirements.txt)") from None


def _evaluation(servicer: Any) -> _Evaluation:
    cached = _STATE.evaluations.get(id(servicer))
    if cached is not None:  # every request: the attribute reads without _sdk_attr's checks
        state = servicer.__dict__
        if (cached.config_ref is state.get(_CONFIG_ATTR, _MISSING)
                and cached.levels_ref is state.get(_LEVELS_ATTR, _MISSING)):
            return cached
    config_ref = _sdk_attr(servicer, "policy_pack_config")
    levels_ref = _sdk_attr(servicer, "policy_pack_config_enforcement_level")
    policies = _sdk_attr(servicer, "policies")
    base = _STATE.base or defaults(RULES)
    configs: dict[str, RuleConfig] = {}
    by_slug: dict[str, pp.Policy] = {}
    for p in policies:
        rule = getattr(p, "rule", None)
        if rule is None:
            continue
        by_slug[rule.slug] = p
        level = _ENFORCEMENT[servicer._get_enforcement_level(p)]
        configs[rule.id] = _rule_config(rule, level, servicer._get_policy_config(p.name), base)
    for rule in base.catalogue:  # rules the pack does not carry stay off
        configs.setdefault(rule.id, RuleConfig(Enforcement.DISABLED, rule.settings_type()))
    evaluation = _Evaluation(
        config_ref, levels_ref,
        _restricted(base, configs, lambda r: not is_stack_rule(r)),
        _restricted(base, configs, is_stack_rule),
        by_slug,
        foreign=len(by_slug) < len(policies),
    )
    _STATE.evaluations[id(servicer)] = evaluation
    return evaluation


def _rule_config(rule: Rule, level: Enforcement, given: Mapping[str, Any] | None, base: Policy) -> RuleConfig:
    """Settings from the engine's merged config (schema defaults included), else plangate.yaml.

    A locked rule stays mandatory whatever the level says (``"all": "advisory"`` included),
    as ``plangate.yaml`` cannot lower it either.
    """
    if rule.locked:
        level = Enforcement.MANDATORY
    reference = base.config(rule).settings
    if given is None:
        return RuleConfig(level, reference)
    return RuleConfig(level, _parse_settings(rule, given, reference))


def _parse_settings(rule: Rule, given: Mapping[str, Any], reference: Any) -> Any:
    parsed = rule_config(rule, _whole_numbers(dict(given)), f"policy pack config: {rule.slug}").settings
    return _declared_order(parsed, reference)


def _declared_order(settings: Any, reference: Any) -> Any:
    """Mapping settings in ``reference``'s key order.

    Configuration reaches the pack as protobuf Structs, whose maps keep no order, while a
    rule reports required keys in the order they are configured (``missing labels: team,
    cost-center``); keys ``reference`` (plangate.yaml or the defaults) knows keep its order,
    new keys follow in the order received.
    """
    changes = {}
    for f in dataclasses.fields(settings):
        value, ref = getattr(settings, f.name), getattr(reference, f.name)
        if isinstance(value, dict) and isinstance(ref, dict):
            ordered = {k: value[k] for k in ref if k in value}
            changes[f.name] = {**ordered, **value}
    return dataclasses.replace(settings, **changes) if changes else settings


def _whole_numbers(value: Any) -> Any:
    """Configuration crosses gRPC as doubles: 365 arrives as 365.0, which int settings refuse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def _restricted(base: Policy, configs: Mapping[str, RuleConfig], keep: Callable[[Rule], bool]) -> Policy:
    rules = {
        rid: cfg if keep(_by_id(base, rid)) else RuleConfig(Enforcement.DISABLED, cfg.settings)
        for rid, cfg in configs.items()
    }
    return Policy(rules, base.waivers, base.on_unknown, base.source, base.catalogue)


def _by_id(policy: Policy, rule_id: str) -> Rule:
    return next(r for r in policy.catalogue if r.id == rule_id)


def _analyze(servicer: Any, request: Any, evaluation: _Evaluation) -> Any:
    response = proto.AnalyzeResponse()
    resource = to_resource(request.type, request.urn, request.properties,
                           request.provider if request.HasField("provider") else None)
    if resource is None:
        return response
    findings = evaluate((resource,), evaluation.for_type(resource.type), _today())
    for finding in findings:
        _report(servicer, response, evaluation, finding, "")
    _AUDIT.resource(findings)
    return response


def _analyze_stack(servicer: Any, request: Any, evaluation: _Evaluation) -> Any:
    response = proto.AnalyzeResponse()
    pairs = to_resources([
        _engine_resource(item.type, item.urn, item.properties,
                         item.provider if item.HasField("provider") else None)
        for item in request.resources
    ])
    urns = {res.address: urn for urn, res in pairs}
    findings = evaluate([res for _, res in pairs], evaluation.stack_policy, _today(),
                        load_baselines(evaluation.stack_policy))
    for finding in findings:
        _report(servicer, response, evaluation, finding, urn=urns.get(finding.address, ""))
    _AUDIT.stack([res for _, res in pairs], findings, (evaluation.resource_policy, evaluation.stack_policy))
    return response


def _today() -> dt.date:
    return dt.date.today()


def verdict(finding: Finding) -> tuple[pp.EnforcementLevel, str]:
    """How a finding shows in ``pulumi preview``.

    A violation gates (mandatory).  A check left undecided by an unknown value is an advisory
    note naming what was unknown, so it is never a silent pass, yet, as in ``plangate scan``
    with ``on_unknown: warn``, does not block; with ``on_unknown: deny`` the engine has
    already made it a violation.  Waived findings stay visible as advisory notes.
    """
    if finding.outcome is Outcome.VIOLATION:
        return pp.EnforcementLevel.MANDATORY, finding.message
    if finding.outcome is Outcome.UNKNOWN:
        return pp.EnforcementLevel.ADVISORY, UNKNOWN_PREFIX + finding.message
    if finding.outcome is Outcome.WAIVED:
        return pp.EnforcementLevel.ADVISORY, f"waived: {finding.message} ({finding.waiver})"
    return pp.EnforcementLevel.ADVISORY, finding.message


def _report(servicer: Any, response: Any, evaluation: _Evaluation, finding: Finding, urn: str) -> None:
    level, message = verdict(finding)
    template = evaluation.diagnostics.get((finding.slug, level))
    if template is None:
        policy = evaluation.by_slug.get(finding.slug)
        if policy is None:
            return
        template = evaluation.diagnostics[finding.slug, level] = _diagnostic_template(servicer, policy, level)
    diagnostic = response.diagnostics.add()
    diagnostic.CopyFrom(template)
    if message:  # as the SDK's report_violation writes it: the description, then the message
        diagnostic.message = f"{template.message}\n{message}"
    if urn:
        diagnostic.urn = urn


def _diagnostic_template(servicer: Any, policy: pp.Policy, level: pp.EnforcementLevel) -> Any:
    """The diagnostic the SDK's ``report_violation`` writes for ``policy`` at ``level`` with no
    message and no URN; `_report` copies it and sets those two (a copy is a third of the cost
    of a call through the SDK, which matters at a few findings per resource)."""
    scratch = proto.AnalyzeResponse()
    servicer._create_report_violation(scratch, policy.name, policy.description, level, policy.severity)("", None)
    (template,) = scratch.diagnostics
    return template


# --- request → Resource ------------------------------------------------------------------------


def to_resource(type_token: str, urn: str, properties: Any, provider: Any | None) -> Resource | None:
    """One Analyzer resource (a Struct in the engine's wire form) as a plangate `Resource`;
    None for what the loader does not return (the stack, providers, components)."""
    pairs = pulumi_loader.from_engine((_engine_resource(type_token, urn, properties, provider),), _stack_config())
    return pairs[0][1] if pairs else None


def _engine_resource(type_token: str, urn: str, properties: Any, provider: Any | None) -> Any:
    return pulumi_loader.EngineResource(
        type=type_token, urn=urn, props=from_struct(properties),
        provider=None if provider is None else (provider.urn, provider.type, from_struct(provider.properties)),
    )


def to_resources(items: Sequence[Any]) -> list[tuple[str, Resource]]:
    """(URN, Resource) pairs through the Pulumi loader, as ``plangate scan`` reads a preview;
    stack, provider and component resources are skipped by the loader."""
    return pulumi_loader.from_engine(items, _stack_config())


@functools.lru_cache(maxsize=1)
def _stack_config() -> dict[str, Any]:
    """The stack configuration the CLI passes in ``PULUMI_CONFIG`` (default providers' defaultTags)."""
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        return {}
    return config if isinstance(config, dict) else {}


# --- remediation: missing cost-allocation tags from stack configuration -----------------------


def remediate_cost_tags(args: Any) -> dict[str, Any] | None:
    """Add the cost-allocation tags a resource lacks, with values from the stack configuration
    (``plangate:defaultTags``) or, failing that, the stack's tags.  Tags already set (and
    defaultTags from the provider) are left as they are; unknown tags are left alone."""
    request = getattr(_STATE.local, "request", None)
    if request is None:
        return None
    raw = from_struct(request.properties)
    res = to_resource(request.type, request.urn, request.properties,
                      request.provider if request.HasField("provider") else None)
    if res is None or not cost_allocation_tags.applies(res.type) or res.is_unknown("tags"):
        return None
    if "tags" in res.secret:  # adding keys would rewrite a secret map in the clear: report it instead
        return None
    settings = _tag_settings(args.get_config())
    values = default_tag_values(args.stack_tags)
    additions = {key: values[key] for key in missing_tags(res.tags, settings, res.type) if key in values}
    if not additions:
        return None
    return with_added_tags(raw, additions)


def _tag_settings(config: Mapping[str, Any] | None) -> TagPolicy:
    reference = (_STATE.base or defaults(RULES)).config(cost_allocation_tags).settings
    return _parse_settings(cost_allocation_tags, config, reference) if config else reference


def default_tag_values(stack_tags: Mapping[str, str]) -> dict[str, str]:
    """Stack tags, overridden by the ``plangate:defaultTags`` stack configuration object."""
    values = {str(k): str(v) for k, v in stack_tags.items()}
    raw = _stack_config().get(DEFAULT_TAGS_KEY)
    configured = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(configured, Mapping):
        values.update({str(k): str(v) for k, v in configured.items()})
    return values


def with_added_tags(raw: Mapping[str, Any], additions: Mapping[str, str]) -> dict[str, Any]:
    """``raw`` (wire form) with ``additions`` merged under the existing tags, which win;
    every other property, unknowns and secrets included, goes back as it came."""
    tags = raw.get("tags")
    return {**raw, "tags": {**additions, **(tags if isinstance(tags, Mapping) else {})}}
