"""``plangate export kyverno``: the rules that apply to Kubernetes objects as Kyverno
ClusterPolicies, with CEL validations built from the rule's configured settings.

One ClusterPolicy per rule, one policy rule per group of kinds that keep their pods' metadata
in the same place (the object itself, ``spec.template.metadata``, or a CronJob's job template),
so a pod controller is judged on its pods as plangate judges it.  Kyverno's own autogen is off:
the controllers are matched explicitly.  Messages name the key; ``plangate scan`` on the same
manifests gives the full sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from plangate.interop import admission
from plangate.model import Enforcement
from plangate.policy import Policy
from plangate.rules.base import Rule


def documents(policy: Policy, catalogue: Iterable[Rule], version: str) -> list[dict[str, Any]]:
    docs = []
    for rule, settings, kinds in admission.rule_inputs(policy, catalogue):
        build = _BUILDERS.get(rule.slug)
        if build is None:
            continue
        enforcement = policy.config(rule).enforcement
        rules = []
        for group, kind_names in _groups(kinds):
            expressions, preconditions = build(rule, settings, group)
            entry: dict[str, Any] = {
                "name": f"{rule.slug}-{group}",
                "match": {"any": [{"resources": {"kinds": kind_names}}]},
                "validate": {"cel": {"variables": _variables(group), "expressions": expressions}},
            }
            if preconditions:
                entry["celPreconditions"] = preconditions
            rules.append(entry)
        docs.append({
            "apiVersion": "kyverno.io/v1",
            "kind": "ClusterPolicy",
            "metadata": {
                "name": f"{rule.id.lower()}-{rule.slug}",
                "annotations": {
                    "policies.kyverno.io/title": rule.title,
                    "policies.kyverno.io/category": rule.category,
                    "policies.kyverno.io/severity": rule.severity.value,
                    "policies.kyverno.io/description": " ".join(rule.description.split()),
                    "pod-policies.kyverno.io/autogen-controllers": "none",
                    "plangate.dev/rule": rule.id,
                    "plangate.dev/version": version,
                    "plangate.dev/policy": policy.source,
                },
            },
            "spec": {
                "validationFailureAction": "Enforce" if enforcement is Enforcement.MANDATORY else "Audit",
                "background": True,
                "rules": rules,
            },
        })
    return docs


# --- where a kind keeps its pods' metadata ----------------------------------------------------------

def _groups(kinds: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(group, Kubernetes kinds): ``pods`` (own metadata), ``controllers``, ``cronjobs``."""
    names = sorted({admission.kind_name(k) for k in kinds if not k.endswith("*")}) or ["*"]
    paths = admission.POD_TEMPLATE_PATHS
    groups = {
        "objects": [n for n in names if n not in paths],
        "controllers": [n for n in names if n in paths and paths[n] == ("spec", "template", "metadata")],
        "cronjobs": [n for n in names if n in paths and paths[n] != ("spec", "template", "metadata")],
    }
    return [(g, ns) for g, ns in groups.items() if ns]


def _map_of(path: Sequence[str], part: str) -> str:
    """CEL: the map at object.<path>.<part>, or {} when any step is absent."""
    steps = ["object", *path, part]
    guards = [f"has({'.'.join(steps[:i + 1])})" for i in range(1, len(steps))]
    return f"{' && '.join(guards)} ? {'.'.join(steps)} : {{}}"


def _variables(group: str) -> list[dict[str, str]]:
    template = {"controllers": ("spec", "template", "metadata"),
                "cronjobs": ("spec", "jobTemplate", "spec", "template", "metadata")}.get(group)
    out = []
    for part in ("labels", "annotations"):
        out.append({"name": f"own_{part}", "expression": _map_of(("metadata",), part)})
        out.append({"name": f"pod_{part}", "expression": _map_of(template, part) if template else "{}"})
    return out


def _has(key: str, maps: Sequence[str]) -> str:
    return "(" + " || ".join(f"{json.dumps(key)} in variables.{m}" for m in maps) + ")"


