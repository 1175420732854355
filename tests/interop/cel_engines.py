"""The four places plangate's admission CEL runs, reproduced in the small with the ``cel`` package
(Python bindings of the Rust CEL interpreter) and its cel-go strings extension (``trim``,
``lowerAscii``, ``replace``, ``substring``, ``join``: Kubernetes' CEL libraries):

- Kubernetes ValidatingAdmissionPolicy (and Kyverno's ValidatingPolicy, which has its shape): the
  request matches a ``matchConstraints.resourceRules`` entry (API group and resource); the
  ``variables`` are evaluated in order as ``variables.<name>``; every validation that is not
  ``true`` fails with its ``messageExpression`` (else its ``message``);
- Kyverno ClusterPolicy (legacy): a rule applies when the object's kind is matched; its
  ``validate.cel`` is evaluated as above;
- Gatekeeper's ``K8sNativeValidation``: the Constraint matches the kind; Gatekeeper binds the
  object as ``variables.anyObject`` and the Constraint's parameters as ``variables.params``.

Each function returns the messages of the failing validations, each split on ``"; "`` (one
validation reports every key it fails for), so they compare with plangate's messages.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import cel
from cel.stdlib import add_stdlib_to_context

from plangate.interop import admission


def as_admitted(value: Any) -> Any:
    """The object as the API server hands it to admission: typed decoding drops null fields
    (``metadata:`` with nothing under it is no metadata)."""
    if isinstance(value, dict):
        return {k: as_admitted(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [as_admitted(v) for v in value]
    return value


@functools.cache
def _compiled(expression: str) -> cel.Program:
    return cel.compile(expression)


def run(variables: Sequence[Mapping[str, str]], validations: Sequence[Mapping[str, str]],
        bindings: Mapping[str, Any], bound: Mapping[str, Any] | None = None) -> list[str]:
    """Messages of the failing ``validations`` (``bound``: variables the engine defines itself)."""
    ctx = cel.Context()
    add_stdlib_to_context(ctx, ["strings"])
    for name, value in bindings.items():
        ctx.add_variable(name, value)
    values: dict[str, Any] = dict(bound or {})

    def evaluate(expression: str) -> Any:
        ctx.add_variable("variables", values)
        return _compiled(expression).execute(ctx)

    for var in variables:
        values[var["name"]] = evaluate(var["expression"])
    failed = []
    for check in validations:
        if evaluate(check["expression"]) is not True:
            text = evaluate(check["messageExpression"]) if check.get("messageExpression") else check["message"]
            failed += text.split("; ")
    return sorted(failed)


def _resource(obj: Mapping[str, Any]) -> tuple[str, str]:
    review = admission.review(obj)["review"]
    return review["resource"]["group"], review["resource"]["resource"]


def matched(rules: Sequence[Mapping[str, Any]], obj: Mapping[str, Any]) -> bool:
    group, resource = _resource(obj)
    return any(("*" in r["apiGroups"] or group in r["apiGroups"]) and "CREATE" in r["operations"]
               and ("*" in r["resources"] or resource in r["resources"]) for r in rules)


def admission_policy_fails(doc: Mapping[str, Any], obj: Mapping[str, Any]) -> list[str]:
    """A ValidatingAdmissionPolicy's or a Kyverno ValidatingPolicy's messages for creating ``obj``."""
    obj = as_admitted(obj)
    spec = doc["spec"]
    if not matched(spec["matchConstraints"]["resourceRules"], obj):
        return []
    return run(spec.get("variables", []), spec["validations"], {"object": obj, "oldObject": None})


def cluster_policy_fails(doc: Mapping[str, Any], obj: Mapping[str, Any]) -> list[str]:
    """A Kyverno ClusterPolicy's messages for ``obj``."""
    obj = as_admitted(obj)
    failed: list[str] = []
    for entry in doc["spec"]["rules"]:
        kinds = entry["match"]["any"][0]["resources"]["kinds"]
        if obj["kind"] in kinds or "*" in kinds:
            validate = entry["validate"]["cel"]
            failed += run(validate.get("variables", []), validate["expressions"], {"object": obj, "oldObject": None})
    return sorted(failed)


def gatekeeper_cel_fails(template: Mapping[str, Any], constraint: Mapping[str, Any],
                         obj: Mapping[str, Any]) -> list[str]:
    """A ConstraintTemplate's ``K8sNativeValidation`` messages for ``obj`` under ``constraint``."""
    obj = as_admitted(obj)
    kinds = constraint["spec"]["match"]["kinds"][0]["kinds"]
    if obj["kind"] not in kinds and "*" not in kinds:
        return []
    (code,) = [c for c in template["spec"]["targets"][0]["code"] if c["engine"] == "K8sNativeValidation"]
    source = code["source"]
    return run(source.get("variables", []), source["validations"], {"object": obj, "oldObject": None},
               {"params": constraint["spec"]["parameters"], "anyObject": obj})
