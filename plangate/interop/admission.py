"""The rules that apply to Kubernetes objects, as an admission controller sees them.

One home for what the Gatekeeper and Kyverno exports share: which rules are exported (those
of the registry that look at Kubernetes kinds and have a Rego body in ``rego/``), the kinds a
rule matches, its plangate.yaml settings as admission parameters, and — for tests and for
checking a cluster's view against plangate's — a `Resource` written back as the manifest it
came from and wrapped in an AdmissionReview.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from importlib import resources as package_files
from typing import Any

from plangate.loaders.k8s import POD_TEMPLATE_PATHS
from plangate.model import Resource
from plangate.policy import Policy
from plangate.rules.base import Rule

#: Kinds that are not in the core API group, for manifests built from a canonical type.
_API_VERSIONS = {
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1", "InferenceService": "serving.kserve.io/v1beta1",
    "LLMInferenceService": "serving.kserve.io/v1alpha1",
}
_ACRONYMS = {"llm": "LLM"}
_PROBE_KINDS = ("kubernetes_pod", "kubernetes_deployment", "kubernetes_namespace", "kubernetes_service")


def rego_body(rule: Rule) -> str | None:
    """The Rego that enforces ``rule`` at admission (package data), or None when it has none."""
    path = package_files.files("plangate.interop") / "rego" / f"{rule.slug}.rego"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def exported_rules(catalogue: Iterable[Rule]) -> list[Rule]:
    """Resource rules that look at Kubernetes objects and have an admission body."""
    return [r for r in catalogue if r.check is not None and any(r.applies(t) for t in _PROBE_KINDS)
            and rego_body(r) is not None]


def kind_name(canonical: str) -> str:
    """``kubernetes_stateful_set`` → ``StatefulSet`` (the inverse of the loader's snake_case)."""
    parts = canonical.removeprefix("kubernetes_").split("_")
    return "".join(_ACRONYMS.get(p, p.capitalize()) for p in parts)


def api_version(kind: str) -> str:
    """The ``apiVersion`` objects of ``kind`` are written with (``apps/v1`` for a Deployment)."""
    return _API_VERSIONS.get(kind, "v1")


def kind_names(kinds: Iterable[str]) -> list[str]:
    """The Kubernetes kinds a policy matches for canonical ``kinds`` (``["*"]`` for ``kubernetes_*``)."""
    return sorted({kind_name(k) for k in kinds if not k.endswith("*")}) or ["*"]


#: What admission policies are evaluated on: objects written, not deleted (``object`` is null then).
OPERATIONS = ["CREATE", "UPDATE"]


def resource_rules(kinds: Iterable[str]) -> list[dict[str, Any]]:
    """``matchConstraints.resourceRules`` (ValidatingAdmissionPolicy, Kyverno ValidatingPolicy) for
    canonical ``kinds``: one rule per API group, resources named as the API server names them."""
    names = kind_names(kinds)
    if names == ["*"]:
        return [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": list(OPERATIONS), "resources": ["*"]}]
    by_group: dict[str, list[str]] = {}
    for name in names:
        group = api_version(name).rpartition("/")[0]
        by_group.setdefault(group, []).append(_plural(name.lower()))
    return [{"apiGroups": [group], "apiVersions": ["*"], "operations": list(OPERATIONS), "resources": sorted(resources)}
            for group, resources in sorted(by_group.items())]


def validation_actions(enforcement: Any) -> list[str]:
    """A ValidatingAdmissionPolicyBinding's / Kyverno ValidatingPolicy's ``validationActions`` for
    a rule's enforcement: mandatory denies; advisory warns the client and is audited."""
    from plangate.model import Enforcement

    return ["Deny"] if enforcement is Enforcement.MANDATORY else ["Warn", "Audit"]


def rule_kinds(rule: Rule, settings: Any) -> list[str]:
    """Canonical types the rule checks: its ``kinds`` setting when it has one, else the
    Kubernetes types it applies to (``kubernetes_*`` for all)."""
    configured = getattr(settings, "kinds", None)
    if configured is not None:
        return sorted(configured)
    return sorted(t for t in rule.applies_to if t.startswith("kubernetes_"))


def parameters(settings: Any) -> dict[str, Any]:
    """A rule's settings as admission parameters: plangate.yaml's names and values, with each
    mapping written as an ordered list of ``{key, value}`` (Rego objects have no order, and
    messages list keys in the configured order)."""
    from plangate.settings import as_dict

    if not dataclasses.is_dataclass(settings):
        return {}
    return {name: _pairs(value) if isinstance(value, Mapping) else value
            for name, value in as_dict(settings).items()}


def parameter_schema(rule: Rule) -> dict[str, Any]:
    """The OpenAPI v3 schema of `parameters`, derived from the settings declaration."""
    from plangate.settings import schema

    props = {}
    for name, prop in schema(rule.settings_type).items():
        prop = {k: v for k, v in prop.items() if k != "default"}
        if prop.get("type") == "object" and "additionalProperties" in prop:
            value = prop.pop("additionalProperties")
            prop = {"type": "array", "description": prop.get("description", ""),
                    "items": {"type": "object", "properties": {"key": {"type": "string"}, "value": value}}}
        props[name] = prop
    return {"type": "object", "properties": props}


def _pairs(mapping: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def constants() -> str:
    """Rego definitions every body reads, rendered from the registry's own values."""
    from plangate.rules import rai

    values = {
        "_pod_template_kinds": sorted(k for k in POD_TEMPLATE_PATHS if k != "CronJob"),
        "_meaning": rai.MEANING,
        "_url_keys": list(rai.URL_KEYS),
        "_url": rai._URL.pattern,
        "_prohibited": rai.PROHIBITED_TIER,
    }
    return "".join(f"{name} := {json.dumps(value, sort_keys=True)}\n\n" for name, value in values.items())


def rego_module(rule: Rule, package: str, kinds: list[str]) -> str:
    """The complete Rego module for ``rule``: package, shared prelude, constants and body."""
    prelude = (package_files.files("plangate.interop") / "rego" / "prelude.rego").read_text(encoding="utf-8")
    return (f"# {rule.id} {rule.slug}: generated by `plangate export` from plangate's rule registry.\n"
            f"package {package}\n\nimport rego.v1\n\n"
            f"_rule_kinds := {json.dumps(kinds)}\n\n{constants()}{prelude}\n{rego_body(rule)}")


def rule_inputs(policy: Policy, catalogue: Iterable[Rule]) -> list[tuple[Rule, Any, list[str]]]:
    """(rule, settings, canonical kinds) for every exported rule the policy does not disable."""
    from plangate.model import Enforcement

    out = []
    for r in exported_rules(catalogue):
        cfg = policy.config(r)
        if cfg.enforcement is not Enforcement.DISABLED:
            out.append((r, cfg.settings, rule_kinds(r, cfg.settings)))
    return out


# --- a Resource as the object an admission controller sees --------------------------------------

def manifest(res: Resource) -> dict[str, Any]:
    """``res`` written back as a Kubernetes object (AWS-style tags become labels and pod-template
    annotations, so any example can be admitted as a Deployment)."""
    kubernetes = res.type.startswith("kubernetes_")
    kind = kind_name(res.type) if kubernetes else "Deployment"
    name = res.address.rsplit("/", 1)[-1].rsplit(".", 1)[-1].replace("_", "-").lower() or "example"
    props = {k: v for k, v in res.properties.items() if k != "pod_metadata"} if kubernetes else {}
    labels = dict(res.labels) if kubernetes else dict(res.tags)
    annotations = dict(res.annotations)
    template = dict(res.properties.get("pod_metadata") or {}) if kubernetes else {"annotations": dict(res.tags)}
    obj: dict[str, Any] = {**props, "apiVersion": api_version(kind), "kind": kind,
                           "metadata": {"name": name, "labels": labels, "annotations": annotations}}
    path = POD_TEMPLATE_PATHS.get(kind)
    if path:
        node = obj
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = {k: dict(v) for k, v in template.items() if k in ("labels", "annotations")}
    return obj


def review(obj: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Gatekeeper's input for ``obj``: ``input.review`` (the AdmissionReview v1 request an API
    server sends for creating it) and ``input.parameters`` (the Constraint's)."""
    api_version = str(obj.get("apiVersion", "v1"))
    group, _, version = api_version.rpartition("/")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    kind = str(obj.get("kind", ""))
    gvk = {"group": group, "version": version, "kind": kind}
    resource = {"group": group, "version": version, "resource": _plural(kind.lower())}
    request = {"uid": "plangate", "operation": "CREATE", "kind": gvk, "resource": resource,
               "requestKind": gvk, "requestResource": resource,
               "name": meta.get("name", ""), "namespace": meta.get("namespace", ""),
               # plangate is no cluster user: an authenticated identity no policy exempts
               "userInfo": {"username": "plangate", "uid": "plangate", "groups": ["system:authenticated"]},
               "object": obj, "oldObject": None, "dryRun": False,
               "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}
    return {"review": request, "parameters": dict(parameters or {})}


def _plural(kind: str) -> str:
    """The resource name the API server guesses for a lower-cased kind (``networkpolicy`` →
    ``networkpolicies``, ``ingress`` → ``ingresses``), as client-go's UnsafeGuessKindToResource."""
    if kind.endswith("s"):
        return kind + "es"
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + "s" if kind else ""


def admission_review(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The AdmissionReview an API server sends a webhook for creating ``obj`` (``input.request``
    for OPA's kube-mgmt style policies, package ``kubernetes.admission``)."""
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": review(obj)["review"]}
