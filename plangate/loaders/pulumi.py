"""Pulumi previews, stack exports / checkpoints and engine event logs → `Resource`s.

Three inputs, one path: each is read into a list of engine resource states (URN, type token,
inputs, outputs, parent, provider reference), which are then normalised the same way:

- type tokens become canonical Terraform names (`types.pulumi_type`) and camelCase properties
  snake_case (`types.pulumi_properties`); stacks, providers and components are not returned;
- the engine's unknown sentinel is removed and its path recorded in ``unknown``; secret
  values become `REDACTED` (path in ``secret``); assets and archives keep only their hash;
- effective tags merge the AWS provider's ``defaultTags`` under the resource's own tags.

>>> from plangate.loaders.pulumi import from_preview
>>> preview = {"steps": [{"op": "create", "urn": "urn:pulumi:dev::app::aws:sqs/queue:Queue::jobs",
...     "newState": {"type": "aws:sqs/queue:Queue", "inputs": {"tags": {"team": "ml"},
...     "kmsMasterKeyId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}}}]}
>>> [(r.address, r.tags, sorted(r.unknown)) for r in from_preview(preview, "preview.json")]
[('aws_sqs_queue.jobs', {'team': 'ml'}, ['kms_master_key_id'])]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from plangate.errors import InputError
from plangate.loaders.formats import Input, input_format
from plangate.loaders.pulumi_wire import (  # the engine's markers (UNKNOWN, special objects)
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_SIG,
    RESOURCE_REF_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
)
from plangate.loaders.source import decode
from plangate.loaders.tags import UNKNOWN_DEFAULTS, DefaultTags, OwnTags, clean_tags, ignoring, keys_under, merge
from plangate.model import REDACTED, Location, Resource, comparable, redact
from plangate.types import BILLABLE, is_aws_region, pulumi_properties, pulumi_type

# Event logs print secret values as this text; it is treated like a secret wrapper.
PREVIEW, STATE = "pulumi-preview", "pulumi-state"  # the formats this module reads
_SECRET_TEXT = "[secret]"

# Step / event ops → our action; None: the resource is gone or not managed by this stack.
_OPS: dict[str, str | None] = {
    "create": "create",
    "update": "update",
    "same": "no-op",
    "replace": "replace",
    "create-replacement": "replace",
    "import": "create",
    "import-replacement": "replace",
    "delete": None,
    "delete-replaced": None,
    "discard": None,
    "discard-replaced": None,
    "read": None,
    "read-replacement": None,
    "read-discard": None,
    "refresh": None,
    "remove-pending-replace": None,
}
# When one URN has several steps (a replacement is create-replacement, replace, delete-replaced)
# the strongest action wins.
_STRENGTH = {"no-op": 0, "create": 1, "update": 2, "replace": 3}
_SKIPPED_TYPES = frozenset({"pulumi_component", "pulumi_provider"})

_DROP = object()  # a value removed from properties (unknown at preview time)


@dataclass(slots=True)
class _State:
    """One resource as the engine describes it, before normalising."""

    urn: str
    token: str
    state: dict[str, Any]
    action: str
    provider_ref: str
    line: int | None = None


# ------------------------------------------------------------------------------ inputs


def from_preview(data: Any, file: str) -> list[Resource]:
    """Resources in ``pulumi preview --json`` output."""
    if not isinstance(data, dict):
        raise InputError(file, "a Pulumi preview is a JSON object with a steps list")
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise InputError(file, f"steps must be a list, not {_kind(steps)}")
    states = []
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if not isinstance(step, dict):
            raise InputError(file, f"{where} must be an object, not {_kind(step)}")
        state = _step_state(step, step.get("newState"), step.get("oldState"), where, file)
        if state is not None:
            states.append(state)
    return _resources(states, _config(data.get("config"), file), file, PREVIEW)


def from_state(data: Any, file: str) -> list[Resource]:
    """Resources in ``pulumi stack export`` output or a v0 / v3 / v4 checkpoint file."""
    resources = _state_resources(data, file)
    states = []
    for index, res in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(res, dict):
            raise InputError(file, f"{where} must be an object, not {_kind(res)}")
        urn = _required_str(res, "urn", where, file)
        token = _required_str(res, "type", where, file)
        if res.get("delete") is True or res.get("external") is True:
            continue  # pending deletion, or read (`.get`) rather than managed here
        provider = _optional_str(res, "provider", where, file)
        states.append(_State(urn, token, res, "no-op", provider))
    return _resources(states, {}, file, STATE)


def from_event_log(raw: bytes, file: str) -> list[Resource]:
    """Resources in an engine event log (JSON lines, e.g. ``pulumi preview --event-log``)."""
    text = decode(raw, file)
    states = []
    config: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise InputError(file, f"invalid JSON event: {getattr(exc, 'msg', exc)}", number) from None
        except RecursionError:
            raise InputError(file, "invalid JSON event: nested too deeply", number) from None
        if not isinstance(event, dict):
            raise InputError(file, f"an engine event is a JSON object, not {_kind(event)}", number)
        prelude = event.get("preludeEvent")
        if isinstance(prelude, dict):
            config.update(_config(prelude.get("config"), file, number))
        pre = event.get("resourcePreEvent")
        if pre is None:
            continue  # outputs, diagnostics, summary, policy events: nothing to load
        metadata = pre.get("metadata") if isinstance(pre, dict) else None
        if not isinstance(metadata, dict):
            raise InputError(file, "resourcePreEvent has no metadata object", number)
        try:
            state = _step_state(metadata, metadata.get("new"), metadata.get("old"), "metadata", file)
        except InputError as exc:
            raise InputError(file, exc.problem, number) from None
        if state is not None:
            state.line = number
            states.append(state)
    return _resources(states, config, file, PREVIEW)


def _step_state(step: dict[str, Any], new: Any, old: Any, where: str, file: str) -> _State | None:
    """The state a preview step or pre-event describes, or None for deletes and reads."""
    op = _required_str(step, "op", where, file)
    urn = _required_str(step, "urn", where, file)
    if op not in _OPS:
        raise InputError(file, f"{where} ({urn}): unknown op {op!r}")
    action = _OPS[op]
    if action is None:
        return None
    for name, value in (("newState", new), ("oldState", old)):
        if value is not None and not isinstance(value, dict):
            raise InputError(file, f"{where}.{name} ({urn}) must be an object, not {_kind(value)}")
    state = new or old or {}
    token = state.get("type") or step.get("type") or _urn_type(urn)
    if not isinstance(token, str):
        raise InputError(file, f"{where} ({urn}): type must be a string, not {_kind(token)}")
    provider = state.get("provider") or step.get("provider") or ""
    if not isinstance(provider, str):
        raise InputError(file, f"{where} ({urn}): provider must be a string, not {_kind(provider)}")
    return _State(urn, token, state, action, provider)


def _state_resources(data: Any, file: str) -> list[Any]:
    """The resource list of an export (``deployment``), checkpoint or v0 checkpoint."""
    if not isinstance(data, dict):
        raise InputError(file, "a Pulumi stack export is a JSON object")
    if "deployment" in data:
        holder, where = data["deployment"], "deployment"
    elif "checkpoint" in data:
        checkpoint = data["checkpoint"]
        if checkpoint is not None and not isinstance(checkpoint, dict):
            raise InputError(file, f"checkpoint must be an object, not {_kind(checkpoint)}")
        holder, where = (checkpoint or {}).get("latest"), "checkpoint.latest"
    elif "latest" in data:
        holder, where = data["latest"], "latest"
    else:
        raise InputError(file, "not a Pulumi stack export or checkpoint (no deployment / checkpoint)")
    if holder is None:
        return []  # a stack that was never updated
    if not isinstance(holder, dict):
        raise InputError(file, f"{where} must be an object, not {_kind(holder)}")
    resources = holder.get("resources")
    if resources is None:
        return []
    if not isinstance(resources, list):
        raise InputError(file, f"{where}.resources must be a list, not {_kind(resources)}")
    return resources


def _config(value: Any, file: str, line: int | None = None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(file, f"config must be an object, not {_kind(value)}", line)
    return value


# ---------------------------------------------------------------------------- normalise


def _resources(states: list[_State], config: dict[str, Any], file: str, fmt: str) -> list[Resource]:
    try:
        return _normalise(states, config, file, fmt)
    except RecursionError:
        raise InputError(file, "values are nested too deeply") from None


def _normalise(states: list[_State], config: dict[str, Any], file: str, fmt: str) -> list[Resource]:
    merged = _merge_by_urn(states)
    providers = {s.urn: s.state for s in merged if s.token.startswith("pulumi:providers:")}
    wanted = [(s, pulumi_type(s.token)) for s in merged]
    wanted = [(s, canonical) for s, canonical in wanted if canonical not in _SKIPPED_TYPES]
    uses: dict[str, int] = {}
    for s, canonical in wanted:
        key = f"{canonical}.{_urn_name(s.urn)}"
        uses[key] = uses.get(key, 0) + 1
    out = []
    for s, canonical in wanted:
        address = f"{canonical}.{_urn_name(s.urn)}"
        if uses[address] > 1:
            address = s.urn  # two resources of one type share a name under different parents
        out.append(_resource(s, canonical, address, providers, config, file, fmt))
    return out


def _merge_by_urn(states: Iterable[_State]) -> list[_State]:
    """One state per URN (first-seen order): the last state seen, with the strongest action."""
    by_urn: dict[str, _State] = {}
    for s in states:
        seen = by_urn.get(s.urn)
        if seen is not None and _STRENGTH[seen.action] > _STRENGTH[s.action]:
            s.action = seen.action
        by_urn[s.urn] = s
    return list(by_urn.values())


def _resource(
    s: _State,
    canonical: str,
    address: str,
    providers: dict[str, dict[str, Any]],
    config: dict[str, Any],
    file: str,
    fmt: str,
) -> Resource:
    raw_props = _props_source(s.state, s.urn, file)
    unknown: list[str] = []
    secret: list[str] = []
    if canonical.startswith("kubernetes_"):
        return _kubernetes(s, canonical, address, raw_props, file, fmt)
    props = _clean(pulumi_properties(canonical, raw_props), "", unknown, secret)
    taggable = canonical in BILLABLE or _mentions_tags(s.state)
    defaults = _provider_defaults(s, providers, config) if taggable else None
    tags, tag_unknown, notes = _effective_tags(props, set(unknown), set(secret), defaults, taggable)
    return Resource(
        type=canonical,
        address=address,
        source_format=fmt,
        properties=props,
        tags=tags,
        unknown=frozenset(unknown) | tag_unknown,
        secret=frozenset(secret),
        location=Location(file, s.line),
        action=s.action,
        module=_parent_name(s.state.get("parent")),
        notes=notes,
        region=_provider_region(s, providers, config),
    )


def _kubernetes(s: _State, canonical: str, address: str, raw_props: dict[str, Any],
                file: str, fmt: str) -> Resource:
    """Kubernetes inputs are the manifest itself (camelCase is its own spelling): read them as
    the YAML loader does, so labels, annotations and pod templates mean the same."""
    from dataclasses import replace

    from plangate.loaders.k8s import manifest_resource

    unknown: list[str] = []
    secret: list[str] = []
    manifest = _clean(raw_props, "", unknown, secret)
    manifest = manifest if isinstance(manifest, dict) else {}
    manifest.setdefault("kind", _urn_type(s.urn).rsplit(":", 1)[-1])
    res = manifest_resource(manifest, file, s.line, address)
    return replace(res, type=canonical, address=address, source_format=fmt, action=s.action,
                   unknown=frozenset(unknown), secret=res.secret | frozenset(secret),
                   module=_parent_name(s.state.get("parent")))


def _props_source(state: dict[str, Any], where: str, file: str) -> dict[str, Any]:
    """Inputs (what the program asked for); outputs when there are no inputs (v0 checkpoints)."""
    for key in ("inputs", "outputs"):
        value = state.get(key)
        if value is not None and (not isinstance(value, dict) or SIG_KEY in value):
            raise InputError(file, f"{where}: {key} must be an object of properties, not {_kind(value)}")
        if value:
            return value
    return {}


def _clean(value: Any, path: str, unknown: list[str], secret: list[str]) -> Any:
    """``value`` without unknown sentinels, secrets or asset contents; paths are recorded."""
    if isinstance(value, str):
        if value == UNKNOWN:
            unknown.append(path)
            return _DROP
        if value == _SECRET_TEXT:
            secret.append(path)
            return REDACTED
        return value
    if isinstance(value, dict):
        if SIG_KEY in value:
            return _special(value, path, unknown, secret)
        out = {}
        for key, sub in value.items():
            if key == "__defaults":
                continue  # engine bookkeeping (which inputs the provider defaulted)
            cleaned = _clean(sub, f"{path}.{key}" if path else str(key), unknown, secret)
            if cleaned is not _DROP:
                out[key] = cleaned
        return out
    if isinstance(value, list):
        items = []
        for index, sub in enumerate(value):
            cleaned = _clean(sub, f"{path}.{index}" if path else str(index), unknown, secret)
            items.append(None if cleaned is _DROP else cleaned)  # keep indexes stable
        return items
    return value


def _redacted(wrapper: dict[str, Any], path: str, unknown: list[str], secret: list[str]) -> Any:
    """A secret wrapper's plaintext as a redacted stand-in (`REDACTED` when it carries none)."""
    if "value" not in wrapper:
        return REDACTED
    inner = _clean(wrapper["value"], path, unknown, secret)
    if inner is _DROP:
        return _DROP
    return redact(inner)  # a map or list keeps its shape, every leaf redacted (`plangate.model.redact`)