def _get(key: str, maps: Sequence[str]) -> str:
    """CEL: the value the first map holding ``key`` gives (callers check `_has` first)."""
    expr = f"variables.{maps[-1]}[{json.dumps(key)}]"
    for m in reversed(maps[:-1]):
        expr = f"({json.dumps(key)} in variables.{m} ? variables.{m}[{json.dumps(key)}] : {expr})"
    return expr


def _full(pattern: str) -> str:
    return json.dumps(f"^(?:{pattern})$")


# --- one builder per rule: its settings as CEL --------------------------------------------------------

def _cost_labels(rule: Rule, cfg: Any, group: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    expressions = []
    for part, wanted in (("labels", cfg.labels), ("annotations", cfg.annotations)):
        maps = [f"pod_{part}" if cfg.pod_template and group != "objects" else f"own_{part}"]
        noun = part[:-1]
        for key, pattern in wanted.items():
            expr = f"{_has(key, maps)} && {_get(key, maps)}.trim() != ''"
            message = f"missing or empty {noun} {key}"
            if pattern:
                expr += f" && {_get(key, maps)}.matches({_full(pattern)})"
                message += f", or it does not match {pattern}"
            expressions.append({"expression": expr, "message": message})
    return expressions, []


_LABELS = ["own_labels", "pod_labels"]  # the object's own labels win, as in plangate
_ANNOTATIONS = ["own_annotations", "pod_annotations"]


def _rai_metadata(rule: Rule, cfg: Any, group: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    from plangate.rules import rai

    pairs = [f"{_has(k, _LABELS)} && {_get(k, _LABELS)} == {json.dumps(v)}" if v else _has(k, _LABELS)
             for k, v in cfg.selector.items()]
    selected = " && ".join(f"({p})" for p in pairs) if pairs else "false"
    expressions = []
    for key in cfg.required:
        full = cfg.prefix + key
        meaning = rai.MEANING.get(key, key)
        expressions.append({"expression": f"{_has(full, _ANNOTATIONS)} && {_get(full, _ANNOTATIONS)}.trim() != ''",
                            "message": f"missing or empty {full} ({meaning})"})
        if key in rai.URL_KEYS:
            value = _get(full, _ANNOTATIONS)
            expressions.append({
                "expression": f"!{_has(full, _ANNOTATIONS)} || {value}.trim() == '' || "
                              f"{value}.trim().matches({_full(rai._URL.pattern)})",
                "message": f"{full} is not a URL"})
    tier_key = cfg.prefix + "risk-tier"
    tier = _get(tier_key, _ANNOTATIONS)
    accepted = json.dumps([*cfg.risk_tiers, rai.PROHIBITED_TIER])
    expressions.append({"expression": f"!{_has(tier_key, _ANNOTATIONS)} || {tier}.trim() == '' || {tier} in {accepted}",
                        "message": f"{tier_key} is not one of: {', '.join(cfg.risk_tiers)}"})
    for key in cfg.high_risk_required:
        full = cfg.prefix + key
        expressions.append({
            "expression": f"!({_has(tier_key, _ANNOTATIONS)} && {tier} == 'high') || "
                          f"({_has(full, _ANNOTATIONS)} && {_get(full, _ANNOTATIONS)}.trim() != '')",
            "message": f"missing {full} ({rai.MEANING.get(key, key)}), required for high risk"})
    return expressions, [{"name": "selected-as-ai-inference", "expression": selected}]


def _prohibited(rule: Rule, cfg: Any, group: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    from plangate.rules import rai

    key = cfg.prefix + "risk-tier"
    expr = f"!{_has(key, _ANNOTATIONS)} || {_get(key, _ANNOTATIONS)}.trim().lowerAscii() != " \
           f"{json.dumps(rai.PROHIBITED_TIER)}"
    return [{"expression": expr, "message": f"risk tier is '{rai.PROHIBITED_TIER}': a prohibited AI practice "
                                            "under the EU AI Act (Art. 5)"}], []


_BUILDERS = {
    "kubernetes-cost-labels": _cost_labels,
    "responsible-ai-metadata": _rai_metadata,
    "prohibited-ai-risk-tier": _prohibited,
}
