"""``plangate export kyverno``: the rules that apply to Kubernetes objects as Kyverno
``ValidatingPolicy`` (``policies.kyverno.io/v1``, CEL) — or, with ``--legacy``, as the
``kyverno.io/v1`` ClusterPolicy Kyverno deprecated in 1.17 — with the CEL of `cel`.

One policy per rule; its settings travel as the ``params`` variable.  Kyverno's autogen is off:
the controllers are matched explicitly and the CEL reads their pod templates itself.  Messages are
plangate's (``plangate scan`` on the same manifests gives the same sentences).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plangate.interop import admission, cel
from plangate.model import Enforcement
from plangate.policy import Policy
from plangate.rules.base import Rule


def documents(policy: Policy, catalogue: Iterable[Rule], version: str, legacy: bool = False) -> list[dict[str, Any]]:
    """A ValidatingPolicy (ClusterPolicy when ``legacy``) for every exported rule the policy enables."""
    docs = []
    for rule, settings, kinds in admission.rule_inputs(policy, catalogue):
        if not cel.supports(rule):
            continue
        enforcement = policy.config(rule).enforcement
        program = cel.program(rule, admission.parameters(settings))
        metadata = {"name": f"{rule.id.lower()}-{rule.slug}", "annotations": _annotations(rule, policy, version)}
        build = _cluster_policy if legacy else _validating_policy
        docs.append(build(rule, metadata, program, kinds, enforcement))
    return docs


def _annotations(rule: Rule, policy: Policy, version: str) -> dict[str, str]:
    return {
        "policies.kyverno.io/title": rule.title,
        "policies.kyverno.io/category": rule.category,
        "policies.kyverno.io/severity": rule.severity.value,
        "policies.kyverno.io/description": " ".join(rule.description.split()),
        "plangate.dev/rule": rule.id,
        "plangate.dev/version": version,
        "plangate.dev/policy": policy.source,
    }


def _validating_policy(rule: Rule, metadata: dict[str, Any], program: cel.Program, kinds: list[str],
                       enforcement: Enforcement) -> dict[str, Any]:
    return {
        "apiVersion": "policies.kyverno.io/v1",
        "kind": "ValidatingPolicy",
        "metadata": metadata,
        "spec": {
            "validationActions": admission.validation_actions(enforcement),
            "evaluation": {"background": {"enabled": True}},
            # an explicit empty list turns autogen off (nil would mean every controller)
            "autogen": {"podControllers": {"controllers": []}},
            "matchConstraints": {"resourceRules": admission.resource_rules(kinds)},
            "variables": program.variable_list(),
            "validations": program.validation_list(),
        },
    }


def _cluster_policy(rule: Rule, metadata: dict[str, Any], program: cel.Program, kinds: list[str],
                    enforcement: Enforcement) -> dict[str, Any]:
    annotations = {**metadata["annotations"], "pod-policies.kyverno.io/autogen-controllers": "none"}
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {**metadata, "annotations": annotations},
        "spec": {
            "validationFailureAction": "Enforce" if enforcement is Enforcement.MANDATORY else "Audit",
            "background": True,
            "rules": [{
                "name": rule.slug,
                "match": {"any": [{"resources": {"kinds": admission.kind_names(kinds)}}]},
                "validate": {"cel": {"variables": program.variable_list(),
                                     "expressions": program.validation_list()}},
            }],
        },
    }