def _special(value: dict[str, Any], path: str, unknown: list[str], secret: list[str]) -> Any:
    sig = value.get(SIG_KEY)
    if sig == SECRET_SIG:
        secret.append(path)
        # The plaintext stays comparable for rules but never printable; a ciphertext is not kept.
        return _redacted(value, path, unknown, secret)
    if sig in (ASSET_SIG, ARCHIVE_SIG):
        # Keep what identifies the asset, never its contents (inline code, nested assets).
        kind = "asset" if sig == ASSET_SIG else "archive"
        return {"kind": kind, **{k: value[k] for k in ("hash", "path", "uri") if isinstance(value.get(k), str)}}
    if sig == OUTPUT_SIG:
        if value.get("secret") is True:
            secret.append(path)
            return _redacted(value, path, unknown, secret)
        if "value" not in value:
            unknown.append(path)
            return _DROP
        return _clean(value["value"], path, unknown, secret)
    if sig == RESOURCE_REF_SIG:
        ref = {"urn": value.get("urn"), "id": value.get("id")}
        return _clean(ref, path, unknown, secret)
    return {"kind": "unrecognised special value"}


# --------------------------------------------------------------------------------- tags


def _mentions_tags(state: dict[str, Any]) -> bool:
    for key in ("inputs", "outputs"):
        value = state.get(key)
        if isinstance(value, dict) and ("tags" in value or "tagsAll" in value):
            return True
    return False


