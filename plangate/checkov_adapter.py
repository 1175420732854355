"""Translate between Checkov and plangate: Checkov's view of a resource → `Resource`, and a
rule's answers → Checkov's PASSED / FAILED / SKIPPED / UNKNOWN with the rule's messages.

No rule logic lives here and nothing imports Checkov (``hcl_checks/`` does): the functions
take the plain dicts Checkov hands a check, plus what Checkov drops and the check looks up
(provider default tags from Checkov's graph, ``after_unknown`` from the plan file).

What Checkov 3.3.30 hands a check, and what is done with it:

- HCL: every attribute value is wrapped in a one-element list (``["scorer"]``), blocks are
  lists of dicts, map attributes (``tags``) are a one-element list holding the map.
  Variables with defaults and module inputs are substituted; anything Checkov cannot resolve
  stays as the expression text (``"var.cc"``, ``"${local.x}"``, ``"module.a.id"``), which is
  read here as unknown at plan time.  ``__address__`` and ``__provider_address__`` name the
  resource and its provider; provider ``default_tags`` are *not* merged into the resource.
- Plan JSON: the same wrapping applied to ``planned_values``, with line markers
  (``__startline__``, ``start_line``, ``__file__`` …) injected into every map, tag maps
  included; values unknown until apply are simply absent, and ``tags_all`` (the provider's
  merge of default tags) is there when Terraform knew it.
- Kubernetes: the manifest with ``__startline__`` / ``__endline__`` in every map, and
  ``metadata.annotations`` sometimes wrapped in a one-element list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

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
    r"""^(?:var|local|module|data|each|count|path|terraform|self)\.\S"""  # var.x, module.a.b
    r"""|\$\{"""  # "${...}" anywhere at the start
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
        return _plain(value[0])
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: attribute(v) for k, v in value.items() if k not in LINE_KEYS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
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
    """What Checkov's plan conversion drops for one resource, read from the plan file."""

    unknown: frozenset[str] = frozenset()  # dotted paths from change.after_unknown
    secret: frozenset[str] = frozenset()  # dotted paths from change.after_sensitive
    default_tags: Mapping[str, str] | None = None  # its provider's constant default_tags
    action: str = ""


@dataclass(frozen=True)
class ProviderTags:
    """A provider's ``default_tags`` as Checkov's graph holds them (HCL)."""

    tags: Mapping[str, Any]  # values may be unresolved expression text
    whole_unresolved: bool = False  # default_tags { tags = var.x } that Checkov left as text


def _action(actions: Any) -> str:
    actions = list(actions or ())
    if actions == ["delete", "create"] or actions == ["create", "delete"]:
        return "replace"
    return actions[0] if len(actions) == 1 and isinstance(actions[0], str) else "create"


def _effective_tags_hcl(
    own: Any, defaults: ProviderTags | None
) -> tuple[dict[str, str], set[str]]:
    """Effective tags of an HCL resource: its tags over its provider's default tags."""
    if is_unresolved(own) or (defaults is not None and defaults.whole_unresolved):
        return {}, {"tags"}
    merged = {**(defaults.tags if defaults else {}), **(own if isinstance(own, dict) else {})}
    tags: dict[str, str] = {}
    unknown: set[str] = set()
    for key, value in merged.items():
        if is_unresolved(value):
            unknown.add(f"tags.{key}")
        else:
            tags[str(key)] = "" if value is None else str(value)
    return tags, unknown


def _effective_tags_plan(
    own: dict[str, Any] | None, tags_all: dict[str, Any] | None, facts: PlanFacts
) -> tuple[dict[str, str], set[str]]:
    """Effective tags of a planned resource: ``tags_all`` when Terraform knew it at plan
    time, else the provider's default tags merged under the resource's own ``tags``."""
    if tags_all is not None and "tags_all" not in facts.unknown:
        source, roots = tags_all, ("tags_all.", "tags.")
    elif "tags" in facts.unknown:
        return {}, {"tags"}
    else:
        source, roots = {**(facts.default_tags or {}), **(own or {})}, ("tags.",)
    undecided = {p.split(".", 1)[1] for p in facts.unknown if p.startswith(roots)}
    tags = {str(k): "" if v is None else str(v) for k, v in source.items() if k not in undecided}
    return tags, {f"tags.{key}" for key in undecided}


def terraform_resource(
    resource_type: str,
    conf: Mapping[str, Any],
    *,
    provider_tags: ProviderTags | None = None,
    plan: PlanFacts | None = None,
    file: str = "",
) -> Resource:
    """The `Resource` for a Terraform resource as Checkov sees it (HCL or plan JSON).

    ``plan`` is given for plan JSON (facts read from the plan file), ``provider_tags`` for
    HCL (the resource's provider's default tags, from Checkov's graph).
    """
    address = conf.get("__address__") or f"{resource_type}.unnamed"
    properties = {k: attribute(v) for k, v in conf.items() if k not in _NOT_PROPERTIES}
    own = as_map(conf.get("tags"))
    line = attribute(conf.get("__start_line__"))
    if plan is not None:
        tags, tag_unknown = _effective_tags_plan(own, as_map(conf.get("tags_all")), plan)
        unknown = {p for p in plan.unknown
                   if p.split(".", 1)[0] not in ("tags", "tags_all")} | tag_unknown
        secret = set(plan.secret)
        source_format, action = "tfplan", plan.action or _action(conf.get("__change_actions__"))
        line = None  # Checkov's plan line numbers are JSON lines, not source lines
    else:
        # an unresolved map (tags = var.tags) is expression text, not a dict
        written = own if own is not None else attribute(conf.get("tags"))
        tags, tag_unknown = _effective_tags_hcl(written, provider_tags)
        unknown = _unresolved_paths(properties) | tag_unknown
        secret = set()
        source_format, action = "hcl", "create"
    for path in unknown:
        _drop(properties, path)
    for path in secret:
        _redact(properties, path)
    module = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
    return Resource(
        type=resource_type,
        address=address,
        source_format=source_format,
        properties=properties,
        tags=tags,
        unknown=frozenset(unknown),
        secret=frozenset(p for p in secret if not p.startswith("tags")),
        location=Location(file, line if isinstance(line, int) else None) if file else None,
        action=action,
        module=module if module.startswith("module.") else "",
    )


def _parent(properties: dict[str, Any], path: str) -> tuple[Any, str] | None:
    parts = path.split(".")
    node: Any = properties
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
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


# --- plan files ------------------------------------------------------------------------------


def _true_paths(value: Any, prefix: str = "") -> Iterable[str]:
    """Dotted paths of every ``true`` in an after_unknown / after_sensitive tree."""
    if value is True:
        yield prefix
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _true_paths(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _true_paths(sub, f"{prefix}.{index}" if prefix else str(index))


def _constant_default_tags(provider: Mapping[str, Any]) -> dict[str, str] | None:
    blocks = (provider.get("expressions") or {}).get("default_tags") or []
    if not blocks or not isinstance(blocks, list) or not isinstance(blocks[0], dict):
        return None
    tags = (blocks[0].get("tags") or {}).get("constant_value")
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else None


def _provider_keys(module: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Resource address (without instance keys) → provider_config_key, at every depth."""
    keys = {}
    for res in module.get("resources") or []:
        if isinstance(res, dict) and "address" in res:
            keys[prefix + res["address"]] = str(res.get("provider_config_key") or "")
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            keys.update(_provider_keys(call.get("module") or {}, f"{prefix}module.{name}."))
    return keys


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")


def _provider_defaults(providers: Mapping[str, Any], key: str, resource_type: str
                       ) -> dict[str, str] | None:
    """Default tags of the provider configuration ``key`` (``aws``, ``aws.west``,
    ``module.x:aws``); modules without their own configuration inherit the root's."""
    for candidate in (key, key.rsplit(":", 1)[-1], resource_type.split("_", 1)[0]):
        if candidate in providers and isinstance(providers[candidate], dict):
            return _constant_default_tags(providers[candidate])
    return None


def plan_facts(plan: Mapping[str, Any]) -> dict[str, PlanFacts]:
    """Per resource address, the facts Checkov's plan conversion drops."""
    config = plan.get("configuration") or {}
    providers = config.get("provider_config") or {}
    provider_keys = _provider_keys(config.get("root_module") or {})
    facts = {}
    for rc in plan.get("resource_changes") or []:
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change") or {}
        address = str(rc.get("address", ""))
        key = provider_keys.get(_INSTANCE_KEY.sub("", address), "")
        facts[address] = PlanFacts(
            unknown=frozenset(_true_paths(change.get("after_unknown"))),
            secret=frozenset(_true_paths(change.get("after_sensitive"))),
            default_tags=_provider_defaults(providers, key, str(rc.get("type", ""))),
            action=_action(change.get("actions")),
        )
    return facts


# --- Kubernetes --------------------------------------------------------------------------------


def kubernetes_manifest(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest behind Checkov's Kubernetes conf: line markers gone, annotations a map."""
    manifest = _strip_lines(conf)
    meta = manifest.get("metadata")
    if isinstance(meta, dict):
        for part in ("annotations", "labels"):
            value = meta.get(part)
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
                meta[part] = value[0]
    return manifest


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in LINE_KEYS}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


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
