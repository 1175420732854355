"""Terraform plan JSON (``terraform show -json plan.out``, format 0.1 – 1.x) → `Resource`s.

What a plan says and how it lands in the model:

- ``resource_changes`` (managed mode only) is the source; ``planned_values.root_module`` (or a
  state's ``values.root_module``) is the fallback when a plan has no changes list.
- ``change.after`` becomes ``properties``; ``after_unknown`` becomes dotted ``unknown`` paths
  (list indexes are path parts: ``tracing_config.0.mode``); ``after_sensitive`` becomes
  ``secret`` paths and those values are replaced by redacted stand-ins (`plangate.model.redact`)
  before anything else reads them.
- Effective tags: ``tags_all`` when Terraform already knows it, else the provider's
  ``default_tags`` from ``configuration`` merged under the resource's own ``tags``.
- Deleted, forgotten and data-source (``read``) changes are not returned.

>>> from plangate.loaders.tfplan import from_data
>>> plan = {"format_version": "1.2", "resource_changes": [{"address": "aws_sqs_queue.q",
...     "mode": "managed", "type": "aws_sqs_queue", "name": "q",
...     "provider_name": "registry.terraform.io/hashicorp/aws",
...     "change": {"actions": ["create"], "after": {"tags": {"team": "ml"}},
...                "after_unknown": {"arn": True, "tags_all": True}}}]}
>>> [(r.address, r.tags, sorted(r.unknown)) for r in from_data(plan, "plan.json", None)]
[('aws_sqs_queue.q', {'team': 'ml'}, ['arn', 'tags_all'])]
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from plangate.errors import InputError
from plangate.loaders.formats import Input, input_format
from plangate.loaders.source import decode
from plangate.loaders.tags import UNKNOWN_DEFAULTS, DefaultTags, OwnTags, clean_tags, ignoring, merge
from plangate.model import Load, Location, ProviderConfig, Resource, Root, redact
from plangate.types import is_aws_region

SOURCE_FORMAT = "tfplan"

# Terraform's action lists → our action; None means "not returned" (gone, or not managed).
_ACTIONS: dict[tuple[str, ...], str | None] = {
    ("create",): "create",
    ("update",): "update",
    ("no-op",): "no-op",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("delete",): None,
    ("read",): None,
    ("forget",): None,  # Terraform 1.7 `removed` blocks: the object leaves state, untouched
    ("create", "forget"): "create",  # new object created, the old one only forgotten
}

# `"address": "<escaped string>"` anywhere in the raw plan (one pass builds the line index).
_ADDRESS = re.compile(rb'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
# Instance keys in a module address: module.a[0].module.b["x"] → module.a.module.b
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')


def from_data(data: Any, file: str, raw: bytes | None) -> list[Resource]:
    """Resources in a parsed ``terraform show -json`` document; `InputError` when malformed."""
    return read(data, file, raw).resources


def read(data: Any, file: str, raw: bytes | None) -> Load:
    """A parsed plan's resources, with its provider configurations (alias, region) and itself
    as the root read; `InputError` when malformed."""
    if not isinstance(data, dict):
        raise InputError(file, f"a Terraform plan is a JSON object, not {_kind(data)}")
    _check_version(data.get("format_version"), file)
    lines = _LineIndex(raw)
    resources: list[Resource] = []
    try:
        providers = _Providers(data.get("configuration"), data.get("variables"))
        with _no_gc():
            changes = data.get("resource_changes")
            if changes is not None:
                configured = _Configured(data.get("configuration"), data.get("variables"))
                resources = list(_from_changes(changes, file, lines, providers, configured))
            else:
                for key, action in (("planned_values", "create"), ("values", "no-op")):
                    values = data.get(key)
                    if values is not None:
                        resources = list(_from_values(values, key, action, file, lines, providers))
                        break
    except RecursionError:
        raise InputError(file, "values are nested too deeply") from None
    for res in resources:
        res.stack = file  # each plan is its own stack
    version = data.get("terraform_version")
    engine = f"terraform {version}" if isinstance(version, str) else "terraform"
    return Load(resources, roots=(Root(file, SOURCE_FORMAT, engine),), providers=providers.provenance(file))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building resources.

    The loop allocates many small acyclic objects while the parsed plan (millions of
    objects) is alive, so a generation-2 collection would traverse the whole plan for
    nothing; on a 10,000-resource plan those passes made the slowest loads twice as slow.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- resource_changes


def _from_changes(
    changes: Any, file: str, lines: _LineIndex, providers: _Providers, configured: _Configured
) -> Iterator[Resource]:
    for entry, where, address, rtype in _managed(changes, "resource_changes", file):
        change = entry.get("change")
        if not isinstance(change, dict):
            raise InputError(file, f"{where} ({address}) has no change object")
        action = _action(change.get("actions"), f"{where} ({address})", file)
        if action is None:
            continue
        after = _object_or_none(change.get("after"), f"{where}.change.after", file)
        unknown_tree = _tree(change.get("after_unknown"), f"{where}.change.after_unknown", file)
        secret_tree = _tree(change.get("after_sensitive"), f"{where}.change.after_sensitive", file)
        module = _string(entry.get("module_address", ""), f"{where}.module_address", file)
        after, unknown_tree = _with_service_defaults(rtype, after or {}, unknown_tree, module,
                                                     entry.get("name"), configured)
        yield _resource(
            entry, address, rtype, module, after, unknown_tree, secret_tree, action,
            file, lines, providers,
        )


def _managed(entries: Any, where: str, file: str) -> Iterator[tuple[dict[str, Any], str, str, str]]:
    """The managed resources of a list of plan entries, each with where it is, its address and its type.
    Every entry is checked first; data sources are then left out (they are read, not deployed)."""
    if not isinstance(entries, list):
        raise InputError(file, f"{where} must be a list, not {_kind(entries)}")
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise InputError(file, f"{at} must be an object, not {_kind(entry)}")
        address, rtype = _identity(entry, at, file)
        if entry.get("mode", "managed") == "managed":
            yield entry, at, address, rtype


def _action(actions: Any, where: str, file: str) -> str | None:
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise InputError(file, f"{where}: change.actions must be a list of strings")
    key = tuple(actions)
    if key not in _ACTIONS:
        raise InputError(file, f"{where}: unsupported change.actions {actions!r}")
    return _ACTIONS[key]


# ------------------------------------------------------------------- planned_values / values


def _from_values(
    values: Any, key: str, action: str, file: str, lines: _LineIndex, providers: _Providers
) -> Iterator[Resource]:
    if not isinstance(values, dict):
        raise InputError(file, f"{key} must be an object, not {_kind(values)}")
    root = values.get("root_module")
    if root is None:
        return
    # Iterative walk: child_modules nest to any depth.
    stack: list[tuple[Any, str]] = [(root, f"{key}.root_module")]
    while stack:
        module, where = stack.pop()
        if not isinstance(module, dict):
            raise InputError(file, f"{where} must be an object, not {_kind(module)}")
        module_address = _string(module.get("address", ""), f"{where}.address", file)
        resources = module.get("resources")
        for entry, rwhere, address, rtype in _managed([] if resources is None else resources, f"{where}.resources",
                                                      file):
            props = _object_or_none(entry.get("values"), f"{rwhere}.values", file) or {}
            secret_tree = _tree(entry.get("sensitive_values"), f"{rwhere}.sensitive_values", file)
            yield _resource(
                entry, address, rtype, module_address, props, None, secret_tree, action,
                file, lines, providers,
                notes=(f"from {key}: a plan without resource_changes does not say which "
                       "values are only known after apply",),
            )
        children = module.get("child_modules")
        children = [] if children is None else children
        if not isinstance(children, list):
            raise InputError(file, f"{where}.child_modules must be a list, not {_kind(children)}")
        for index, child in reversed(list(enumerate(children))):
            stack.append((child, f"{where}.child_modules[{index}]"))


# ------------------------------------------------------------------------- one resource


def _resource(
    entry: dict[str, Any],
    address: str,
    rtype: str,
    module: str,
    after: dict[str, Any],
    unknown_tree: Any,
    secret_tree: Any,
    action: str,
    file: str,
    lines: _LineIndex,
    providers: _Providers,
    notes: tuple[str, ...] = (),
) -> Resource:
    unknown = set(_true_paths(unknown_tree))
    # `after_sensitive: true` marks the whole object: every attribute is then secret.
    secret_paths = sorted(after) if secret_tree is True else _true_paths(secret_tree)
    if secret_paths:
        props = _redact(after, {k: True for k in after} if secret_tree is True else secret_tree)
    else:
        props = after
    key = providers.key_for(module, rtype, entry.get("name"), entry.get("provider_name"))
    defaults = providers.default_tags(key) if _needs_defaults(props, unknown_tree) else None
    tags, tag_unknown, tag_notes = effective_tags(props, unknown_tree, defaults)
    unknown.update(tag_unknown)
    return Resource(
        type=rtype,
        address=address,
        source_format=SOURCE_FORMAT,
        properties=props,
        tags=tags,
        unknown=frozenset(unknown),
        secret=frozenset(secret_paths),
        location=Location(file, lines.line(address)),
        action=action,
        provider=_provider_short(entry.get("provider_name"), rtype),
        module=module,
        notes=notes + tag_notes,
        region=providers.region(key),
    )


def _needs_defaults(props: dict[str, Any], unknown_tree: Any) -> bool:
    """Provider defaults matter only for taggable resources whose tags_all is not known."""
    if "tags" not in props and "tags_all" not in props:
        return isinstance(unknown_tree, dict) and (
            "tags" in unknown_tree or "tags_all" in unknown_tree
        )
    all_unknown = isinstance(unknown_tree, dict) and unknown_tree.get("tags_all") is True
    return all_unknown or not isinstance(props.get("tags_all"), dict)


def _identity(entry: dict[str, Any], where: str, file: str) -> tuple[str, str]:
    address, rtype = entry.get("address"), entry.get("type")
    if not isinstance(address, str) or not address:
        raise InputError(file, f"{where} has no address")
    if not isinstance(rtype, str) or not rtype:
        raise InputError(file, f"{where} ({address}) has no type")
    for key in ("provider_name", "name"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise InputError(file, f"{where} ({address}): {key} must be a string, not {_kind(entry[key])}")
    return address, rtype


@lru_cache(maxsize=256)
def _provider_short(provider_name: str | None, rtype: str) -> str:
    """``registry.terraform.io/hashicorp/aws`` (or 0.12's ``aws``) → ``aws``."""
    if not isinstance(provider_name, str) or not provider_name:
        return rtype.split("_", 1)[0]
    name = provider_name
    if name.startswith("provider[") and '"' in name:  # provider["registry…/aws"].alias
        name = name.split('"')[1]
    name = name.rsplit("/", 1)[-1].removeprefix("provider.")
    return name.split(".", 1)[0]


# ------------------------------------------------------------------------------- tags


def effective_tags(
    props: dict[str, Any], unknown_tree: Any, defaults: DefaultTags | None
) -> tuple[dict[str, str], set[str], tuple[str, ...]]:
    """(effective tags, unknown tag paths, notes) for one resource's planned values.

    ``props`` must already be redacted.  Resources with neither ``tags`` nor ``tags_all`` do
    not take tags, so provider defaults are not applied to them.  A known ``tags_all`` already
    holds the provider defaults, so it stands in for them (the own tags still win: tags_all
    can lag behind tags on an update).
    """
    unknown_map = unknown_tree if isinstance(unknown_tree, dict) else {}
    if not ({"tags", "tags_all"} & (props.keys() | unknown_map.keys())):
        return {}, set(), ()
    own_unknown = unknown_map.get("tags")
    all_unknown = unknown_map.get("tags_all")
    tags_all = props.get("tags_all")
    if isinstance(tags_all, dict) and all_unknown is not True:
        defaults = DefaultTags(clean_tags(tags_all), _true_keys(all_unknown))
    own = OwnTags(clean_tags(props.get("tags")), _true_keys(own_unknown), known=own_unknown is not True)
    merged = merge(own, defaults)
    return merged.tags, set(merged.unknown), merged.notes


def _true_keys(tree: Any) -> frozenset[str]:
    return frozenset(str(k) for k, flag in tree.items() if flag is True) if isinstance(tree, dict) else frozenset()


class _Providers:
    """The provider configurations of ``configuration`` (``default_tags`` and region), and which
    configuration manages each resource."""

    def __init__(self, configuration: Any, variables: Any = None):
        self.configs: dict[str, dict[str, Any]] = {}
        self.defaults: dict[str, DefaultTags | None] = {}
        self.regions: dict[str, str] = {}
        self.resource_keys: dict[tuple[str, str], str] = {}
        if not isinstance(configuration, dict):
            return
        provider_config = configuration.get("provider_config")
        if isinstance(provider_config, dict):
            for key, cfg in provider_config.items():
                if not isinstance(cfg, dict):
                    continue
                self.configs[key] = cfg
                self.defaults[key] = _default_tags(cfg)
                region = _provider_region(cfg, variables)
                if region:
                    self.regions[key] = region
        if self.configs:
            self._index_module(configuration.get("root_module"), "")

    def _index_module(self, module: Any, path: str) -> None:
        for where, res in _config_resources(module, path):
            if isinstance(res.get("provider_config_key"), str):
                self.resource_keys[(where, str(res.get("address")))] = res["provider_config_key"]

    def key_for(self, module_address: str, rtype: str, name: Any, provider_name: Any) -> str | None:
        """The ``provider_config`` key of the configuration managing a resource, or None."""
        if not self.configs:
            return None
        module = _module_path(module_address)
        key = self.resource_keys.get((module, f"{rtype}.{name}"))
        if key in self.configs:
            return key  # Terraform ≥ 0.15 writes the resolved key
        # Older plans write "<module call>:<provider>"; else assume the unaliased provider.
        local = key.rsplit(":", 1)[-1] if key else _provider_short(provider_name, rtype)
        parts = module.split(".") if module else []
        while parts:  # a module without its own provider block inherits its parent's
            candidate = f"{'.'.join(parts)}:{local}"
            if candidate in self.configs:
                return candidate
            parts = parts[:-2]
        return local if local in self.configs else None

    def default_tags(self, key: str | None) -> DefaultTags | None:
        return self.defaults.get(key) if key else None

    def region(self, key: str | None) -> str:
        return self.regions.get(key, "") if key else ""

    def provenance(self, stack: str) -> tuple[ProviderConfig, ...]:
        out = []
        for key, cfg in self.configs.items():
            alias = cfg.get("alias") if isinstance(cfg.get("alias"), str) else ""
            module = cfg.get("module_address") if isinstance(cfg.get("module_address"), str) else ""
            out.append(ProviderConfig(str(cfg.get("name") or key.split(".")[0]), alias,
                                      self.regions.get(key, ""), module, stack))
        return tuple(out)


def _provider_region(cfg: dict[str, Any], variables: Any) -> str:
    """The region a provider configuration states: a literal, or a root variable's planned
    value ("" when it is neither, e.g. a module variable or an expression)."""
    expressions = cfg.get("expressions")
    expr = expressions.get("region") if isinstance(expressions, dict) else None
    if not isinstance(expr, dict):
        return ""
    value = expr.get("constant_value")
    if value is None and not cfg.get("module_address"):
        refs = expr.get("references")
        if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], str) and refs[0].startswith("var."):
            var = variables.get(refs[0][4:]) if isinstance(variables, dict) else None
            value = var.get("value") if isinstance(var, dict) else None
    return value if isinstance(value, str) and is_aws_region(value) else ""