def _effective_tags(
    props: dict[str, Any],
    unknown: set[str],
    secret: set[str],
    defaults: DefaultTags | None,
    taggable: bool,
) -> tuple[dict[str, str], frozenset[str], tuple[str, ...]]:
    """Tags after provider defaults; Pulumi omits an unset ``tags`` input altogether, so
    defaults apply to every taggable type, not only to resources that list tags.  A known
    ``tagsAll`` output already holds the defaults, so it stands in for them."""
    if not taggable:
        return {}, frozenset(), ()
    tags_all = props.get("tags_all")
    if isinstance(tags_all, dict) and "tags_all" not in unknown:
        defaults = DefaultTags(clean_tags(tags_all), keys_under(unknown, "tags_all"))
    own_tags = props.get("tags")
    own = OwnTags(clean_tags(own_tags), keys_under(unknown, "tags", "tags_all"), known="tags" not in unknown,
                  secret_map="tags" in secret and not isinstance(own_tags, dict))
    merged = merge(own, defaults)
    return merged.tags, merged.unknown, merged.notes


def _provider_defaults(s: _State, providers: dict[str, dict[str, Any]], config: dict[str, Any]) -> DefaultTags | None:
    """The ``defaultTags`` of the provider a resource uses (explicit provider or stack config), less the keys its
    ``ignoreTags`` names (`plangate.loaders.tags.ignoring`)."""
    provider_urn = s.provider_ref.rsplit("::", 1)[0] if "::" in s.provider_ref else s.provider_ref
    provider = providers.get(provider_urn)
    if provider is not None:
        inputs = provider.get("inputs") or provider.get("outputs") or {}
        inputs = inputs if isinstance(inputs, dict) else {}
        tags, ignore = inputs.get("defaultTags"), inputs.get("ignoreTags")
    elif not provider_urn or _urn_name(provider_urn).startswith("default"):
        # A default provider (urn name "default_6_63_0") is configured from the stack config.
        package = s.token.split(":", 1)[0]
        tags, ignore = config.get(f"{package}:defaultTags"), config.get(f"{package}:ignoreTags")
    else:
        return None
    ignored = _config_object(ignore)
    lists = [ignored.get("keys"), ignored.get("keyPrefixes")] if isinstance(ignored, dict) else [ignored] * 2
    return ignoring(_parse_default_tags(tags), *lists)


