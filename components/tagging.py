"""The stack-wide cost-allocation transform: required tags on every taggable AWS resource.

    from components import register_cost_allocation_tags
    register_cost_allocation_tags({"CostCenter": "cc-1042", "Owner": "ml-platform",
                                   "Environment": "dev", "Project": "fraud-scoring"})

Registered once at the top of a program, it runs before every later resource registration
(the ones the program creates directly included) and adds each required tag the resource
does not already carry; a value the program set is never changed, whatever its case.

Which resources take tags is read from pulumi_aws itself (a ``tags`` map argument), so new
AWS resource types need no list here; which tags are required is plangate's `TagPolicy`.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
from collections.abc import Mapping
from functools import cache
from typing import Any

import pulumi

from plangate.model import Resource
from plangate.rules.tags import TagPolicy, check_required


@cache
def taggable(type_token: str) -> bool:
    """Whether the pulumi_aws resource ``aws:<module>/<member>:<Class>`` takes a ``tags`` map.

    Resources whose ``tags`` is a list of blocks (Auto Scaling groups) are left alone.
    """
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws" or "/" not in parts[1]:
        return False
    module = parts[1].split("/", 1)[0]
    if keyword.iskeyword(module):  # aws:lambda/... lives in pulumi_aws.lambda_
        module += "_"
    try:
        cls = getattr(importlib.import_module(f"pulumi_aws.{module}"), parts[2])
        param = inspect.signature(cls._internal_init).parameters.get("tags")
    except (ImportError, AttributeError, TypeError, ValueError):
        return False
    return param is not None and str(param.annotation).startswith("typing.Union[typing.Mapping[str")


def missing_required(tags: Mapping[str, Any], required: Mapping[str, str]) -> dict[str, str]:
    """The required tags whose key ``tags`` lacks (compared without case, so a user's
    ``costcenter`` is kept and not doubled by ``CostCenter``)."""
    present = {str(k).casefold() for k in tags}
    return {k: v for k, v in required.items() if k.casefold() not in present}


def check_values(values: Mapping[str, str], policy: TagPolicy | None = None) -> dict[str, str]:
    """The stack's tag values, refused early when plangate's tag check would refuse them
    (a required key missing or empty, a value outside the allowed values or its pattern):
    the rule's own check decides, so the transform never adds what the gate then fails."""
    policy = policy or TagPolicy()
    given = {str(k): str(v) for k, v in values.items()}
    stack = Resource(type="", address="stack tags", source_format="pulumi", properties={"tags": given}, tags=given)
    problems = [str(p) for p in check_required(stack, given, "tags", policy.required, policy.allowed_values,
                                               policy.patterns, "tag", policy.key_case == "insensitive")]
    if problems:
        raise ValueError(f"cost-allocation tags: {'; '.join(problems)}")
    return {k: given[k] for k in policy.required if k in given} | given


def cost_allocation_transform(values: Mapping[str, str], policy: TagPolicy | None = None):
    """A resource transform adding ``values`` (checked against ``policy``) to taggable
    AWS resources that lack them."""
    required = check_values(values, policy)

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if not args.custom or not taggable(args.type_):
            return None
        current = args.props.get("tags")
        if current is not None and not isinstance(current, Mapping):
            return None  # unknown until apply: nothing can be merged without overwriting
        add = missing_required(current or {}, required)
        if not add:
            return None
        props = dict(args.props)
        props["tags"] = {**add, **(current or {})}
        return pulumi.ResourceTransformResult(props, args.opts)

    return transform


def register_cost_allocation_tags(values: Mapping[str, str], policy: TagPolicy | None = None):
    """Register the transform for every resource created after this call; returns it."""
    transform = cost_allocation_transform(values, policy)
    pulumi.runtime.register_resource_transform(transform)
    return transform
