"""``plangate export gatekeeper``: ConstraintTemplates and Constraints for the rules that
apply to Kubernetes objects, generated from the registry and carrying plangate.yaml's settings.

Each exported rule gives one ConstraintTemplate (kind ``Plangate<Slug>``; its parameter schema
derived from the rule's settings; its Rego assembled by `admission.rego_module`) and one
Constraint (the configured settings as parameters; ``deny`` for mandatory rules, ``warn`` for
advisory ones; matching the kinds the rule checks).  Beside the Rego, each template carries the
same check in CEL (a ``K8sNativeValidation`` code block, from `cel`, reading the Constraint's
parameters as ``variables.params``): Gatekeeper 3.18+ evaluates it in-process, and with
``generateVAP`` it writes a ValidatingAdmissionPolicy the API server enforces itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plangate.interop import admission, cel
from plangate.model import Enforcement
from plangate.policy import Policy
from plangate.rules.base import Rule

TARGET = "admission.k8s.gatekeeper.sh"


def constraint_kind(rule: Rule) -> str:
    return "Plangate" + "".join(part.capitalize() for part in rule.slug.split("-"))


def documents(policy: Policy, catalogue: Iterable[Rule], version: str,
              generate_vap: bool | None = None) -> list[dict[str, Any]]:
    """ConstraintTemplate, Constraint, … for every exported rule the policy enables.

    ``generate_vap`` sets the CEL block's ``generateVAP`` (None leaves it to Gatekeeper's
    ``--default-create-vap-for-templates``)."""
    docs: list[dict[str, Any]] = []
    for rule, settings, kinds in admission.rule_inputs(policy, catalogue):
        kind = constraint_kind(rule)
        docs.append(_template(rule, kind, kinds, version, generate_vap))
        enforcement = policy.config(rule).enforcement
        docs.append({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": kind,
            "metadata": {"name": f"{rule.id.lower()}-{rule.slug}",
                         "annotations": {"plangate.dev/rule": rule.id, "plangate.dev/policy": policy.source}},
            "spec": {
                "enforcementAction": "deny" if enforcement is Enforcement.MANDATORY else "warn",
                "match": {"kinds": [{"apiGroups": ["*"], "kinds": admission.kind_names(kinds)}]},
                "parameters": admission.parameters(settings),
            },
        })
    return docs


def _template(rule: Rule, kind: str, kinds: list[str], version: str, generate_vap: bool | None) -> dict[str, Any]:
    rule_kinds = sorted(t for t in rule.applies_to if t.startswith("kubernetes_"))
    target: dict[str, Any] = {"target": TARGET, "rego": admission.rego_module(rule, kind.lower(), rule_kinds)}
    if cel.supports(rule):
        program = cel.program(rule, None, cel.GATEKEEPER_SUBJECT)
        source: dict[str, Any] = {"variables": program.variable_list(), "validations": program.validation_list()}
        if generate_vap is not None:
            source["generateVAP"] = generate_vap
        target["code"] = [{"engine": "K8sNativeValidation", "source": source}]
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {
            "name": kind.lower(),
            "annotations": {
                "metadata.gatekeeper.sh/title": rule.title,
                "metadata.gatekeeper.sh/version": version,
                "description": " ".join(rule.description.split()),
                "plangate.dev/rule": rule.id,
                "plangate.dev/docs": rule.url,
            },
        },
        "spec": {
            "crd": {"spec": {"names": {"kind": kind},
                             "validation": {"openAPIV3Schema": admission.parameter_schema(rule)}}},
            "targets": [target],
        },
    }
