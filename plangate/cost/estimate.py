"""Estimates: every resource priced, totals, rollups by tag, and the delta between two plans.

`estimate` is a pure function of resources, usage and prices; budget rules and the
``plangate cost`` command both call it, and nothing else computes money.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from plangate.cost import catalogue, priced, pricing
from plangate.cost.catalogue import registry
from plangate.cost.components import ZERO, CostComponent, ResourceCost
from plangate.cost.prices import HOURS_PER_MONTH, PriceTable
from plangate.cost.usage import NO_USAGE, UsageFile
from plangate.errors import InputError
from plangate.model import Resource, comparable, in_clear, shown_tags, walk
from plangate.types import MAX_QUANTITY, is_aws_region

REGISTRY = registry()  # every priced type, loaded
DEFAULT_REGION = "us-east-1"
UNTAGGED = "(untagged)"


def _skipped(res: Resource) -> bool:
    """Not a cloud resource at all: data sources, Pulumi stacks, components and providers."""
    return res.action == "read" or res.type.startswith("pulumi_")


# An unresolved HCL reference to a configuration's name, e.g. ${aws_sagemaker_endpoint_configuration.gpu.name}
_CONFIG_REF = re.compile(r"^\$\{([^${}]+)\.name\}$")


def context(resources: Iterable[Resource], region: str) -> priced.Context:
    """What pricing needs from the whole plan: Lambda functions by name and by address, and
    which endpoint configurations endpoints use."""
    functions: dict[str, Resource] = {}
    configs: dict[str, int] = {}
    config_unknown = False
    for res in resources:
        if res.type == "aws_lambda_function":
            functions[res.address] = res
            name = res.properties.get("function_name")
            if isinstance(name, str) and name:
                functions[name] = res
        elif res.type == "aws_sagemaker_endpoint" and res.action != "read":
            used = res.properties.get("endpoint_config_name")
            count = res.instances.number
            if res.is_unknown("endpoint_config_name") or not isinstance(used, str) or not used or count is None:
                config_unknown = True
                continue
            ref = _CONFIG_REF.match(used)
            key = ref.group(1) if ref else used
            if "${" in key:
                config_unknown = True
                continue
            configs[key] = configs.get(key, 0) + count
    return priced.Context(region, functions, configs, config_unknown)


def price_resource(res: Resource, usage: UsageFile, table: PriceTable,
                   ctx: priced.Context) -> ResourceCost:
    """One resource's cost: priced, free, or listed as not priced (never silently zero).
    A sensitive value is priced as itself and named nowhere in the result."""
    cost = _price(res, usage, table, ctx)
    return _without_secrets(res, cost) if res.secret else cost


def _price(res: Resource, usage: UsageFile, table: PriceTable, ctx: priced.Context) -> ResourceCost:
    entry = REGISTRY.get(res.type)
    if entry is None:  # most of a large plan: keep this path short
        status = "free" if res.type in catalogue.FREE else "not-priced"
        return ResourceCost(res.address, res.type, status, "", res.action, shown_tags(res))
    region = priced.region_of(res, ctx.default_region)
    common = dict(address=res.address, type=res.type, region=region, action=res.action, tags=shown_tags(res))
    values, origins = usage.lookup(res)
    typed = entry.parse(in_clear(res), values, ctx)  # a sensitive value is priced as itself, never shown
    _check_quantities(res, typed)
    notes = [f"usage from {', '.join(origins)}"] if origins else []
    if isinstance(typed, priced.NotBilled):
        return ResourceCost(status="free", notes=(*notes, typed.reason), **common)
    if isinstance(typed, priced.PricedElsewhere):
        notes.append(f"billed through {typed.where} (priced on the endpoint configuration)")
        return ResourceCost(status="free", notes=tuple(notes), **common)
    if hasattr(typed, "notes"):  # what the type's figure assumes or leaves out
        notes.extend(typed.notes())
    components = typed.price(pricing.Prices(table, region))
    many = res.instances  # one HCL block standing for its count / for_each instances
    if many.why != "one" and many.number is None:
        notes.append(f"one {many.why} block for all its instances: the figures are per instance")
    elif many.why != "one" and many.number != 1:
        components = [_times(c, many.number) for c in components]
        notes.append(f"{many.why}: {many.number} instances")
    if components and all(c.missing_price for c in components):  # e.g. a region the table does not hold
        return ResourceCost(status="not-priced", components=tuple(components), notes=tuple(notes), **common)
    return ResourceCost(status="priced", components=tuple(components), notes=tuple(notes),
                        unknown_count=many.why if many.number is None else "", **common)


def _without_secrets(res: Resource, cost: ResourceCost) -> ResourceCost:
    """``cost`` with every secret value the resource holds written as ``[secret]`` in its
    components' names and its notes (the figures stay those of the real values)."""
    hidden = sorted({str(plain) for path, v in walk(res.properties) if not path.startswith(("tags.", "tags_all."))
                     and (plain := comparable(v)) is not v and plain is not None and str(plain)}, key=len, reverse=True)
    if not hidden:
        return cost

    def scrub(text: str) -> str:
        for value in hidden:
            text = text.replace(value, "[secret]")
        return text

    components = tuple(dataclasses.replace(c, name=scrub(c.name), missing_price=scrub(c.missing_price))
                       for c in cost.components)
    return dataclasses.replace(cost, components=components, notes=tuple(scrub(n) for n in cost.notes))


