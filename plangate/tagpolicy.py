"""An AWS Organizations tag policy as PG-TAG-001's settings, and where it disagrees with plangate.yaml.

``plangate scan --tag-policy FILE`` reads what ``aws organizations describe-effective-policy
--policy-type TAG_POLICY`` prints::

    {"EffectivePolicy": {"PolicyContent": "{\\"tags\\":{\\"costcenter\\":{\\"tag_key\\":\\"CostCenter\\", ...}}}",
                         "TargetId": "123456789012", "PolicyType": "TAG_POLICY", ...}}

or the policy content itself (``{"tags": {...}}``).  The effective policy has its inheritance
operators resolved (AWS Organizations User Guide, "Viewing effective tag policies"); a policy
document as written (``{"tag_key": {"@@assign": "CostCenter"}}``) is read too, its ``@@assign``
taken as the value.  ``@@append`` / ``@@remove`` only mean something against a parent policy,
so a file with them is refused: the effective policy is what applies.

Per policy key: ``tag_key`` is the spelling compliance requires (lowercase of the policy key
when absent, as AWS defaults), ``tag_value`` the allowed values (``*`` wildcards; ``["*"]`` is
any value), ``report_required_tag_for`` the AWS resource types the key is required on,
``enforced_for`` those on which AWS refuses a noncompliant value.  AWS type names map to
Terraform's through ``plangate/data/aws_tag_policy_types.csv``; ``service:ALL_SUPPORTED`` and
``service:*`` stand for every mapped type of the service.

`merge` turns the policy into PG-TAG-001's settings over the ones plangate.yaml gives (keys:
both sides' required keys, in the tag policy's spelling; values: the tag policy's list where it
has one, since AWS reports and enforces against it) and lists every place the two disagree.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangate.errors import InputError
from plangate.model import Finding, Location, Outcome
from plangate.policy import Policy, RuleConfig
from plangate.rules.tags import TagPolicy, cost_allocation_tags

#: The type of the stand-in resource a disagreement is reported on.
TAG_POLICY_TYPE = "plangate_tag_policy"
_FIELDS = ("tag_key", "tag_value", "enforced_for", "report_required_tag_for")
_IGNORED = "@@operators_allowed_for_child_policies"


@lru_cache(maxsize=1)
def type_map() -> dict[str, tuple[str, ...]]:
    """AWS tag-policy resource type → canonical Terraform types (the data file's rows)."""
    from importlib import resources

    text = resources.files("plangate").joinpath("data/aws_tag_policy_types.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    found: dict[str, list[str]] = {}
    for row in rows:
        types = found.setdefault(row["tag_type"], [])
        if row["terraform_type"] not in types:
            types.append(row["terraform_type"])
    return {k: tuple(v) for k, v in found.items()}


@dataclass(frozen=True)
class PolicyKey:
    """One statement of the tag policy, with AWS's resource types mapped to Terraform's."""

    key: str  # the spelling compliance requires
    values: tuple[str, ...] | None  # allowed values; None: any value
    required_for: tuple[str, ...]  # Terraform types the key is required on ((): not required)
    enforced_for: tuple[str, ...]  # Terraform types on which AWS refuses a noncompliant value
    unmapped: tuple[str, ...] = ()  # AWS types plangate knows no Terraform type for


@dataclass(frozen=True)
class OrgTagPolicy:
    source: str  # the file it was read from
    keys: tuple[PolicyKey, ...]
    target: str = ""  # the account the effective policy is for (TargetId), when given


def read(path: str | Path) -> OrgTagPolicy:
    """The tag policy in ``path``; a bad file raises `InputError` naming it."""
    from plangate.loaders.source import read_json

    return parse(read_json(path), str(path))


def parse(data: Any, source: str) -> OrgTagPolicy:
    """An `OrgTagPolicy` from parsed JSON (a DescribeEffectivePolicy response or bare content)."""
    target = ""
    if isinstance(data, Mapping) and "EffectivePolicy" in data:
        effective = data["EffectivePolicy"]
        if not isinstance(effective, Mapping):
            raise InputError(source, "EffectivePolicy: expected an object")
        kind = effective.get("PolicyType", "TAG_POLICY")
        if kind != "TAG_POLICY":
            raise InputError(source, f"EffectivePolicy.PolicyType is {kind!r}, not TAG_POLICY")
        content = effective.get("PolicyContent")
        if not isinstance(content, str):
            raise InputError(source, "EffectivePolicy.PolicyContent: expected the policy as a JSON string")
        from plangate.loaders.source import parse_json

        data = parse_json(content.encode("utf-8"), f"{source}: EffectivePolicy.PolicyContent")
        target = str(effective.get("TargetId") or "")
    if not isinstance(data, Mapping) or not isinstance(data.get("tags"), Mapping):
        raise InputError(source, "not a tag policy: expected {\"tags\": {...}} or the output of "
                                 "`aws organizations describe-effective-policy --policy-type TAG_POLICY`")
    keys = tuple(_statement(str(name), body, source) for name, body in data["tags"].items())
    if not keys:
        raise InputError(source, "the tag policy names no tag keys: nothing to check")
    return OrgTagPolicy(source, keys, target)


def _value(body: Mapping[str, Any], field: str, where: str) -> Any:
    """A field's value, with a policy document's ``@@assign`` unwrapped."""
    raw = body.get(field)
    if isinstance(raw, Mapping):
        ops = set(raw) - {_IGNORED}
        if ops - {"@@assign"}:
            raise InputError(where, f"{field} uses {sorted(ops - {'@@assign'})[0]}: inheritance operators are "
                                    "resolved only in the effective policy (describe-effective-policy)")
        raw = raw.get("@@assign")
    return raw


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, "expected a list of strings")
    return tuple(value)


def _statement(name: str, body: Any, source: str) -> PolicyKey:
    where = f"{source}: tags.{name}"
    if not isinstance(body, Mapping):
        raise InputError(where, "expected an object with tag_key, tag_value, enforced_for or report_required_tag_for")
    extra = sorted(set(body) - set(_FIELDS) - {_IGNORED})
    if extra:
        raise InputError(where, f"unknown field {extra[0]!r} (a tag policy has {', '.join(_FIELDS)})")
    key = _value(body, "tag_key", where)
    if key is None:
        key = name.lower()  # AWS: without a tag_key, lowercase is the compliant spelling
    if not isinstance(key, str) or not key.strip():
        raise InputError(f"{where}.tag_key", "expected the tag key as a non-empty string")
    if key.casefold() != name.casefold():
        raise InputError(f"{where}.tag_key", f"{key!r} must be the policy key {name!r} up to case")
    values = _strings(_value(body, "tag_value", where), f"{where}.tag_value")
    required, unmapped_req = _types(_strings(_value(body, "report_required_tag_for", where),
                                             f"{where}.report_required_tag_for"), f"{where}.report_required_tag_for")
    enforced, unmapped_enf = _types(_strings(_value(body, "enforced_for", where), f"{where}.enforced_for"),
                                    f"{where}.enforced_for")
    any_value = "tag_value" not in body or "*" in values
    return PolicyKey(key, None if any_value else values, required, enforced,
                     tuple(dict.fromkeys((*unmapped_req, *unmapped_enf))))


def _types(names: Iterable[str], where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Terraform types, AWS types with no known Terraform type) for AWS tag-policy types."""
    mapping = type_map()
    found: list[str] = []
    unmapped: list[str] = []
    for name in names:
        service, sep, kind = name.partition(":")
        if not sep or not service or not kind:
            raise InputError(where, f"{name!r} is not an AWS resource type (service:type)")
        if kind in ("*", "ALL_SUPPORTED"):
            matches = [t for aws, types in mapping.items() if aws.split(":", 1)[0] == service for t in types]
        else:
            matches = list(mapping.get(name, ()))
        if not matches:
            unmapped.append(name)
        found.extend(t for t in matches if t not in found)
    return tuple(found), tuple(unmapped)


@dataclass(frozen=True)
class Disagreement:
    key: str  # the tag key (the tag policy's spelling)
    message: str


def _shown(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none)"


def merge(cfg: TagPolicy, org: OrgTagPolicy, yaml: str) -> tuple[TagPolicy, list[Disagreement]]:
    """PG-TAG-001's settings with ``org`` applied over ``cfg`` (what ``yaml`` — plangate.yaml or
    plangate's defaults — gives), and every place the two disagree, in policy order."""
    out: list[Disagreement] = []
    required = list(cfg.required)
    allowed = dict(cfg.allowed_values)
    patterns = dict(cfg.patterns)
    required_for = dict(cfg.required_for)
    enforced_for = dict(cfg.enforced_for)
    named = [*cfg.required, *allowed, *patterns]
    for pk in org.keys:
        ours = next((k for k in named if k.casefold() == pk.key.casefold()), None)
        if ours is not None and ours != pk.key:
            out.append(Disagreement(pk.key, f"case differs: {yaml} spells the key {ours}, the tag policy "
                                            f"{pk.key} (AWS compliance requires {pk.key}; checked as {pk.key})"))
            required = [pk.key if k == ours else k for k in required]
            for table in (allowed, patterns, required_for, enforced_for):
                if ours in table:
                    table[pk.key] = table.pop(ours)
        ours_required = pk.key in required
        if pk.required_for and not ours_required:
            out.append(Disagreement(pk.key, f"the tag policy requires {pk.key} on {_shown(pk.required_for)}; "
                                            f"{yaml} does not require it (now required there)"))
            required.append(pk.key)
            required_for[pk.key] = pk.required_for
        elif pk.required_for and pk.key in required_for:
            wider = tuple(dict.fromkeys((*required_for[pk.key], *pk.required_for)))
            if set(wider) != set(pk.required_for):
                out.append(Disagreement(pk.key, f"{yaml} requires {pk.key} on {_shown(required_for[pk.key])}, "
                                                f"the tag policy on {_shown(pk.required_for)} (required on both)"))
            required_for[pk.key] = wider
        elif pk.required_for:
            out.append(Disagreement(pk.key, f"{yaml} requires {pk.key} on every billable type, the tag policy "
                                            f"only on {_shown(pk.required_for)} (required on every billable type)"))
        elif ours_required:
            out.append(Disagreement(pk.key, f"{yaml} requires {pk.key}; the tag policy does not "
                                            "(no report_required_tag_for; still required)"))
        if pk.values is not None:
            if pk.key not in allowed:
                out.append(Disagreement(pk.key, f"the tag policy allows only {_shown(pk.values)} for {pk.key}; "
                                                f"{yaml} sets no allowed values (the tag policy's apply)"))
            elif tuple(allowed[pk.key]) != pk.values:
                out.append(Disagreement(pk.key, f"allowed values of {pk.key} differ: {yaml}: "
                                                f"{_shown(allowed[pk.key])}; the tag policy: {_shown(pk.values)} "
                                                "(the tag policy's apply)"))
            allowed[pk.key] = pk.values
        elif pk.key in allowed:
            out.append(Disagreement(pk.key, f"{yaml} allows only {_shown(allowed[pk.key])} for {pk.key}; the tag "
                                            f"policy accepts any value ({yaml}'s still apply)"))
        if pk.enforced_for:
            enforced_for[pk.key] = pk.enforced_for
        for name in pk.unmapped:
            out.append(Disagreement(pk.key, f"the tag policy names {name} for {pk.key}: plangate knows no "
                                            "Terraform type for it, so it is not checked there"))
    policy_keys = {pk.key.casefold() for pk in org.keys}
    for key in required:
        if key.casefold() not in policy_keys:
            out.append(Disagreement(key, f"{yaml} requires {key}; the tag policy does not name it "
                                         "(still required)"))
    merged = dataclasses.replace(cfg, required=tuple(required), allowed_values=allowed, patterns=patterns,
                                 required_for=required_for, enforced_for=enforced_for)
    return merged, out


def apply(pol: Policy, org: OrgTagPolicy) -> tuple[Policy, list[Finding]]:
    """``pol`` with PG-TAG-001's settings merged with ``org``, and one warning finding per
    disagreement (none when PG-TAG-001 does not run)."""
    rule = cost_allocation_tags
    config = pol.rules[rule.id]
    yaml = "plangate's defaults" if pol.source == "(defaults)" else pol.source
    merged, disagreements = merge(config.settings, org, yaml)
    new = dataclasses.replace(pol, rules={**pol.rules, rule.id: RuleConfig(config.enforcement, merged)})
    if rule not in pol.enabled():
        return new, []
    location = Location(org.source)
    findings = [Finding(rule.id, rule.slug, rule.severity, Outcome.WARNING, f"tag-policy.{d.key}",
                        TAG_POLICY_TYPE, f"tag policy disagreement: {d.message}", location)
                for d in disagreements]
    return new, findings
