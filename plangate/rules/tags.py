"""Cost-allocation metadata: AWS tags on billable resources, labels on Kubernetes workloads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from plangate.model import REDACTED, Resource, Severity, Unknown, comparable, redact
from plangate.rules.base import Fail, Frameworks, Pass, Undecided, rule
from plangate.rules.scope import pod_metadata
from plangate.settings import mapping_setting, regex_mapping_setting, setting
from plangate.types import BILLABLE, K8S_WORKLOADS


@dataclass(frozen=True)
class TagPolicy:
    required: tuple[str, ...] = setting(
        ("CostCenter", "Owner", "Environment", "Project"),
        "Tag keys every billable resource must carry with a non-empty value.",
    )
    allowed_values: dict[str, tuple[str, ...]] = mapping_setting(
        {"Environment": ("dev", "test", "staging", "prod")},
        "Per tag key, the only values accepted; a '*' in a value stands for any characters, "
        "as in AWS tag policies ('300*', '*').",
    )
    patterns: dict[str, str] = regex_mapping_setting(
        {}, "Per tag key, a regular expression the whole value must match."
    )
    key_case: Literal["exact", "insensitive"] = setting(
        "exact", "Whether tag keys must match the configured spelling exactly."
    )
    required_for: dict[str, tuple[str, ...]] = mapping_setting(
        {}, "Per required tag key, the only resource types it is required on (a key not listed is "
            "required on every billable type); `--tag-policy` fills it from report_required_tag_for."
    )
    enforced_for: dict[str, tuple[str, ...]] = mapping_setting(
        {}, "Per tag key, the resource types on which AWS itself refuses a value outside "
            "allowed_values (a tag policy's enforced_for): the finding says the apply would fail."
    )


def required_keys(cfg: TagPolicy, resource_type: str) -> tuple[str, ...]:
    """The required keys that apply to ``resource_type`` (``required_for`` narrows a key)."""
    return tuple(k for k in cfg.required
                 if k not in cfg.required_for or resource_type in cfg.required_for[k])


def value_allowed(value: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``value`` is one of ``allowed``; ``*`` matches any characters (AWS tag policy
    wildcards), everything else literally and case-sensitively, as AWS compares tag values."""
    return any(value == a if "*" not in a else
               re.fullmatch(".*".join(map(re.escape, a.split("*"))), value, re.DOTALL) is not None
               for a in allowed)


def _compared(value: object, not_kept: object) -> object:
    """The value a check compares: a secret's real value (it is still shown as [secret]);
    ``not_kept`` for a secret whose value the input never carried."""
    got = comparable(value)
    return not_kept if got is None and value is not None else got


def _lookup(tags: Mapping[str, str], key: str, insensitive: bool) -> str | None:
    """The actual key in ``tags`` that stands for the configured ``key``."""
    if key in tags:
        return key
    if insensitive:
        folded = key.casefold()
        for actual in tags:
            if actual.casefold() == folded:
                return actual
    return None


def missing_tags(tags: Mapping[str, str], cfg: TagPolicy, resource_type: str | None = None) -> list[str]:
    """Required keys (configured spelling) that ``tags`` lacks, honouring ``key_case`` (and
    ``required_for`` when ``resource_type`` is given).

    The remediation in the Pulumi pack adds exactly these; the check below reports them.
    """
    insensitive = cfg.key_case == "insensitive"
    keys = cfg.required if resource_type is None else required_keys(cfg, resource_type)
    return [key for key in keys if _lookup(tags, key, insensitive) is None]


