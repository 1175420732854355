"""``plangate export vap``: the rules that apply to Kubernetes objects as Kubernetes'
own ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding (``admissionregistration.k8s.io/v1``,
GA since 1.30): enforced by the API server, no controller to run.

One policy and one binding per rule, the CEL of `cel` with the settings bound as the ``params``
variable (no parameter resource to keep in step); the binding denies for mandatory rules and
warns and audits for advisory ones, in every namespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plangate.interop import admission, cel
from plangate.policy import Policy
from plangate.rules.base import Rule

API_VERSION = "admissionregistration.k8s.io/v1"


def documents(policy: Policy, catalogue: Iterable[Rule], version: str) -> list[dict[str, Any]]:
    """ValidatingAdmissionPolicy, its Binding, … for every exported rule the policy enables."""
    docs: list[dict[str, Any]] = []
    for rule, settings, kinds in admission.rule_inputs(policy, catalogue):
        if not cel.supports(rule):
            continue
        program = cel.program(rule, admission.parameters(settings))
        name = f"{rule.id.lower()}-{rule.slug}"
        annotations = {"plangate.dev/rule": rule.id, "plangate.dev/version": version,
                       "plangate.dev/policy": policy.source, "plangate.dev/docs": rule.url}
        docs.append({
            "apiVersion": API_VERSION,
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": name, "annotations": {"plangate.dev/title": rule.title, **annotations}},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": admission.resource_rules(kinds)},
                "variables": program.variable_list(),
                "validations": program.validation_list(),
            },
        })
        docs.append({
            "apiVersion": API_VERSION,
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {"policyName": name,
                     "validationActions": admission.validation_actions(policy.config(rule).enforcement)},
        })
    return docs