def _provider_region(s: _State, providers: dict[str, dict[str, Any]], config: dict[str, Any]) -> str:
    """The region of the provider a resource uses: an explicit provider's ``region`` input, or
    the stack config's ``<package>:region`` for a default provider ("" when neither is known)."""
    provider_urn = s.provider_ref.rsplit("::", 1)[0] if "::" in s.provider_ref else s.provider_ref
    provider = providers.get(provider_urn)
    if provider is not None:
        inputs = provider.get("inputs") or provider.get("outputs") or {}
        value = inputs.get("region") if isinstance(inputs, dict) else None
    elif not provider_urn or _urn_name(provider_urn).startswith("default"):
        value = config.get(f"{s.token.split(':', 1)[0]}:region")
    else:
        value = None
    if isinstance(value, dict) and SIG_KEY in value:  # a secret region is still the region
        value = comparable(_clean(value, "", [], []))
    return value if isinstance(value, str) and value != UNKNOWN and is_aws_region(value) else ""



def _config_object(value: Any) -> Any:
    """A provider setting held as an object or, as providers store config, a JSON string: the object; None when it
    is not set; `UNKNOWN` when it is unknown, secret or not an object."""
    if value is None:
        return None
    if isinstance(value, dict) and SIG_KEY in value:
        value = _clean(value, "", [], [])
        if value is REDACTED or value is _DROP:
            return UNKNOWN
    if isinstance(value, str) and value not in (UNKNOWN, _SECRET_TEXT):
        try:
            value = json.loads(value)
        except ValueError:
            return UNKNOWN
    return value if isinstance(value, dict) else UNKNOWN


