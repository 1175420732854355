"""The registry of priced types: a priced type is one declaration, registered by decorator.

A priced type is a frozen dataclass whose usage fields carry their usage key, unit and doc
(as Infracost tags its Go struct fields ``infracost_usage:"monthly_requests"``).  It reads a
`Resource` (``parse``) and prices itself (``price``)::

    @priced_type("aws_sqs_queue")
    @dataclass(frozen=True, slots=True, kw_only=True)
    class Queue:
        fifo: bool | None
        monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")

        @classmethod
        def parse(cls, res, values, ctx): return cls(fifo=..., **read_usage(cls, values))
        def price(self, prices): return [component(...)]

A type whose plan-side fields are read from the resource alone inherits `FromPlan` and says
only how: ``from_plan(r)`` returns those fields; the usage fields and the unknown paths are
filled in the same way for every such type.

Everything else that lists priced types (the catalogue, the usage-file checks, the docs,
the Infracost usage template) is derived from `REGISTRY`; nothing here knows prices.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from plangate.cost.priced import Context, Reader, Usage
from plangate.model import Resource

UsageKind = Literal["number", "text"]
_META = "plangate.usage"


@dataclass(frozen=True)
class UsageKey:
    """One usage key a priced type accepts, as a usage file or the ``plangate:usage`` tag writes it."""

    key: str  # e.g. monthly_requests
    unit: str  # e.g. requests, GB, ms; "" for text
    doc: str
    kind: UsageKind = "number"
    choices: tuple[str, ...] = ()  # text keys: the values priced as such
    default: Any = None  # used when the key is not given (None: depends on usage)
    aliases: tuple[str, ...] = ()  # other spellings read into the same field, e.g. standard.storage_gb
    field: str = ""  # the dataclass field it fills


def usage(key: str | None = None, *, unit: str = "", doc: str, default: Any = None,
          choices: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> Any:
    """A dataclass field filled from usage: its key (the field's name unless given), unit and doc.

    A key with ``choices`` is text; any other is a number >= 0.
    """
    spec = UsageKey(key or "", unit, doc, "text" if choices else "number", choices, default, aliases)
    return dataclasses.field(default=default, metadata={_META: spec})


def usage_keys_of(cls: type) -> tuple[UsageKey, ...]:
    """The usage keys declared on a priced type's fields, in declaration order."""
    return tuple(dataclasses.replace(f.metadata[_META], key=f.metadata[_META].key or f.name, field=f.name)
                 for f in dataclasses.fields(cls) if _META in f.metadata)


def read_usage(cls: type, values: Mapping[str, Decimal | str]) -> dict[str, Any]:
    """The usage fields of ``cls`` from validated usage ``values``, by field name: the value of
    the key (or the first alias given), else the declared default."""
    specs, defaults = REGISTRY.reading_of(cls)
    if not values:  # most resources: nothing given (pricing runs once per resource of a big plan)
        return dict(defaults)
    out: dict[str, Any] = {}
    for field, keys, kind, default in specs:
        out[field] = default
        for key in keys:
            value = values.get(key)
            if isinstance(value, kind):
                out[field] = value
                break
    return out


def given_fields(cls: type, values: Mapping[str, Decimal | str]) -> frozenset[str]:
    """The usage fields of ``cls`` that ``values`` gives (under their key or an alias), for
    notes that say whether a figure is assumed."""
    specs, _ = REGISTRY.reading_of(cls)
    return frozenset(field for field, keys, kind, _ in specs
                     if any(isinstance(values.get(k), kind) and values.get(k) != "" for k in keys))


_Reading = tuple[tuple[tuple[str, tuple[str, ...], type, Any], ...], dict[str, Any]]


def _reading(keys: tuple[UsageKey, ...]) -> _Reading:
    """How `read_usage` reads a type's usage keys, worked out once per type."""
    specs = tuple((k.field, (k.key, *k.aliases), str if k.kind == "text" else Decimal, k.default) for k in keys)
    return specs, {field: default for field, _, _, default in specs}


class FromPlan:
    """Mixin for a priced type whose plan-side fields come from the resource alone.

    The type defines ``from_plan(r)`` (its fields, read with a `Reader`) and an ``unknown``
    field; ``parse`` adds the usage fields and the paths the reader found unknown.
    """

    __slots__ = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        raise NotImplementedError(f"{cls.__qualname__} reads nothing from the plan")

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> Any:
        r = Reader(res)
        fields = cls.from_plan(r)
        return cls(**fields, unknown=tuple(r.unknown), **read_usage(cls, values))


@dataclass(frozen=True)
class PricedType:
    """One registered priced type."""

    resource_type: str  # e.g. aws_lambda_function
    cls: type  # the dataclass; ``cls.parse(res, values, ctx)`` and ``instance.price(prices)``
    usage: tuple[UsageKey, ...]
    # Keys Infracost defines for the type that are accepted and not priced (yet).
    unpriced_keys: frozenset[str] = frozenset()
    # Infracost's nested usage blocks (S3 storage classes): accepted names, and what they are.
    usage_blocks: tuple[str, ...] = ()
    blocks_noun: str = ""

    @property
    def parse(self) -> Callable[..., Any]:
        return self.cls.parse  # type: ignore[attr-defined, no-any-return]

    @property
    def doc(self) -> str:
        return " ".join((self.cls.__doc__ or "").strip().split("\n\n", 1)[0].split())


class Registry(Mapping[str, PricedType]):
    """Priced types by resource type (insertion order: the order they were registered)."""

    def __init__(self) -> None:
        self._types: dict[str, PricedType] = {}
        self._by_class: dict[type, _Reading] = {}

    def __getitem__(self, resource_type: str) -> PricedType:
        return self._types[resource_type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def add(self, entry: PricedType) -> None:
        if entry.resource_type in self._types:
            raise ValueError(f"{entry.resource_type} is registered twice "
                             f"({self._types[entry.resource_type].cls.__qualname__}, {entry.cls.__qualname__})")
        self._types[entry.resource_type] = entry
        self._by_class[entry.cls] = _reading(entry.usage)

    def remove(self, resource_type: str) -> None:
        """Unregister (tests that register a toy type undo it, leaving the registry as found)."""
        entry = self._types.pop(resource_type)
        if not any(e.cls is entry.cls for e in self._types.values()):
            del self._by_class[entry.cls]

    def reading_of(self, cls: type) -> _Reading:
        found = self._by_class.get(cls)
        return found if found is not None else _reading(usage_keys_of(cls))


REGISTRY = Registry()


def priced_type(resource_type: str, *, unpriced_keys: frozenset[str] = frozenset(),
                usage_blocks: tuple[str, ...] = (), blocks_noun: str = "") -> Callable[[type], type]:
    """Register a priced dataclass for ``resource_type`` (the class is returned unchanged)."""

    def register(cls: type) -> type:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__qualname__}: a priced type is a dataclass")
        if not callable(getattr(cls, "parse", None)):
            raise TypeError(f"{cls.__qualname__}: a priced type reads a resource with parse(res, values, ctx)")
        package, _, module = cls.__module__.rpartition(".")
        if package == "plangate.cost.types" and module != resource_type:
            raise ValueError(f"{cls.__qualname__}: a shipped priced type lives in plangate/cost/types/"
                             f"{resource_type}.py, not {module}.py")
        keys = usage_keys_of(cls)
        names = [k for spec in keys for k in (spec.key, *spec.aliases)]
        if len(names) != len(set(names)):
            raise ValueError(f"{cls.__qualname__}: a usage key is declared twice")
        REGISTRY.add(PricedType(resource_type, cls, keys, frozenset(unpriced_keys), usage_blocks, blocks_noun))
        return cls

    return register
