"""The CEL every admission export shares: a rule's check as named variables and validations,
written once and placed by `kyverno` (ValidatingPolicy, legacy ClusterPolicy), `vap`
(ValidatingAdmissionPolicy) and `gatekeeper` (the ``K8sNativeValidation`` code block).

The expressions read the rule's settings from ``variables.params`` (`admission.parameters`:
plangate.yaml's names, mappings as ordered ``{key, value}`` lists), never from literals, so that
Gatekeeper's Constraint parameters drive its CEL as they drive its Rego; the exports without a
parameter object bind ``params`` as a literal variable.  Only Kubernetes' CEL libraries are used
(the strings extension's ``trim``, ``lowerAscii``, ``replace``, ``substring``, ``join``).  A
validation holds when the object passes; its ``messageExpression`` gives plangate's messages
(several joined with ``"; "`` when one check fails for several keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plangate.interop import admission
from plangate.rules.base import Rule

#: Gatekeeper binds the admitted object (or, on DELETE, the old one) under this name.
GATEKEEPER_SUBJECT = "variables.anyObject"


@dataclass(frozen=True)
class Validation:
    expression: str
    message: str
    message_expression: str

    def as_dict(self) -> dict[str, str]:
        return {"expression": self.expression, "message": self.message, "messageExpression": self.message_expression}


@dataclass(frozen=True)
class Program:
    """A rule's admission check: variables (in order; later ones read earlier ones) and
    validations, each true when the object passes."""

    variables: tuple[tuple[str, str], ...]
    validations: tuple[Validation, ...]

    def variable_list(self) -> list[dict[str, str]]:
        return [{"name": name, "expression": expression} for name, expression in self.variables]

    def validation_list(self) -> list[dict[str, str]]:
        return [v.as_dict() for v in self.validations]


def supports(rule: Rule) -> bool:
    return rule.slug in _BUILDERS


def program(rule: Rule, parameters: Mapping[str, Any] | None, subject: str = "object") -> Program:
    """``rule``'s check in CEL on ``subject`` (``object``, or Gatekeeper's `GATEKEEPER_SUBJECT`).

    ``parameters`` are bound as ``variables.params`` when given; None when the engine binds
    them itself (Gatekeeper, from the Constraint)."""
    build = _BUILDERS[rule.slug]
    bound = [("params", literal(parameters))] if parameters is not None else []
    variables, validations = build(_Metadata(subject))
    return Program(tuple(bound + _metadata_variables(subject) + variables), tuple(validations))


def literal(value: Any) -> str:
    """A JSON value as a CEL literal (JSON's strings, numbers, lists and objects are CEL's)."""
    return json.dumps(value, ensure_ascii=False)


# --- where a kind keeps its pods' metadata -----------------------------------------------------------

def _guarded(subject: str, path: Sequence[str]) -> str:
    """CEL: ``subject.<path>`` when every step is present, else ``{}``."""
    steps = [subject, *path]
    guards = " && ".join(f"has({'.'.join(steps[:i + 1])})" for i in range(1, len(steps)))
    return f"{guards} ? {'.'.join(steps)} : {{}}"


def _pod_part(subject: str, part: str) -> str:
    """CEL: the pod template's labels / annotations for the kinds that have one, else ``{}``."""
    by_path: dict[tuple[str, ...], list[str]] = {}
    for kind, path in sorted(admission.POD_TEMPLATE_PATHS.items()):
        by_path.setdefault(path, []).append(kind)
    expr = "{}"
    for path, kinds in sorted(by_path.items(), reverse=True):
        expr = f"{subject}.kind in {literal(kinds)} ? ({_guarded(subject, (*path, part))}) : ({expr})"
    return expr


def _metadata_variables(subject: str) -> list[tuple[str, str]]:
    out = []
    for part in ("labels", "annotations"):
        out.append((f"own_{part}", _guarded(subject, ("metadata", part))))
        out.append((f"pod_{part}", _pod_part(subject, part)))
    return out


@dataclass(frozen=True)
class _Metadata:
    """Lookups in the object's own metadata and its pods' (the object's own wins, as in plangate)."""

    subject: str

    def has(self, part: str, key: str) -> str:
        return f"({key} in variables.own_{part} || {key} in variables.pod_{part})"

    def get(self, part: str, key: str) -> str:
        return f"({key} in variables.own_{part} ? variables.own_{part}[{key}] : variables.pod_{part}[{key}])"

    def text(self, part: str, key: str) -> str:
        """The value, or '' when absent."""
        return f"({self.has(part, key)} ? {self.get(part, key)} : '')"


def _when(selected: str, check: str) -> str:
    return f"!{selected} || {check}"


# --- one builder per rule -------------------------------------------------------------------------------

Built = tuple[list[tuple[str, str]], list[Validation]]


