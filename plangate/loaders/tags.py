"""Effective tags: a resource's own tags merged over its provider's default tags, in one place.

Every front-end maps its own format onto `DefaultTags` (what the provider adds) and `OwnTags`
(what the resource writes), then calls `merge`:

- Terraform plans: ``tags_all`` when Terraform knew it (it already holds the defaults), else the
  provider's ``default_tags`` from the plan's ``configuration``;
- HCL (our reader, the evaluator, Checkov's graph): the provider block's ``default_tags``;
- Pulumi: the provider resource's ``defaultTags`` input, or the stack's ``aws:defaultTags``;

each less the keys the provider's ``ignore_tags`` (``ignoreTags``) names (`ignoring`).

The rules are Terraform's: an own tag wins over a default of the same key (an own ``""`` too);
a key whose value is only known after apply is ``tags.<key>`` in ``unknown`` and absent from
the map; a map that is itself an expression makes the whole ``tags`` unknown (with defaults
unknown, the own known tags stay: they win over any default);
secret values keep their key (tag rules need the keys) and their path is secret.

>>> merge(OwnTags({"Team": "ml", "Env": ""}), DefaultTags({"Env": "prod", "Owner": "x"}))
EffectiveTags(tags={'Owner': 'x', 'Team': 'ml', 'Env': ''}, unknown=frozenset(), secret=frozenset(), notes=())
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plangate.model import comparable

#: The note a resource carries when its provider's default tags cannot be known before apply.
DEFAULTS_UNKNOWN = "provider default_tags (defaultTags) are only known after apply, so the effective tags are too"
#: The note a resource carries when its whole tag map is secret (its keys are hidden too).
SECRET_MAP = "the tags map is secret, so its keys cannot be checked"


@dataclass(frozen=True, slots=True)
class DefaultTags:
    """What a provider configuration adds to every taggable resource it manages.

    ``known=False`` means the whole map is an expression this front-end cannot evaluate
    (``default_tags { tags = var.tags }`` in HCL, an output in Pulumi).
    """

    tags: Mapping[str, str]
    unknown_keys: frozenset[str] = frozenset()
    secret_keys: frozenset[str] = frozenset()
    known: bool = True


#: A provider with no default tags, and one whose default tags are wholly unknown.
NO_DEFAULTS = DefaultTags({})
UNKNOWN_DEFAULTS = DefaultTags({}, known=False)


@dataclass(frozen=True, slots=True)
class OwnTags:
    """What a resource writes in its own ``tags`` (keys whose value is known, unknown, secret).

    ``known=False`` means the map itself is unknown (``tags = merge(var.x, …)`` unevaluated,
    ``after_unknown.tags = true``); ``secret_map`` means the map is secret as a whole, so not
    even its keys are known.
    """

    tags: Mapping[str, str]
    unknown_keys: frozenset[str] = frozenset()
    secret_keys: frozenset[str] = frozenset()
    known: bool = True
    secret_map: bool = False


@dataclass(frozen=True, slots=True)
class EffectiveTags:
    """The merge's answer: ``unknown`` / ``secret`` are `Resource` paths (``tags``, ``tags.K``)."""

    tags: dict[str, str]
    unknown: frozenset[str] = frozenset()
    secret: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()


def merge(own: OwnTags, defaults: DefaultTags | None = None) -> EffectiveTags:
    """The effective tags of a resource: ``own`` over ``defaults`` (see the module docstring)."""
    defaults = defaults or NO_DEFAULTS
    notes: list[str] = []
    if not defaults.known:
        notes.append(DEFAULTS_UNKNOWN)
    if own.secret_map:
        notes.append(SECRET_MAP)
    if not own.known or own.secret_map:
        # nothing is certain: any default key may be overridden by an unknown own value
        return EffectiveTags({}, frozenset({"tags"}), frozenset(), tuple(notes))
    if not defaults.known:
        # own known tags are certain (they win over any default); which other keys exist is not
        tags = {k: v for k, v in own.tags.items() if k not in own.unknown_keys}
        secret = frozenset(f"tags.{k}" for k in own.secret_keys - own.unknown_keys)
        return EffectiveTags(tags, frozenset({"tags"}), secret, tuple(notes))
    own_keys = own.tags.keys() | own.unknown_keys
    tags = {k: v for k, v in defaults.tags.items() if k not in own_keys and k not in defaults.unknown_keys}
    tags.update((k, v) for k, v in own.tags.items() if k not in own.unknown_keys)
    unknown = set(own.unknown_keys) | (defaults.unknown_keys - own.tags.keys())
    secret = (set(own.secret_keys) | (defaults.secret_keys - own_keys)) - unknown
    return EffectiveTags(tags, frozenset(f"tags.{k}" for k in unknown),
                         frozenset(f"tags.{k}" for k in secret), tuple(notes))


def ignoring(defaults: DefaultTags | None, keys: Any, prefixes: Any) -> DefaultTags | None:
    """``defaults`` less the keys a provider's ``ignore_tags`` block names (``keys``; ``key_prefixes``: ``prefixes``;
    None: not set).  The AWS provider leaves them out of ``tags_all``: Terraform 1.11.4 with provider 5.100.0 plans
    ``default_tags { Environment = "prod" }`` with ``ignore_tags { keys = ["Environment"] }`` without it.  A value
    that is not a list of keys (an expression only the plan knows): which defaults remain is unknown."""
    lists = [[] if value is None else value for value in (keys, prefixes)]
    if defaults is None or not defaults.known or lists == [[], []]:
        return defaults
    if not all(isinstance(found, list) and all(isinstance(comparable(k), str) for k in found) for found in lists):
        return UNKNOWN_DEFAULTS
    exact, starts = frozenset(map(comparable, lists[0])), tuple(map(comparable, lists[1]))  # a secret key: its value

    def kept(key: str) -> bool:
        return key not in exact and not key.startswith(starts)

    return DefaultTags({k: v for k, v in defaults.tags.items() if kept(k)},
                       frozenset(filter(kept, defaults.unknown_keys)), frozenset(filter(kept, defaults.secret_keys)))


def clean_tags(value: Any) -> dict[str, str]:
    """A tag map as str → str; null values mean "no tag" and are dropped."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): tag_text(v) for k, v in value.items() if v is not None}


def tag_text(value: Any) -> str:
    """A tag value as the string Terraform stores (numbers and booleans converted)."""
    if isinstance(value, str):
        return value  # includes REDACTED, which must stay the same object type
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True)


def keys_under(paths: Iterable[str], *prefixes: str) -> frozenset[str]:
    """The tag keys of dotted paths under ``prefixes`` (``tags.Owner`` → ``Owner``)."""
    out: set[str] = set()
    for path in paths:
        for prefix in prefixes:
            if path.startswith(prefix + "."):
                out.add(path[len(prefix) + 1:])
    return frozenset(out)
