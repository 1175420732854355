"""Which Checkov checks plangate's rules become, and under which ids: one definition.

``hcl_checks/plangate_checks.py`` registers a Checkov check for every `CheckSpec` that
`check_specs` returns, and ``docs/rules.md`` (through `plangate.rule_catalogue`) lists the same
ids, so the two never disagree.  Nothing here imports Checkov.

Id scheme (Checkov's custom-check convention, ``CKV_<owner>_<name>``, with our own prefix):

- Terraform resources, HCL and plan JSON alike (Checkov runs one resource registry for
  both): ``PG-TAG-001`` → ``CKV_PG_TAG_001``.
- Kubernetes objects: ``PG-RAI-001`` → ``CKV_K8S_PG_RAI_001``.

Ids are derived from the rule id alone, so they are stable as long as the rule id is.

>>> check_id("PG-TAG-001", TERRAFORM), check_id("PG-RAI-001", KUBERNETES)
('CKV_PG_TAG_001', 'CKV_K8S_PG_RAI_001')
>>> rule_id_of("CKV_K8S_PG_RAI_002")
'PG-RAI-002'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from plangate.rules.base import Rule

TERRAFORM = "terraform"  # Checkov's resource registry: --framework terraform and terraform_plan
KUBERNETES = "kubernetes"

_PREFIX = {TERRAFORM: "CKV_PG_", KUBERNETES: "CKV_K8S_PG_"}
_CHECK_ID = re.compile(r"^CKV_(?:K8S_)?PG_([A-Z]+)_(\d+)$")

# Checkov's CheckCategories member for each plangate category (names, so no Checkov import).
CATEGORY = {
    "finops": "CONVENTION",
    "responsible-ai": "AI_AND_ML",
    "governance": "CONVENTION",
    "telemetry": "LOGGING",
    "security": "GENERAL_SECURITY",
}


@dataclass(frozen=True)
class Deferral:
    """Part of a rule that a Checkov built-in already reports, so we register no duplicate."""

    rule_id: str
    resource_type: str
    builtin: str  # the Checkov check id
    builtin_name: str  # its name, as Checkov 3.3.30 prints it
    note: str  # how the built-in differs from the rule


@dataclass(frozen=True)
class Related:
    """A Checkov built-in near a rule that we deliberately do not defer to, and why."""

    rule_id: str
    builtin: str
    builtin_name: str
    reason: str


# Verified against Checkov 3.3.30's sources (checkov/terraform/checks/resource/aws/*.py).
# A rule defers only where the built-in fails every resource the rule fails with its default
# settings, so deferring never lets a violation through; the notes say where it is stricter.
DEFERRED: tuple[Deferral, ...] = (
    Deferral(
        "PG-TEL-004", "aws_lambda_function", "CKV_AWS_115",
        "Ensure that AWS Lambda function is configured for function-level concurrent "
        "execution limit",
        "fails a missing or -1 reserved_concurrent_executions on every function, not only "
        "inference functions; the max_lambda_concurrency ceiling is checked by plangate scan "
        "and the policy pack only",
    ),
    Deferral(
        "PG-EXP-001", "aws_lambda_function_url", "CKV_AWS_258",
        "Ensure that Lambda function URLs AuthType is not None",
        "the same test (authorization_type NONE fails)",
    ),
    Deferral(
        "PG-EXP-002", "aws_apigatewayv2_route", "CKV_AWS_309",
        "Ensure API GatewayV2 routes specify an authorization type",
        "also fails OPTIONS (CORS pre-flight) routes, which the rule exempts by default: "
        "suppress those inline",
    ),
)

RELATED: tuple[Related, ...] = (
    Related(
        "PG-TEL-001", "CKV_AWS_50", "X-Ray tracing is enabled for Lambda",
        "accepts tracing mode PassThrough, which the rule fails (only Active traces every "
        "prediction), so CKV_PG_TEL_001 stays",
    ),
    Related(
        "PG-EXP-002", "CKV_AWS_59", "Ensure there is no open access to back-end resources "
        "through API",
        "passes a method with authorization NONE when api_key_required is true (an API key is "
        "not authorization), so CKV_PG_EXP_002 stays for aws_api_gateway_method",
    ),
    Related(
        "PG-TEL-003", "CKV_AWS_98", "Ensure all data stored in the Sagemaker Endpoint is "
        "securely encrypted at rest",
        "checks kms_key_arn (encryption), not data capture: no overlap",
    ),
    Related(
        "PG-TEL-002", "CKV_AWS_66 / CKV_AWS_338", "Ensure that CloudWatch Log Group specifies "
        "retention days / retains logs for at least 1 year",
        "look at each log group alone; the rule links each inference function to its group, "
        "which needs the whole plan",
    ),
)

# Why a rule has no Checkov check at all (beyond being fully deferred).
_NO_CHECK = {
    "stack": "needs the whole plan (a stack rule): a plangate scan and policy-pack feature",
    "policy": "is about the policy file's waivers, not resources: a plangate scan feature",
    "scanner": "is about what plangate's own HCL loader cannot see (module calls, which "
    "Checkov expands itself): a plangate scan feature",
}

# Pseudo-resources of plangate's loaders (e.g. terraform_module_call): no Checkov type.
_SCANNER_ONLY_PREFIX = "terraform_"


@dataclass(frozen=True)
class CheckSpec:
    """One Checkov check: a rule on one framework, for the resource types it covers there."""

    check_id: str
    rule: Rule
    framework: str  # TERRAFORM | KUBERNETES
    resource_types: tuple[str, ...]  # canonical types; for Kubernetes, may hold kubernetes_*
    deferred: tuple[Deferral, ...] = ()  # types of this rule and framework left to built-ins


def check_id(rule_id: str, framework: str) -> str:
    """The Checkov id of ``rule_id`` on ``framework`` (``PG-X-001`` → ``CKV_PG_X_001``)."""
    if not rule_id.startswith("PG-"):
        raise ValueError(f"not a plangate rule id: {rule_id!r}")
    return _PREFIX[framework] + rule_id[3:].replace("-", "_")


def rule_id_of(checkov_id: str) -> str | None:
    """The plangate rule id behind a Checkov id of ours, or None for any other id."""
    match = _CHECK_ID.match(checkov_id)
    return f"PG-{match.group(1)}-{match.group(2)}" if match else None


def framework_of(resource_type: str) -> str:
    return KUBERNETES if resource_type.startswith("kubernetes_") else TERRAFORM


def _deferrals(rule: Rule) -> dict[str, Deferral]:
    return {d.resource_type: d for d in DEFERRED if d.rule_id == rule.id}


def rule_specs(rule: Rule) -> list[CheckSpec]:
    """The Checkov checks of one rule, Terraform first (none for stack / policy rules)."""
    if rule.check is None or not rule.applies_to:
        return []
    deferred = _deferrals(rule)
    specs = []
    for framework in (TERRAFORM, KUBERNETES):
        types = sorted(t for t in rule.applies_to
                       if framework_of(t) == framework and not t.startswith(_SCANNER_ONLY_PREFIX))
        kept = tuple(t for t in types if t not in deferred)
        left = tuple(deferred[t] for t in types if t in deferred)
        if kept:
            specs.append(CheckSpec(check_id(rule.id, framework), rule, framework, kept, left))
    return specs


def check_specs(rules: Iterable[Rule]) -> list[CheckSpec]:
    """Every Checkov check the registry yields, in catalogue order."""
    return [spec for rule in rules for spec in rule_specs(rule)]


def why_no_check(rule: Rule) -> str:
    """For the catalogue: why a rule has no Checkov check of its own ('' when it has one)."""
    if rule.check_stack is not None:
        return _NO_CHECK["stack"]
    if not rule.applies_to:
        return _NO_CHECK["policy"]
    if all(t.startswith(_SCANNER_ONLY_PREFIX) for t in rule.applies_to):
        return _NO_CHECK["scanner"]
    if not rule_specs(rule):
        builtins = ", ".join(d.builtin for d in DEFERRED if d.rule_id == rule.id)
        return f"reported by Checkov's built-in {builtins} (see the deferrals)"
    return ""