def _times(c: CostComponent, n: int) -> CostComponent:
    """A component for ``n`` identical instances."""
    if c.monthly_quantity is None:
        return c
    return dataclasses.replace(c, monthly_quantity=c.monthly_quantity * n)


#: Larger than any real deployment's count, size or capacity; beyond it Decimal arithmetic on
#: prices would lose its exactness (1e308 instances is a typo or an attack, not a plan).


def _check_quantities(res: Resource, typed: object, field: str = "") -> None:
    """Counts, sizes and capacities are never negative nor astronomically large: either is bad
    input (exit 2), never negative dollars or an arithmetic overflow."""
    if isinstance(typed, Decimal):
        problem = ("is negative" if typed < 0 else
                   f"is larger than {MAX_QUANTITY:,} (not a real deployment)" if typed > MAX_QUANTITY else "")
        if problem:
            where = res.location
            shown = f"{typed:.6g}" if abs(typed) > MAX_QUANTITY else str(typed)
            raise InputError(where.file if where else res.address,
                             f"{res.address}: {field} = {shown} {problem}", where.line if where else None)
    elif dataclasses.is_dataclass(typed) and not isinstance(typed, type):
        for f in dataclasses.fields(typed):
            _check_quantities(res, getattr(typed, f.name), f"{field}.{f.name}" if field else f.name)
    elif isinstance(typed, tuple):
        for index, item in enumerate(typed):
            _check_quantities(res, item, f"{field}[{index}]")


class _Totals:
    """The sums over ``resources`` that a whole estimate and one tag's rollup both report."""

    resources: tuple[ResourceCost, ...]

    @property
    def monthly(self) -> Decimal:
        return sum((r.monthly for r in self.resources), ZERO)

    @property
    def baseline_monthly(self) -> Decimal:
        return sum((r.baseline_monthly for r in self.resources), ZERO)

    @property
    def usage_monthly(self) -> Decimal:
        return sum((r.usage_monthly for r in self.resources), ZERO)

    @property
    def unknown(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.unknown_reasons)


@dataclass(frozen=True)
class Rollup(_Totals):
    """Costs of the resources sharing one tag value (or all of them, for a stack)."""

    key: str
    value: str
    resources: tuple[ResourceCost, ...]

    @property
    def depends_on_usage(self) -> int:
        return sum(r.depends_on_usage for r in self.resources)

    def top(self, n: int = 3) -> list[ResourceCost]:
        """The biggest contributors, largest first (ties by address, for stable output)."""
        ranked = sorted((r for r in self.resources if r.monthly > 0), key=lambda r: (-r.monthly, r.address))
        return ranked[:n]