def _parse_default_tags(value: Any) -> DefaultTags | None:
    """``{"tags": {...}}`` (`_config_object`)."""
    value = _config_object(value)
    if not isinstance(value, dict):
        return None if value is None else UNKNOWN_DEFAULTS
    tags = value.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, dict):
        return UNKNOWN_DEFAULTS
    unknown: list[str] = []
    cleaned = _clean(tags, "", unknown, [])
    if unknown:
        return UNKNOWN_DEFAULTS
    return DefaultTags(clean_tags(cleaned))


# ------------------------------------------------------------------------------ helpers


def _urn_parts(urn: str) -> list[str]:
    # urn:pulumi:<stack>::<project>::<parent$…$type>::<name>; a name may itself hold "::".
    return urn.split("::", 3)


def _urn_name(urn: str) -> str:
    parts = _urn_parts(urn)
    return parts[3] if len(parts) == 4 else urn


def _urn_type(urn: str) -> str:
    parts = _urn_parts(urn)
    return parts[2].rsplit("$", 1)[-1] if len(parts) == 4 else ""


def _parent_name(parent: Any) -> str:
    """The parent component's name; resources directly under the stack are at the root."""
    if not isinstance(parent, str) or not parent or _urn_type(parent) == "pulumi:pulumi:Stack":
        return ""
    return _urn_name(parent)


