"""Translate between Checkov and plangate: Checkov's view of a resource → `Resource`, and a
rule's answers → Checkov's PASSED / FAILED / SKIPPED / UNKNOWN with the rule's messages.

No rule logic lives here and nothing imports Checkov (``hcl_checks/`` does): the functions
take the plain dicts Checkov hands a check, plus what Checkov drops and the check looks up
(provider default tags from Checkov's graph, unknown paths and tags from the plan file).

What Checkov 3.3.30 hands a check, and what is done with it:

- HCL: every attribute value is wrapped in a one-element list (``["scorer"]``), blocks are
  lists of dicts, map attributes (``tags``) are a one-element list holding the map.
  Variables with defaults, locals, module inputs and functions such as ``merge`` are
  evaluated; a string expression Checkov cannot resolve stays as its text (``"var.cc"``,
  ``"${local.x}"``, ``"module.a.id"``), read here as unknown at plan time, while a map or list
  variable without a default becomes ``{}`` / ``[]`` (the check finds those in Checkov's
  graph and passes them as ``unresolved``).  Provider ``default_tags`` are *not* merged into
  the resource (the check finds the provider in the graph and passes its tags).
- Plan JSON: the same wrapping applied to ``planned_values``, with line markers
  (``__startline__``, ``start_line``, ``__file__`` …) injected into every map, tag maps
  included; values unknown until apply are simply absent, ``after_unknown``,
  ``after_sensitive`` and the provider ``default_tags`` are dropped.  Those facts come from
  plangate's own reading of the plan file (`PlanFacts`).
- Kubernetes: the manifest with ``__startline__`` / ``__endline__`` in every map, and
  ``metadata.annotations`` sometimes wrapped in a one-element list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plangate.loaders.tags import UNKNOWN_DEFAULTS, DefaultTags, OwnTags, ignoring, merge
from plangate.model import REDACTED, Location, Outcome, Resource, walk
from plangate.policy import Policy
from plangate.rules.base import Rule

# Keys Checkov's parsers add to every map; never resource data.
LINE_KEYS = frozenset(
    {"__startline__", "__endline__", "__start_line__", "__end_line__", "start_line", "end_line",
     "__file__"}
)
# Keys Checkov adds to a resource's conf, and Terraform meta-arguments: not properties.
_NOT_PROPERTIES = frozenset(
    {"__address__", "__provider_address__", "__change_actions__", "__change_keys__",
     "references_", "provider", "count", "for_each", "depends_on", "lifecycle", "provisioner",
     "dynamic", "tags", "tags_all"}
) | LINE_KEYS

# A Terraform expression Checkov left unevaluated: a reference, an interpolation or a call.
_REFERENCE = re.compile(
    r"""^(?:var|local|each|count|path|terraform|self)\.[A-Za-z_]"""  # var.x, each.key
    r"""|^module\.[\w-]+\.[A-Za-z_]|^data\.[a-z][\w-]*\.[A-Za-z_]"""  # module.a.out, data.t.n
    r"""|\$\{"""  # an interpolation left anywhere in a string
    r"""|^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?\.\w"""  # aws_x.name.attr
    r"""|^[a-z_][a-z0-9_]*\(.*\)$""",  # merge(...), lookup(...)
    re.DOTALL,
)


# --- Checkov's conf → plain values ------------------------------------------------------


def attribute(value: Any) -> Any:
    """One attribute's value without Checkov's wrapper list (``["x"]`` → ``"x"``).

    Blocks stay lists of dicts, as in Terraform's plan JSON; a list attribute keeps its list
    (Checkov wraps it as ``[["a", "b"]]``).
    """
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict):
        return _without_lines(value[0], attribute)
    return _without_lines(value, attribute)


def _without_lines(value: Any, read: Callable[[Any], Any] | None = None) -> Any:
    """``value`` without Checkov's line markers at any depth; ``read`` reads each mapping's
    values (`attribute` for HCL, which also drops the wrapper lists; default: the same walk)."""
    read = read or _without_lines
    if isinstance(value, dict):
        return {k: read(v) for k, v in value.items() if k not in LINE_KEYS}
    if isinstance(value, list):
        return [_without_lines(v, read) for v in value]
    return value


def as_map(value: Any) -> dict[str, Any] | None:
    """A map attribute (``tags``) as a dict; None when absent or null."""
    value = attribute(value)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    return value if isinstance(value, dict) else None


def is_unresolved(value: Any) -> bool:
    """Whether ``value`` is Terraform expression text Checkov could not evaluate."""
    return isinstance(value, str) and bool(_REFERENCE.search(value.strip()))


def _unresolved_paths(properties: Mapping[str, Any]) -> set[str]:
    return {path for path, leaf in walk(properties) if is_unresolved(leaf)}


# --- Terraform -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFacts:
    """What Checkov's plan conversion loses for one resource, from plangate's own reading of
    the plan file Checkov names in ``__file__`` (`plan_facts`).

    Checkov drops ``after_unknown`` (unknown values are just absent), ``after_sensitive``
    and the provider's ``default_tags``, and keeps ``tags_all`` only when Terraform knew it;
    the effective tags and the unknown paths need all of them, and their one home is
    `plangate.loaders.tfplan`, so they are taken from there rather than rebuilt here.
    """

    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    unknown: frozenset[str] = frozenset()
    secret: frozenset[str] = frozenset()
    action: str = "create"
    line: int | None = None


def plan_facts(resources: Iterable[Resource]) -> dict[str, PlanFacts]:
    """Per address, the facts of the resources plangate's plan loader read from a plan."""
    return {
        r.address: PlanFacts(r.tags, r.unknown, r.secret, r.action,
                             r.location.line if r.location else None)
        for r in resources
    }


@dataclass(frozen=True)
class ProviderTags:
    """A provider's ``default_tags`` as Checkov's graph holds them (HCL)."""

    tags: Mapping[str, Any]  # values may be unresolved expression text
    whole_unresolved: bool = False  # default_tags { tags = var.x } that Checkov left as text
    ignored: tuple[Any, Any] = (None, None)  # ignore_tags' keys and key_prefixes (None: not set)


def _effective_tags_hcl(
    own: Any, defaults: ProviderTags | None
) -> tuple[dict[str, str], set[str]]:
    """Effective tags of an HCL resource: Checkov's graph mapped onto the one merge."""
    merged = merge(_own_tags(own), _default_tags(defaults))
    return merged.tags, set(merged.unknown)


def _known_and_unresolved(tags: Mapping[str, Any]) -> tuple[dict[str, str], frozenset[str]]:
    """(known values as text, keys Checkov left as expression text); Checkov's null is ``""``."""
    known = {str(k): "" if v is None else str(v) for k, v in tags.items() if not is_unresolved(v)}
    return known, frozenset(str(k) for k, v in tags.items() if is_unresolved(v))


def _own_tags(own: Any) -> OwnTags:
    if is_unresolved(own):
        return OwnTags({}, known=False)
    known, unresolved = _known_and_unresolved(own if isinstance(own, dict) else {})
    return OwnTags(known, unresolved)


def _default_tags(defaults: ProviderTags | None) -> DefaultTags | None:
    if defaults is None:
        return None
    if defaults.whole_unresolved:
        return UNKNOWN_DEFAULTS
    known, unresolved = _known_and_unresolved(defaults.tags)
    return ignoring(DefaultTags(known, unresolved), *map(_ignored_keys, defaults.ignored))


def _ignored_keys(value: Any) -> Any:
    """An ``ignore_tags`` list as `ignoring` reads it: Checkov unwraps a one-key list to its key; expression text it
    could not evaluate is no list of keys (the defaults are then unknown)."""
    items = [value] if isinstance(value, str) else value
    return "unresolved" if isinstance(items, list) and any(map(is_unresolved, items)) else items


def hcl_resource(
    resource_type: str,
    conf: Mapping[str, Any],
    provider_tags: ProviderTags | None,
    file: str,
    unresolved: Iterable[str] = (),
) -> Resource:
    """The `Resource` for an HCL resource as Checkov evaluated it.

    ``provider_tags`` are the default tags of the resource's provider, and ``unresolved``
    the attribute paths Checkov filled with an empty value for a variable it could not
    resolve (the check reads both from Checkov's graph).
    """
    properties = _properties(conf)
    unresolved = set(unresolved)
    own = as_map(conf.get("tags"))
    if "tags" in unresolved:
        tags, unknown = {}, {"tags"}
    else:
        # an unresolved map (tags = var.tags) may also stay expression text, not a dict
        written = own if own is not None else attribute(conf.get("tags"))
        tags, unknown = _effective_tags_hcl(written, provider_tags)
        for path in unresolved:
            if path.startswith("tags."):
                unknown.add(path)
                tags.pop(path.split(".", 1)[1], None)
    unknown |= _unresolved_paths(properties) | {p for p in unresolved if "." not in p}
    for path in unknown:
        _drop(properties, path)
    line = attribute(conf.get("__start_line__"))
    return _resource(resource_type, conf, "hcl", properties, tags, unknown, frozenset(),
                     "create", Location(file, line if isinstance(line, int) else None))


def plan_resource(
    resource_type: str, conf: Mapping[str, Any], facts: PlanFacts, file: str
) -> Resource:
    """The `Resource` for a planned resource: values from Checkov's conf, the rest from
    ``facts`` (see `PlanFacts`)."""
    properties = _properties(conf)
    for path in facts.secret:
        _redact(properties, path)  # Checkov's conf holds sensitive values in clear
    return _resource(resource_type, conf, "tfplan", properties, dict(facts.tags),
                     set(facts.unknown), facts.secret, facts.action, Location(file, facts.line))


def _properties(conf: Mapping[str, Any]) -> dict[str, Any]:
    return {k: attribute(v) for k, v in conf.items() if k not in _NOT_PROPERTIES}


def _resource(resource_type: str, conf: Mapping[str, Any], source_format: str,
              properties: dict[str, Any], tags: dict[str, str], unknown: set[str],
              secret: frozenset[str], action: str, location: Location) -> Resource:
    address = str(conf.get("__address__") or f"{resource_type}.unnamed")
    module = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
    return Resource(
        type=resource_type,
        address=address,
        source_format=source_format,
        properties=properties,
        tags=tags,
        unknown=frozenset(unknown),
        secret=secret,
        location=location if location.file else None,
        action=action,
        module=module,
    )


def _parent(properties: dict[str, Any], path: str) -> tuple[Any, str] | None:
    """The container of ``path``'s last part.  Checkov wraps maps nested in blocks in a
    one-element list, as it wraps blocks, so such lists are stepped through."""
    parts = path.split(".")
    node: Any = properties
    for part in parts[:-1]:
        if isinstance(node, list) and len(node) == 1 and not part.isdigit():
            node = node[0]
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    if isinstance(node, list) and len(node) == 1 and not parts[-1].isdigit():
        node = node[0]
    return node, parts[-1]


def _drop(properties: dict[str, Any], path: str) -> None:
    """Remove an unknown value, so no rule reads expression text as data."""
    found = _parent(properties, path)
    if found and isinstance(found[0], dict):
        found[0].pop(found[1], None)


def _redact(properties: dict[str, Any], path: str) -> None:
    found = _parent(properties, path)
    if found and isinstance(found[0], dict) and found[1] in found[0]:
        found[0][found[1]] = REDACTED


# --- Kubernetes --------------------------------------------------------------------------------


def kubernetes_manifest(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest behind Checkov's Kubernetes conf: line markers gone, annotations a map."""
    manifest = _without_lines(conf)
    meta = manifest.get("metadata")
    if isinstance(meta, dict):
        for part in ("annotations", "labels"):
            value = meta.get(part)
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
                meta[part] = value[0]
    return manifest


def kubernetes_resource(conf: Mapping[str, Any], file: str) -> Resource | None:
    """The `Resource` for a Kubernetes object as Checkov sees it, made by plangate's own
    Kubernetes loader from the manifest (None when the loader skips the object)."""
    from plangate.loaders import k8s

    resources = k8s.from_objects([kubernetes_manifest(conf)], file)
    return resources[0] if resources else None


# --- answers → Checkov's verdict ---------------------------------------------------------------

PASSED, FAILED, SKIPPED, UNKNOWN = "PASSED", "FAILED", "SKIPPED", "UNKNOWN"


@dataclass(frozen=True)
class Verdict:
    """Checkov's verdict for one rule on one resource, and the lines that explain it."""

    result: str  # a CheckResult member name: PASSED | FAILED | SKIPPED | UNKNOWN
    details: tuple[str, ...] = ()

    def name(self, title: str) -> str:
        """The check name a record carries: the title, with the messages when there are any.

        Checkov's JUnit output and its whole Kubernetes runner drop ``details``; the name is
        the one field every output format prints, so the messages travel in it too.
        """
        return f"{title}: {'; '.join(self.details)}" if self.details else title


def single_rule_policy(policy: Policy, rule: Rule) -> Policy:
    """``policy`` narrowed to one rule (its settings, enforcement and waivers unchanged)."""
    return dataclasses.replace(policy, catalogue=(rule,))


def verdict(rule: Rule, resource: Resource, policy: Policy,
            today: dt.date | None = None) -> Verdict:
    """Checkov's verdict for ``rule`` on ``resource``, through plangate's own engine, so
    enforcement, ``on_unknown`` and waivers in ``plangate.yaml`` count exactly as in a scan.
    ``policy`` may be the full policy or `single_rule_policy` (faster per call)."""
    from plangate.engine import evaluate

    narrowed = policy if policy.catalogue == (rule,) else single_rule_policy(policy, rule)
    findings = [f for f in evaluate([resource], narrowed, today) if f.rule_id == rule.id]
    outcomes = {f.outcome for f in findings}
    details = tuple(_detail(f.outcome, f.message, f.waiver) for f in findings)
    if outcomes & {Outcome.VIOLATION, Outcome.WARNING}:
        return Verdict(FAILED, details)
    if Outcome.WAIVED in outcomes:
        return Verdict(SKIPPED, details)
    if Outcome.UNKNOWN in outcomes:
        return Verdict(UNKNOWN, details)
    return Verdict(PASSED)


def _detail(outcome: Outcome, message: str, waiver: str) -> str:
    if outcome is Outcome.WARNING:
        return f"{message} (advisory)"
    if outcome is Outcome.UNKNOWN:
        return f"undecided: {message}"
    if outcome is Outcome.WAIVED:
        return f"waived: {message} ({waiver})"
    return message