def check_required(
    res: Resource,
    values: Mapping[str, str],
    unknown_root: str,
    required: tuple[str, ...],
    allowed: Mapping[str, tuple[str, ...]],
    patterns: Mapping[str, str],
    noun: str,
    insensitive: bool = False,
) -> Iterator[str | Unknown]:
    """Shared by tags and labels: presence, non-empty, allowed values and patterns.

    ``unknown_root`` is the property path of the map (``tags``): a key whose value is
    unknown at plan time is present, but its value cannot be checked yet.
    """
    if res.is_unknown(unknown_root):
        yield Unknown(
            f"{noun}s are unknown until apply; cannot check {', '.join(required)}",
            (unknown_root,),
        )
        return
    missing, empty, undecided, unseen = [], [], [], []
    for key in required:
        actual = _lookup(values, key, insensitive)
        if actual is None:
            (undecided if res.is_unknown(f"{unknown_root}.{key}") else missing).append(key)
        elif res.is_unknown(f"{unknown_root}.{actual}"):
            undecided.append(key)
        elif not str(_compared(values[actual], "x")).strip():
            empty.append(key)
    if missing:
        yield f"missing {noun}s: {', '.join(missing)}"
    if empty:
        yield f"empty {noun} values: {', '.join(empty)}"
    for key in sorted(set(allowed) | set(patterns)):
        actual = _lookup(values, key, insensitive)
        if actual is None or key in empty:
            continue
        if res.is_unknown(f"{unknown_root}.{actual}"):
            if key not in undecided:
                undecided.append(key)
            continue
        value = _compared(values[actual], None)
        shown = res.show(f"{unknown_root}.{actual}", values[actual])
        if value is None:  # a secret the input did not carry: say so, never pass it unseen
            unseen.append(actual)
            continue
        value = str(value)
        if key in allowed and not value_allowed(value, allowed[key]):
            yield f"{noun} {actual}={shown} is not one of: {', '.join(allowed[key])}"
        elif key in patterns and not re.fullmatch(patterns[key], value):
            yield f"{noun} {actual}={shown} does not match {patterns[key]}"
    if undecided:
        paths = tuple(f"{unknown_root}.{k}" for k in undecided)
        yield Unknown(f"{noun} values unknown until apply: {', '.join(undecided)}", paths)
    if unseen:
        yield Unknown(f"secret {noun} values not in the input, so not checked: {', '.join(unseen)}",
                      tuple(f"{unknown_root}.{k}" for k in unseen))


_GOOD_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "prod", "Project": "fraud-scoring"}