def _cost_labels(meta: _Metadata) -> Built:
    s = meta.subject
    templated = literal(sorted(admission.POD_TEMPLATE_PATHS))
    variables = [
        # the kinds setting, as the Rego reads it: kubernetes_stateful_set names StatefulSet
        ("selected", "variables.params.kinds.exists(t, t == 'kubernetes_*' || (t.startsWith('kubernetes_') && "
                     f"t.substring(11).replace('_', '') == {s}.kind.lowerAscii()))"),
        ("templated", f"{s}.kind in {templated}"),
    ]
    validations = []
    for part in ("labels", "annotations"):
        noun = part[:-1]
        values = f"variables.{part}"
        wanted = f"variables.params.{part}"
        variables.append((part, f"variables.params.pod_template && variables.templated ? "
                                f"variables.pod_{part} : variables.own_{part}"))
        empty = f"p.key in {values} && {values}[p.key].trim() == ''"
        mismatch = (f"p.value != '' && p.key in {values} && {values}[p.key].trim() != '' && "
                    f"!{values}[p.key].matches('^(?:' + p.value + ')$')")
        validations += [
            Validation(_when("variables.selected", f"{wanted}.all(p, p.key in {values})"), f"missing {noun}s",
                       f"{literal(f'missing {noun}s: ')} + {wanted}.filter(p, !(p.key in {values}))"
                       ".map(p, p.key).join(', ')"),
            Validation(_when("variables.selected", f"!{wanted}.exists(p, {empty})"), f"empty {noun} values",
                       f"{literal(f'empty {noun} values: ')} + {wanted}.filter(p, {empty}).map(p, p.key).join(', ')"),
            Validation(_when("variables.selected", f"!{wanted}.exists(p, {mismatch})"),
                       f"a {noun} does not match its pattern",
                       f"{wanted}.filter(p, {mismatch}).map(p, {literal(noun + ' ')} + p.key + \"='\" + "
                       f"{values}[p.key] + \"' does not match \" + p.value).join('; ')"),
        ]
    return variables, validations


def _rai_metadata(meta: _Metadata) -> Built:
    from plangate.rules import rai

    key = "variables.params.prefix + k"
    has, value = meta.has("annotations", key), meta.get("annotations", key)
    meaning = "(k in variables.meaning ? variables.meaning[k] : k)"
    variables = [
        ("selected", "size(variables.params.selector) > 0 && variables.params.selector.all(p, "
                     f"{meta.has('labels', 'p.key')} && (p.value == '' || {meta.get('labels', 'p.key')} == p.value))"),
        ("meaning", literal(rai.MEANING)),
        ("tier", meta.text("annotations", "variables.params.prefix + 'risk-tier'")),
    ]
    required = "variables.params.required"
    high = "variables.params.high_risk_required"
    not_url = (f"k in {literal(list(rai.URL_KEYS))} && {has} && {value}.trim() != '' && "
               f"!{value}.trim().matches({literal('^(?:' + rai._URL.pattern + ')$')})")
    bad_tier = (f"variables.tier.trim() != '' && variables.tier != {literal(rai.PROHIBITED_TIER)} && "
                "!(variables.tier in variables.params.risk_tiers)")
    missing_high = f"!({has} && {value}.trim() != '')"
    validations = [
        Validation(_when("variables.selected", f"{required}.all(k, {has})"), "missing responsible-AI metadata",
                   f"{required}.filter(k, !{has}).map(k, 'missing ' + {key} + ' (' + {meaning} + ')').join('; ')"),
        Validation(_when("variables.selected", f"!{required}.exists(k, {has} && {value}.trim() == '')"),
                   "empty responsible-AI metadata",
                   f"{required}.filter(k, {has} && {value}.trim() == '')"
                   f".map(k, 'empty ' + {key} + ' (' + {meaning} + ')').join('; ')"),
        Validation(_when("variables.selected", f"!{required}.exists(k, {not_url})"), "a metadata URL is not a URL",
                   f"{required}.filter(k, {not_url}).map(k, {key} + \"='\" + {value} + \"' is not a URL\").join('; ')"),
        Validation(_when("variables.selected", f"!({bad_tier})"), "the risk tier is not an accepted one",
                   "variables.params.prefix + \"risk-tier='\" + variables.tier + \"' is not one of: \" + "
                   "variables.params.risk_tiers.join(', ')"),
        Validation(_when("variables.selected", f"variables.tier != 'high' || !{high}.exists(k, {missing_high})"),
                   "missing metadata required for high risk",
                   f"{high}.filter(k, {missing_high})"
                   f".map(k, 'missing ' + {key} + ' (' + {meaning} + '), required for high risk').join('; ')"),
    ]
    return variables, validations


def _prohibited(meta: _Metadata) -> Built:
    from plangate.rules import rai

    message = f"risk tier is '{rai.PROHIBITED_TIER}': a prohibited AI practice under the EU AI Act (Art. 5)"
    return ([("tier", meta.text("annotations", "variables.params.prefix + 'risk-tier'"))],
            [Validation(f"variables.tier.trim().lowerAscii() != {literal(rai.PROHIBITED_TIER)}", message,
                        literal(message))])


_BUILDERS: dict[str, Callable[[_Metadata], Built]] = {
    "kubernetes-cost-labels": _cost_labels,
    "responsible-ai-metadata": _rai_metadata,
    "prohibited-ai-risk-tier": _prohibited,
}
