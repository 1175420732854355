"""The one resource model every front-end produces, and the findings rules emit.

Loaders turn Terraform plans, HCL, Pulumi previews / state and Kubernetes manifests into
`Resource`s; rules read nothing else.  Property names are snake_case (Terraform's spelling);
values keep their plan shape, so nested blocks may be single-element lists (Terraform) or
objects (Pulumi): `Resource.get` reads both the same way, so no rule knows the difference.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any


class _Redacted(str):
    """A secret value's stand-in: as text it *is* ``[secret]``, wherever it goes.

    Printing, f-strings, ``json`` / ``orjson``, concatenation, ``repr`` and pickling all see
    the eight characters ``[secret]``, so no renderer, log or audit record can show the value
    by accident.  The value itself is held apart, reachable only through `comparable`, so a
    rule can still check a sensitive tag against its allowed values or pattern (the gate
    must not pass on a value it never looked at) and then report it as ``[secret]``.
    """

    _hidden: Any  # the real value; _NOT_KEPT when the input never carried it

    def __new__(cls, hidden: Any = None) -> _Redacted:
        self = super().__new__(cls, "[secret]")
        self._hidden = _NOT_KEPT if hidden is None else hidden
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # a copy that leaves the process carries no value
        return (_Redacted, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> _Redacted:
        return self  # immutable, like str


_NOT_KEPT = object()

#: Put in place of a secret value whose value the input did not carry (e.g. an event log's
#: ``[secret]`` text): it compares as "cannot be checked".
REDACTED = _Redacted()


def redact(value: Any) -> Any:
    """The stand-in loaders put in place of a secret ``value`` (a sensitive null stays None).

    A secret map or list keeps its shape, each leaf replaced: rules read a secret tag map's
    keys and compare its values exactly as in the clear (hidden is not unknown), while every
    leaf still prints as ``[secret]``; outputs that list a map's keys hide a secret map's keys
    (`shown_tags`)."""
    if value is None or isinstance(value, _Redacted):
        return value
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return _Redacted(value)


def comparable(value: Any) -> Any:
    """What a rule compares: a secret's real value (``None`` when the input never carried it),
    any other value itself.  Only for comparisons: a message shows `Resource.show` instead."""
    if isinstance(value, _Redacted):
        hidden = value._hidden
        return None if hidden is _NOT_KEPT else hidden
    return value


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Enforcement(str, Enum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


class Outcome(str, Enum):
    """What a finding means for the gate."""

    VIOLATION = "violation"  # a mandatory rule failed: the gate closes (exit 1)
    WARNING = "warning"  # an advisory rule failed
    UNKNOWN = "unknown"  # the rule could not decide: a value is only known after apply
    WAIVED = "waived"  # failed, but an unexpired waiver covers it


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Instances:
    """How many instances a `Resource` stands for, and why.

    ``why`` is ``one`` (no ``count`` / ``for_each``, or one expanded instance such as
    ``aws_x.y[0]``, as a plan lists them), ``count`` or ``for_each`` (one resource standing for
    all the instances of a block that was not expanded); ``number`` is None when the count is
    only known after apply.  The cost model multiplies by ``number`` and says "instances
    unknown" when it is None, never pricing one instance silently.
    """

    why: str = "one"  # one | count | for_each
    number: int | None = 1

    @property
    def known(self) -> bool:
        return self.number is not None

    def __str__(self) -> str:
        if self.why == "one":
            return "one instance"
        return f"{self.why}: {'instances unknown' if self.number is None else f'{self.number} instances'}"


#: The instance count of a resource that is exactly one object (the common case).
ONE = Instances()


@dataclass(slots=True)
class Resource:
    """One infrastructure object, in canonical form.

    ``unknown`` holds dotted property paths whose value is only known after apply (``tags``
    for a whole map, ``tags.Owner`` for one key); ``secret`` holds paths whose value was
    replaced by `REDACTED`.
    """

    type: str  # canonical type: Terraform's name, e.g. aws_lambda_function
    address: str  # e.g. module.api.aws_lambda_function.this["a"] or a Pulumi URN's name
    source_format: str  # the input format that read it (`plangate.loaders.formats`), e.g. tfplan
    properties: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # effective tags (defaults merged)
    labels: dict[str, str] = field(default_factory=dict)  # Kubernetes metadata.labels
    annotations: dict[str, str] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()
    secret: frozenset[str] = frozenset()
    location: Location | None = None
    action: str = "create"  # create | update | replace | no-op | read | (deleted never load)
    provider: str = ""  # aws | kubernetes | … (the type's prefix, unless a loader knows better)
    module: str = ""  # Terraform module path, Pulumi parent, or ""
    notes: tuple[str, ...] = ()  # loader remarks, e.g. "tags come from module x, not checked"
    instances: Instances = ONE  # how many instances this resource stands for (count / for_each)
    stack: str = ""  # the root module / stack it belongs to, for stack rules ("" = the one stack)
    #: The region of the provider configuration that manages it, as the input states it ("" when
    #: it does not say, or only apply knows); the cost model prices it there unless the resource
    #: names its own region.
    region: str = ""

    def __post_init__(self) -> None:
        if not self.provider:
            self.provider = self.type.split("_", 1)[0]

    def is_unknown(self, path: str) -> bool:
        """True when ``path`` or any of its parents is unknown at plan time.

        List indexes are ignored on both sides (``tracing_config.0.mode`` and
        ``tracing_config.mode`` are the same path), as `get` steps through block lists; an
        unknown element of a longer list therefore makes the whole list's field undecidable.
        """
        if not self.unknown:
            return False
        if path in self.unknown:
            return True
        known = _normalised(self.unknown)
        parts = _without_indexes(path)
        return any(".".join(parts[:i]) in known for i in range(1, len(parts) + 1))

    def unknown_under(self, path: str) -> list[str]:
        """Unknown paths at or below ``path`` (sorted), e.g. the unknown keys of a map."""
        prefix = path + "."
        return sorted(p for p in self.unknown if p == path or p.startswith(prefix))

    def get(self, path: str, default: Any = None) -> Any:
        """Read a dotted property path; single-element block lists are stepped through."""
        value: Any = self.properties
        for part in path.split("."):
            if isinstance(value, list):
                if len(value) != 1:
                    return default
                value = value[0]
            if not isinstance(value, Mapping) or part not in value:
                return default
            value = value[part]
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], Mapping):
            return value[0]
        return value

    def show(self, path: str, value: Any) -> str:
        """A value as it may appear in a message: secrets never, long values cut."""
        if path in self.secret or isinstance(value, _Redacted):
            return "[secret]"
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One provider configuration an input declares (a Terraform ``provider`` block, a Pulumi
    provider resource or stack config)."""

    name: str  # aws, kubernetes, …
    alias: str = ""  # "" for the default configuration
    region: str = ""  # "" when the input does not state it or only apply knows it
    module: str = ""  # the module path that declares it ("" = the root module)
    stack: str = ""  # the root module / stack it belongs to (`Resource.stack`)