def _required_str(obj: dict[str, Any], key: str, where: str, file: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(file, f"{where} has no {key}" if value is None else f"{where}.{key} must be a string")
    return value


def _optional_str(obj: dict[str, Any], key: str, where: str, file: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(file, f"{where}.{key} must be a string, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict) and SIG_KEY in value:
        return "a secret, asset or other special value"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


# ------------------------------------------------------------------ policy-pack requests


@dataclass(frozen=True, slots=True)
class EngineResource:
    """A resource as the engine hands it to a policy pack (``Analyze`` / ``AnalyzeStack``):
    type token, URN and properties in wire form (unknown sentinels, secret / asset
    signatures), and its provider as (URN, type token, properties) when the engine sends one."""

    type: str
    urn: str
    props: dict[str, Any]
    provider: tuple[str, str, dict[str, Any]] | None = None


def from_engine(
    items: Iterable[EngineResource], config: dict[str, Any] | None = None, fmt: str = PREVIEW
) -> list[tuple[str, Resource]]:
    """(URN, Resource) for analyzer resources, normalised exactly as preview steps with these
    inputs are: stack, providers and components skipped, provider ``defaultTags`` merged
    (``config`` is the stack configuration, read for default providers).  The engine sends no
    step op, so every resource is a ``create``."""
    items = list(items)
    states: list[_State] = []
    for item in items:
        ref = ""
        if item.provider is not None:
            provider_urn, provider_type, provider_props = item.provider
            states.append(_State(provider_urn, provider_type, {"inputs": provider_props}, "create", ""))
            ref = f"{provider_urn}::{UNKNOWN}"  # a step names its provider "<urn>::<id>"
        states.append(_State(item.urn, item.type, {"inputs": item.props}, "create", ref))
    resources = _resources(states, config or {}, "", fmt)
    # An address is "<type>.<name>", or the URN when that pair is not unique in the set.
    urn_of: dict[str, str] = {}
    for item in items:
        urn_of.setdefault(f"{pulumi_type(item.type)}.{_urn_name(item.urn)}", item.urn)
        urn_of[item.urn] = item.urn
    return [(urn_of.get(res.address, res.address), res) for res in resources]


# ------------------------------------------------------------------------------ input formats


def looks_like_event_log(raw: bytes) -> bool:
    """Whether ``raw`` starts like an engine event log (JSON lines) rather than one JSON document."""
    head = raw.lstrip()[:200]
    return head.startswith(b'{"sequence"') or b'"timestamp"' in head.split(b"\n", 1)[0]


def _is_event_log(raw: bytes) -> bool:
    """an engine event log: JSON lines, the first a `sequence` or `timestamp` event"""
    return looks_like_event_log(raw) and raw.count(b"\n") > 1  # one line is one document: left to JSON


def _is_preview(data: Any) -> bool:
    """an object with a `steps` list"""
    return isinstance(data, dict) and isinstance(data.get("steps"), list)


def _is_state(data: Any) -> bool:
    """an object with `deployment`, `checkpoint` or `latest`"""
    return isinstance(data, dict) and ("deployment" in data or "checkpoint" in data or "latest" in data)


@input_format(PREVIEW, "Pulumi preview JSON (`pulumi preview --json`), or an engine event log (JSON lines)",
              sniff=_is_preview, sniff_bytes=_is_event_log, keys=("steps", "changeSummary"), file_is_stack=True)
def read_preview(src: Input) -> list[Resource]:
    if not src.parsed and looks_like_event_log(src.raw):
        return from_event_log(src.raw, src.file)
    return from_preview(src.data, src.file)


@input_format(STATE, "Pulumi state JSON (`pulumi stack export`, checkpoint files)", sniff=_is_state,
              file_is_stack=True)
def read_state(src: Input) -> list[Resource]:
    return from_state(src.data, src.file)