def _config_resources(module: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(module path, resource block) for every resource block in ``configuration``."""
    if not isinstance(module, dict):
        return
    resources = module.get("resources")
    for res in resources if isinstance(resources, list) else ():
        if isinstance(res, dict):
            yield path, res
    calls = module.get("module_calls")
    if isinstance(calls, dict):
        for name, call in calls.items():
            if isinstance(call, dict):
                yield from _config_resources(call.get("module"), f"{path}.module.{name}" if path else f"module.{name}")


# Arguments the AWS provider (5.x, 6.x) marks computed (``after_unknown``) when the
# configuration leaves them out, although AWS then applies a fixed default: a block the
# configuration never set takes that default.  Without this, a Lambda function with no
# logging_config block was "log group unknown until apply" although its name is in the plan.
# Each entry maps the planned values to the default (None: not decidable, stays unknown).
_SERVICE_DEFAULTS: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
    "aws_lambda_function": {
        "logging_config": lambda after: [{
            "application_log_level": "", "log_format": "Text", "system_log_level": "",
            "log_group": f"/aws/lambda/{after['function_name']}",
        }] if isinstance(after.get("function_name"), str) and after["function_name"] else None,
        "architectures": lambda after: ["x86_64"],
        "ephemeral_storage": lambda after: [{"size": 512}],
        "tracing_config": lambda after: [{"mode": "PassThrough"}],  # X-Ray off: Lambda's default mode
    },
    "aws_cloudwatch_log_group": {"log_group_class": lambda after: "STANDARD"},
}


class _Configured:
    """Which arguments each resource block of ``configuration`` sets (indexed on first use).  One
    set to a variable that is null is not set: Terraform leaves it to the provider, as if absent."""

    def __init__(self, configuration: Any, variables: Any = None):
        self._configuration = configuration
        self._variables = variables if isinstance(variables, dict) else {}
        self._calls: dict[str, tuple[str, dict[str, Any]]] = {}  # module path -> (its caller's path, the call)
        self._blocks: dict[tuple[str, str], dict[str, Any]] | None = None  # (module path, address) -> expressions

    def unset(self, module_address: str, rtype: str, name: Any, arguments: list[str]) -> list[str] | None:
        """Those of ``arguments`` the block leaves unset, or None when the plan has no such block."""
        if self._blocks is None:
            root = self._configuration.get("root_module") if isinstance(self._configuration, dict) else None
            self._index_calls(root, "")
            self._blocks = {(path, str(res.get("address"))): res["expressions"]
                            for path, res in _config_resources(root, "") if isinstance(res.get("expressions"), dict)}
        path = _module_path(module_address)
        expressions = self._blocks.get((path, f"{rtype}.{name}"))
        if expressions is None:
            return None
        return [a for a in arguments if a not in expressions or self._null_variable(expressions[a], path)]

    def _index_calls(self, module: Any, path: str) -> None:
        calls = module.get("module_calls") if isinstance(module, dict) else None
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                inner = f"{path}.module.{name}" if path else f"module.{name}"
                self._calls[inner] = (path, call)
                self._index_calls(call.get("module"), inner)

    def _null_variable(self, expression: Any, path: str, depth: int = 0) -> bool:
        """Whether an expression is one variable whose value is null: a root variable the plan
        gives as null, or a module's that its call sets to null, to such a variable, or leaves
        at a null default."""
        if isinstance(expression, dict) and "constant_value" in expression:
            return expression["constant_value"] is None
        refs = expression.get("references") if isinstance(expression, dict) else None
        if not (isinstance(refs, list) and len(refs) == 1 and str(refs[0]).startswith("var.")) or depth > 64:
            return False
        name = refs[0][4:]
        if not path:
            given = self._variables.get(name)
            return isinstance(given, dict) and "value" in given and given["value"] is None
        parent, call = self._calls.get(path, ("", {}))
        expressions, module = call.get("expressions"), call.get("module")
        argument = expressions.get(name) if isinstance(expressions, dict) else None
        if argument is not None:
            return self._null_variable(argument, parent, depth + 1)
        variables = module.get("variables") if isinstance(module, dict) else None
        declared = variables.get(name) if isinstance(variables, dict) else None
        return isinstance(declared, dict) and "default" in declared and declared["default"] is None


def _with_service_defaults(rtype: str, after: dict[str, Any], unknown_tree: Any, module: str,
                           name: Any, configured: _Configured) -> tuple[dict[str, Any], Any]:
    """``after`` / ``after_unknown`` with the provider's computed defaults filled in where the
    configuration never set the argument.  A dynamic block does not show in ``expressions``,
    but then the block's values are planned, so only an argument with no planned value and an
    unknown mark is filled."""
    defaults = _SERVICE_DEFAULTS.get(rtype)
    if not defaults or not isinstance(unknown_tree, dict):
        return after, unknown_tree
    pending = [k for k in defaults if unknown_tree.get(k) is True and after.get(k) in (None, [])]
    if not pending:
        return after, unknown_tree
    unset = configured.unset(module, rtype, name, pending)
    if unset is None:  # no configuration for it (an older or filtered plan): stay unknown
        return after, unknown_tree
    filled = {k: v for k in unset if (v := defaults[k](after)) is not None}
    if not filled:
        return after, unknown_tree
    return {**after, **filled}, {k: v for k, v in unknown_tree.items() if k not in filled}


@lru_cache(maxsize=1024)
def _module_path(module_address: str) -> str:
    """``module.a[0].module.b["x"]`` → ``module.a.module.b`` (configuration has no keys)."""
    return _INSTANCE_KEY.sub("", module_address)


def _default_tags(cfg: Any) -> DefaultTags | None:
    expressions = cfg.get("expressions") if isinstance(cfg, dict) else None
    blocks = expressions.get("default_tags") if isinstance(expressions, dict) else None
    if not blocks:
        return None
    if not isinstance(blocks, list):
        return UNKNOWN_DEFAULTS
    tags: dict[str, str] = {}
    for block in blocks:
        expr = block.get("tags") if isinstance(block, dict) else None
        if expr is None:
            continue
        if not isinstance(expr, dict) or "constant_value" not in expr:
            return UNKNOWN_DEFAULTS  # a reference to a variable, local, …
        tags.update(clean_tags(expr["constant_value"]))
    ignore = expressions.get("ignore_tags")
    block = ignore[-1] if isinstance(ignore, list) and ignore and isinstance(ignore[-1], dict) else {}
    # a list Terraform could not write as a constant (a variable's, a local's): not a list here, so unknown
    lists = [block[k].get("constant_value", block[k]) if isinstance(block.get(k), dict) else block.get(k)
             for k in ("keys", "key_prefixes")]
    return ignoring(DefaultTags(tags), *lists)


# ------------------------------------------------------------------ unknown / secret trees


def _true_paths(tree: Any) -> list[str]:
    """Dotted paths of every ``true`` leaf in an after_unknown / after_sensitive tree."""
    out: list[str] = []
    if isinstance(tree, dict):
        for key, sub in tree.items():
            if sub is True:
                out.append(str(key))
            elif sub and isinstance(sub, (dict, list)):  # False, {} and [] hold nothing
                _collect(sub, str(key), out)
    return out


def _collect(tree: Any, prefix: str, out: list[str]) -> None:
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    for key, sub in items:
        if sub is True:
            out.append(f"{prefix}.{key}")
        elif sub and isinstance(sub, (dict, list)):
            _collect(sub, f"{prefix}.{key}", out)


def _redact(value: Any, tree: Any) -> Any:
    """A copy of ``value`` with every value ``tree`` (after_sensitive) marks replaced by its
    redacted stand-in (copy on write).  The walk follows the tree's own keys, never a dotted
    path split on ".": a tag key like ``ai.plangate.dev/model-card-url`` is one key."""
    if tree is True:
        return redact(value)  # the value stays comparable for rules, never printable
    if isinstance(tree, dict) and isinstance(value, dict):
        changed = {k: _redact(value[k], sub) for k, sub in tree.items() if sub and k in value}
        return {**value, **changed} if changed else value
    if isinstance(tree, list) and isinstance(value, list):
        copy = list(value)
        for index, sub in enumerate(tree[: len(value)]):
            if sub:
                copy[index] = _redact(value[index], sub)
        return copy
    return value  # not in the planned values (e.g. also unknown): nothing to hide


# ------------------------------------------------------------------------------ helpers


class _LineIndex:
    """Line of each resource's ``"address"`` in the raw plan, found cheaply.

    Resources are read in file order, so each search starts where the previous one ended:
    one forward scan over the file in all (the same address also appears in planned_values,
    prior_state and configuration, which the cursor never goes back to).  When an address
    is not where expected (unusual escaping, reordering), one regex pass indexes them all.
    """

    def __init__(self, raw: bytes | None):
        self._raw = raw
        self._ready = False
        self._cursor = 0
        self._line = 1  # line number at the cursor
        self._separator = b'":"'
        self._index: dict[str, int] | None = None

    def line(self, address: str) -> int | None:
        if self._raw is None:
            return None
        if not self._ready:
            self._prepare()
        if self._index is not None:
            return self._index.get(address)
        raw = self._raw
        if '"' in address or "\\" in address:
            quoted = json.dumps(address, ensure_ascii=False)[1:]
        else:
            quoted = address + '"'
        needle = b'"address' + self._separator + quoted.encode()
        pos = raw.find(needle, self._cursor)
        if pos < 0:
            self._index = self._full_index(raw)
            return self._index.get(address)
        self._line += raw.count(b"\n", self._cursor, pos)
        self._cursor = pos
        return self._line

    def _prepare(self) -> None:
        raw = self._raw
        assert raw is not None
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[:3] == b"\xef\xbb\xbf":
            raw = self._raw = decode(raw, "").encode("utf-8")  # UTF-16 plans from Windows
        if b'"address":"' not in raw:
            self._separator = b'": "'  # pretty-printed (jq, Go's MarshalIndent)
        start = raw.find(b'"resource_changes"')
        if start > 0:
            self._line += raw.count(b"\n", 0, start)
            self._cursor = start
        self._ready = True

    @staticmethod
    def _full_index(raw: bytes) -> dict[str, int]:
        changes_at = raw.find(b'"resource_changes"')
        preferred: dict[str, int] = {}
        fallback: dict[str, int] = {}
        line, last = 1, 0
        for match in _ADDRESS.finditer(raw):
            pos = match.start()
            line += raw.count(b"\n", last, pos)
            last = pos
            text = match.group(1)
            try:
                address = json.loads(b'"' + text + b'"') if b"\\" in text else text.decode()
            except ValueError:
                continue
            target = preferred if changes_at >= 0 and pos > changes_at else fallback
            target.setdefault(address, line)
        return {**fallback, **preferred}


def _check_version(version: Any, file: str) -> None:
    if version is None:
        return
    if not isinstance(version, str):
        raise InputError(file, f"format_version must be a string, not {_kind(version)}")
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) > 1:
        raise InputError(
            file, f"unsupported plan format_version {version!r} (plangate reads 0.x and 1.x)"
        )


def _object_or_none(value: Any, where: str, file: str) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise InputError(file, f"{where} must be an object, not {_kind(value)}")


def _tree(value: Any, where: str, file: str) -> Any:
    if value is None or isinstance(value, (dict, bool)):
        return value
    raise InputError(file, f"{where} must be an object or boolean, not {_kind(value)}")


def _string(value: Any, where: str, file: str) -> str:
    if isinstance(value, str):
        return value
    raise InputError(file, f"{where} must be a string, not {_kind(value)}")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


# ------------------------------------------------------------------------------ input format


def _is_plan(data: Any) -> bool:
    """an object with `resource_changes` or `planned_values`, or with `format_version` and `terraform_version`"""
    return isinstance(data, dict) and ("resource_changes" in data or "planned_values" in data or (
        "format_version" in data and "terraform_version" in data))


@input_format(SOURCE_FORMAT, "Terraform plan JSON (`terraform show -json plan.out`)", sniff=_is_plan,
              keys=("resource_changes", "planned_values", "prior_state", "format_version", "terraform_version"))
def read_input(src: Input) -> Load:
    return read(src.data, src.file, src.raw)