@dataclass(frozen=True)
class Estimate(_Totals):
    resources: tuple[ResourceCost, ...]
    region: str  # the default region resources without their own were priced in
    prices: PriceTable
    usage_source: str

    @property
    def hourly(self) -> Decimal:
        return self.monthly / HOURS_PER_MONTH

    def with_status(self, status: str) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.status == status)

    @property
    def depends_on_usage(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.depends_on_usage)

    def get(self, address: str, type: str | None = None) -> ResourceCost | None:
        """The resource at ``address`` (Pulumi names can repeat across types: give ``type``)."""
        for r in self.resources:
            if r.address == address and (type is None or r.type == type):
                return r
        return None

    def stack(self) -> Rollup:
        return Rollup("stack", "all", self.resources)

    def by_tag(self, key: str) -> list[Rollup]:
        """One rollup per value of tag ``key`` (free / not-priced resources left out)."""
        groups: dict[str, list[ResourceCost]] = {}
        for r in self.resources:
            if r.status != "priced":
                continue
            groups.setdefault(r.tags.get(key) or UNTAGGED, []).append(r)
        rollups = [Rollup(key, value, tuple(items)) for value, items in groups.items()]
        return sorted(rollups, key=lambda g: (-g.monthly, g.value))


def estimate(resources: Sequence[Resource], usage: UsageFile = NO_USAGE,
             prices: PriceTable | None = None, region: str | None = None) -> Estimate:
    """Price every resource; ``region`` is the default for resources that do not say."""
    from plangate.cost import prices as prices_mod

    table = prices if prices is not None else prices_mod.load()
    region = region or DEFAULT_REGION
    if not is_aws_region(region):  # a typo must not price everything at $0.00
        from plangate.errors import ConfigError

        raise ConfigError(f"region {region!r} is not an AWS region name (e.g. us-east-1)")
    ctx = context(resources, region)
    # Pricing allocates a small, acyclic object per resource; on a big plan that would set
    # off full collections over the whole loaded plan for nothing (the loaders do the same).
    enabled = gc.isenabled()
    gc.disable()
    try:
        priced_resources = tuple(price_resource(r, usage, table, ctx) for r in resources if not _skipped(r))
    finally:
        if enabled:
            gc.enable()
    return Estimate(priced_resources, region, table, usage.source)


ChangeKind = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class Change:
    address: str
    type: str
    kind: ChangeKind
    before: ResourceCost | None
    after: ResourceCost | None

    @property
    def before_monthly(self) -> Decimal:
        return self.before.monthly if self.before else ZERO

    @property
    def after_monthly(self) -> Decimal:
        return self.after.monthly if self.after else ZERO

    @property
    def delta(self) -> Decimal:
        return self.after_monthly - self.before_monthly

    @property
    def updated(self) -> bool:
        """The plan changes the resource (update / replace), whatever it does to cost."""
        return self.after is not None and self.after.action in ("update", "replace")


def _signature(r: ResourceCost) -> tuple:
    return tuple((c.name, c.unit, c.price, c.monthly_quantity) for c in r.components)


@dataclass(frozen=True)
class Delta:
    """What a change does to the monthly bill, resource by resource (a PR comment's table)."""

    base: Estimate
    head: Estimate
    changes: tuple[Change, ...]

    @property
    def monthly(self) -> Decimal:
        return self.head.monthly - self.base.monthly

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    def top_increases(self, n: int = 3) -> list[Change]:
        ranked = sorted((c for c in self.changes if c.delta > 0), key=lambda c: (-c.delta, c.address))
        return ranked[:n]


def compare(base: Estimate, head: Estimate) -> Delta:
    """Match resources by type and address: added, removed, changed (cost differs) or
    unchanged.  (Type too, because a Pulumi program may give one name to several types.)"""
    before: Mapping[tuple[str, str], ResourceCost] = {(r.type, r.address): r for r in base.resources}
    after: Mapping[tuple[str, str], ResourceCost] = {(r.type, r.address): r for r in head.resources}
    changes: list[Change] = []
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            changes.append(Change(new.address, new.type, "added", None, new))
        elif _signature(old) != _signature(new):
            changes.append(Change(new.address, new.type, "changed", old, new))
        else:
            changes.append(Change(new.address, new.type, "unchanged", old, new))
    for key, old in before.items():
        if key not in after:
            changes.append(Change(old.address, old.type, "removed", old, None))
    return Delta(base, head, tuple(changes))