@rule(
    id="PG-TAG-001",
    slug="cost-allocation-tags",
    title="Billable AWS resources carry the cost-allocation tags",
    severity=Severity.HIGH,
    category="finops",
    applies_to=BILLABLE,
    settings=TagPolicy,
    remediation=(
        "Add the missing tags to the resource, or once for every resource through the AWS "
        "provider's default_tags (Terraform) / defaultTags (Pulumi)."
    ),
    frameworks=Frameworks(finops="Allocation", nist_ai_rmf="GOVERN 1.6"),
    examples=[
        Pass(type="aws_lambda_function", tags=_GOOD_TAGS, name="all four tags"),
        Fail(
            "missing tags: CostCenter, Environment, Project",
            type="aws_s3_bucket",
            tags={"Owner": "ml-platform"},
            name="only an owner",
        ),
        Fail(
            "empty tag values: Owner",
            type="aws_sqs_queue",
            tags={**_GOOD_TAGS, "Owner": "  "},
            name="blank value (e.g. a default tag overridden with an empty string)",
        ),
        Fail(
            "tag Environment='production' is not one of: dev, test, staging, prod",
            type="aws_dynamodb_table",
            tags={**_GOOD_TAGS, "Environment": "production"},
        ),
        Fail(
            "tag CostCenter='42' does not match cc-[0-9]{4}",
            type="aws_sagemaker_endpoint",
            tags={**_GOOD_TAGS, "CostCenter": "42"},
            settings={"patterns": {"CostCenter": "cc-[0-9]{4}"}},
        ),
        Pass(
            type="aws_cloudwatch_log_group",
            tags={"costcenter": "cc-1", "owner": "a", "environment": "dev", "project": "p"},
            settings={"key_case": "insensitive"},
            name="case-insensitive keys",
        ),
        Fail(
            "missing tags: CostCenter, Owner, Environment, Project",
            type="aws_lambda_function",
            tags={"costcenter": "cc-1", "owner": "a", "environment": "dev", "project": "p"},
            name="case matters by default",
        ),
        Undecided(
            "tags are unknown until apply; cannot check CostCenter, Owner, Environment, Project",
            type="aws_lambda_function",
            unknown={"tags"},
        ),
        Undecided(
            "tag values unknown until apply: Owner",
            type="aws_lambda_function",
            tags={k: v for k, v in _GOOD_TAGS.items() if k != "Owner"},
            unknown={"tags.Owner"},
            name="one value computed at apply",
        ),
        Pass(
            type="aws_lambda_function",
            tags={**_GOOD_TAGS, "Environment": "[secret]"},
            secret={"tags.Environment"},
            settings={"allowed_values": {}},
            name="a secret value is present but never shown",
        ),
        Pass(
            type="aws_lambda_function",
            tags={**_GOOD_TAGS, "Environment": redact("prod")},
            secret={"tags.Environment"},
            name="a sensitive value is still checked: prod is allowed",
        ),
        Fail(
            "tag Environment=[secret] is not one of: dev, test, staging, prod",
            type="aws_lambda_function",
            tags={**_GOOD_TAGS, "Environment": redact("qa-4711")},
            secret={"tags.Environment"},
            name="a sensitive value outside the allowed values fails, shown as [secret]",
        ),
        Fail(
            "tag CostCenter=[secret] does not match cc-[0-9]+",
            type="aws_lambda_function",
            tags={**_GOOD_TAGS, "CostCenter": redact("42")},
            secret={"tags.CostCenter"},
            settings={"patterns": {"CostCenter": "cc-[0-9]+"}},
            name="a sensitive value is matched against the pattern",
        ),
        Pass(
            type="aws_lambda_function",
            tags={"CostCenter": "300-ml", "Owner": "a", "Environment": "prod", "Project": "p"},
            settings={"allowed_values": {"CostCenter": ["100", "200", "300*"]}},
            name="a '*' in an allowed value matches any characters, as in AWS tag policies",
        ),
        Pass(
            type="aws_sqs_queue",
            tags={"Owner": "a"},
            settings={"required": ["Owner", "CostCenter"], "required_for": {"CostCenter": ["aws_instance"]}},
            name="required_for narrows a key to some types (a tag policy's report_required_tag_for)",
        ),
        Fail(
            "missing tags: CostCenter",
            type="aws_instance",
            tags={"Owner": "a"},
            settings={"required": ["Owner", "CostCenter"], "required_for": {"CostCenter": ["aws_instance"]}},
            name="... and still requires it on those types",
        ),
        Fail(
            "tag CostCenter='900' is not one of: 100, 200 (the tag policy enforces it on aws_instance: "
            "AWS refuses this value at apply)",
            type="aws_instance",
            tags={"CostCenter": "900"},
            settings={"required": ["CostCenter"], "allowed_values": {"CostCenter": ["100", "200"]},
                      "enforced_for": {"CostCenter": ["aws_instance"]}},
            name="enforced_for: AWS itself would refuse the value",
        ),
        Undecided(
            "secret tag values not in the input, so not checked: Environment",
            type="aws_lambda_function",
            tags={**_GOOD_TAGS, "Environment": REDACTED},
            secret={"tags.Environment"},
            name="a secret whose value the input never carried cannot pass unseen",
        ),
    ],
)
def cost_allocation_tags(res: Resource, cfg: TagPolicy) -> Iterator[str | Unknown]:
    """Every billable AWS resource carries the cost-allocation tags finance allocates spend by,
    with non-empty, allowed values.  Billable means every type the AWS provider lets you tag
    (its schema has ``tags_all``) except those that bill nothing by themselves (IAM, VPCs,
    subnets, security groups, route tables and the like: ``plangate.types.NOT_BILLED`` lists
    each with its reason).  Effective tags include the provider's default tags, less the keys
    its ``ignore_tags`` names."""
    insensitive = cfg.key_case == "insensitive"
    refused = [_lookup(res.tags, key, insensitive) for key, types in cfg.enforced_for.items()
               if res.type in types and key in cfg.allowed_values]
    for answer in check_required(res, res.tags, "tags", required_keys(cfg, res.type),
                                 cfg.allowed_values, cfg.patterns, "tag", insensitive=insensitive):
        if isinstance(answer, str) and any(
                actual and answer.startswith(f"tag {actual}=") and " is not one of: " in answer
                for actual in refused):
            # AWS refuses the create or tag call outright: say the apply would fail, not only allocation
            answer += f" (the tag policy enforces it on {res.type}: AWS refuses this value at apply)"
        yield answer