@dataclass(frozen=True, slots=True)
class Root:
    """One root module, plan, preview, state or manifest file a load read, and how."""

    path: str
    format: str  # the registered input format that read it (`plangate.loaders.formats`)
    engine: str = ""  # what evaluated it (HCL: the evaluator and its version)
    notes: tuple[str, ...] = ()  # e.g. "the plan of this root: its .tf files give lines only"


@dataclass
class Load:
    """What one load read: the resources, and the facts about them nobody should re-read.

    The engine, the cost model, the budget rules and every report take these from here; none
    re-parses an input or asks a loader's environment.
    """

    resources: list[Resource] = field(default_factory=list)
    roots: tuple[Root, ...] = ()
    providers: tuple[ProviderConfig, ...] = ()
    inputs: tuple[str, ...] = ()  # the paths asked for, each once, in the order given
    notes: tuple[str, ...] = ()  # load-wide remarks (an input named twice, a plan beside its .tf files)

    def extend(self, other: Load) -> None:
        """Add another load's resources and provenance (the inputs stay this load's)."""
        self.resources.extend(other.resources)
        self.roots = (*self.roots, *other.roots)
        self.providers = (*self.providers, *other.providers)
        self.notes = (*self.notes, *other.notes)

    def engines(self, fmt: str) -> list[str]:
        """The distinct engines that read the roots of format ``fmt``, in first-seen order."""
        return list(dict.fromkeys(r.engine for r in self.roots if r.format == fmt and r.engine))


def in_clear(res: Resource) -> Resource:
    """A copy of ``res`` with every secret value in the clear, for computations that must judge
    a hidden value as the same value in the clear (the cost model); never for rendering.  A
    secret whose value the input did not carry is unknown in the copy."""
    if not res.secret:
        return res
    unknown: list[str] = []

    def clear(value: Any, path: str) -> Any:
        if isinstance(value, _Redacted):
            hidden = comparable(value)
            if hidden is None:
                unknown.append(path)
            return hidden
        if isinstance(value, Mapping):
            return {k: clear(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clear(v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value)]
        return value

    properties = clear(res.properties, "")
    tags = {k: clear(v, f"tags.{k}") for k, v in res.tags.items()}
    return dataclasses.replace(res, properties=properties, tags=tags, unknown=res.unknown | frozenset(unknown))


def shown_tags(res: Resource) -> dict[str, str]:
    """A resource's tags as an output may list them: the keys of a tag map that was secret as a
    whole are not shown (each secret value already prints as ``[secret]``)."""
    if "tags" in res.secret or "tags_all" in res.secret:
        return {k: v for k, v in res.tags.items() if not isinstance(v, _Redacted)}
    return res.tags


@dataclass(frozen=True, slots=True)
class Unknown:
    """A rule's answer when it cannot decide because ``paths`` are unknown at plan time."""

    message: str
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    slug: str
    severity: Severity
    outcome: Outcome
    address: str
    resource_type: str
    message: str
    location: Location | None = None
    waiver: str = ""  # the waiver's reason, for WAIVED findings

    @property
    def gating(self) -> bool:
        return self.outcome is Outcome.VIOLATION


@lru_cache(maxsize=65536)
def _normalised(unknown: frozenset[str]) -> frozenset[str]:
    """Unknown paths without list indexes; shared by resources with the same unknown set."""
    return frozenset(".".join(_without_indexes(p)) for p in unknown)


def _without_indexes(path: str) -> list[str]:
    return [part for part in path.split(".") if not part.isdigit()]


def walk(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, leaf value) below a nested dict / list value."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            yield from walk(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from walk(sub, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, value