@dataclass(frozen=True)
class LabelPolicy:
    labels: dict[str, str] = regex_mapping_setting(
        {"owner": "", "team": "", "cost-center": "", "environment": ""},
        "Required label keys; the value is a regular expression the label must match "
        "('' = any non-empty value).",
    )
    annotations: dict[str, str] = regex_mapping_setting(
        {}, "Required annotation keys, with a regular expression as for labels."
    )
    kinds: tuple[str, ...] = setting(
        tuple(sorted(K8S_WORKLOADS)),
        "Canonical types checked (kubernetes_<kind in snake_case>).",
    )
    pod_template: bool = setting(
        True,
        "For pod controllers, check the pod template's metadata (what Kubecost allocates "
        "by and what Kyverno's autogen checks) instead of the controller's own.",
    )


def _k8s_required(res: Resource, part: str, wanted: Mapping[str, str], use_template: bool):
    values = pod_metadata(res, part) if use_template and "pod_metadata" in res.properties else (
        res.labels if part == "labels" else res.annotations
    )
    noun = part[:-1]
    required = tuple(wanted)
    patterns = {k: v for k, v in wanted.items() if v}
    return check_required(res, values, part, required, {}, patterns, noun)


@rule(
    id="PG-TAG-002",
    slug="kubernetes-cost-labels",
    title="Kubernetes workloads carry the cost-allocation labels",
    severity=Severity.MEDIUM,
    category="finops",
    applies_to={"kubernetes_*"},
    settings=LabelPolicy,
    remediation=(
        "Add the labels to the pod template (spec.template.metadata.labels) of the "
        "controller, or to the object itself for kinds without pods."
    ),
    frameworks=Frameworks(finops="Allocation"),
    examples=[
        Pass(
            type="kubernetes_deployment",
            properties={"pod_metadata": {"labels": {
                "owner": "a", "team": "b", "cost-center": "c", "environment": "prod"}}},
        ),
        Fail(
            "missing labels: team, cost-center, environment",
            type="kubernetes_deployment",
            labels={"owner": "a", "team": "b", "cost-center": "c", "environment": "prod"},
            properties={"pod_metadata": {"labels": {"owner": "a"}}},
            name="labels on the controller but not on its pods",
        ),
        Fail(
            "missing labels: owner, team, cost-center, environment",
            type="kubernetes_pod",
            name="a bare pod",
        ),
        Pass(type="kubernetes_service", name="kinds not configured are not checked"),
        Fail(
            "label owner='user' does not match ^[a-zA-Z]+.agilebank.demo$",
            type="kubernetes_namespace",
            labels={"owner": "user"},
            settings={"labels": {"owner": "^[a-zA-Z]+.agilebank.demo$"}, "kinds": ["kubernetes_namespace"]},
        ),
        Fail(
            "missing annotations: a8r.io/owner",
            type="kubernetes_service",
            annotations={"a8r.io/runbook": "https://runbooks.example/x"},
            settings={"labels": {}, "annotations": {"a8r.io/owner": "", "a8r.io/runbook": ""},
                      "kinds": ["kubernetes_service"]},
        ),
    ],
)
def kubernetes_cost_labels(res: Resource, cfg: LabelPolicy) -> Iterator[str | Unknown]:
    """Kubernetes workloads (pods, controllers, KServe services) carry the labels cost
    tools such as Kubecost and OpenCost allocate by, and any annotations required; the
    required keys, value patterns and kinds are configurable, so the same rule enforces
    Gatekeeper's K8sRequiredLabels / K8sRequiredAnnotations and Kyverno's require-labels."""
    if res.type not in cfg.kinds:
        return
    if cfg.labels:
        yield from _k8s_required(res, "labels", cfg.labels, cfg.pod_template)
    if cfg.annotations:
        yield from _k8s_required(res, "annotations", cfg.annotations, cfg.pod_template)
