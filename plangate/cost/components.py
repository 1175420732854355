"""What an estimate is made of: cost components (price x quantity) and priced resources.

A quantity of ``None`` means the number is not known at plan time: either it depends on
usage nobody has estimated yet ("depends on usage: $X per unit"), or a property that drives
it is only known after apply.  It is never treated as zero: such components stay out of
totals and are counted, so a reader sees what the total leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from plangate.cost.prices import HOURS_PER_MONTH, Price
from plangate.cost.pricing import Prices

ZERO = Decimal(0)

Status = Literal["priced", "free", "not-priced"]


@dataclass(frozen=True, slots=True)
class CostComponent:
    name: str  # e.g. "Duration (first 6B)"
    unit: str  # e.g. "GB-seconds", "1M requests"
    price: Decimal | None  # USD per unit; None when the table has no price for it
    monthly_quantity: Decimal | None  # None: depends on usage, or unknown at plan time
    usage_based: bool = False  # the quantity comes from usage assumptions
    unknown: tuple[str, ...] = ()  # plan-time-unknown properties that hide the quantity
    missing_price: str = ""  # "lambda.requests in ap-south-1" when the table lacks it

    @property
    def monthly_cost(self) -> Decimal | None:
        if self.price is None or self.monthly_quantity is None:
            return None
        return self.price * self.monthly_quantity

    @property
    def hourly_quantity(self) -> Decimal | None:
        return None if self.monthly_quantity is None else self.monthly_quantity / HOURS_PER_MONTH

    @property
    def hourly_cost(self) -> Decimal | None:
        cost = self.monthly_cost
        return None if cost is None else cost / HOURS_PER_MONTH

    @property
    def depends_on_usage(self) -> bool:
        """Usage-based and no usage given: shown as 'depends on usage: $X per unit'."""
        return self.usage_based and self.monthly_quantity is None and not self.unknown

    @property
    def cost_unknown(self) -> bool:
        """The cost cannot be known at plan time (unknown property or missing price)."""
        return bool(self.unknown) or bool(self.missing_price)


def component(name: str, unit: str, prices: Prices, key: str | None, quantity: Decimal | None, *,
              usage_based: bool = False, unknown: tuple[str, ...] = ()) -> CostComponent:
    """One untiered component priced by ``key`` in ``prices``; ``key`` None when what would
    name the price is itself unknown (no price, and none missing)."""
    price, missing = _lookup(prices, key)
    return CostComponent(name, unit, None if price is None else price.first, quantity, usage_based, unknown, missing)


def tiered(name: str, unit: str, prices: Prices, key: str | None, quantity: Decimal | None, *,
           usage_based: bool = False, unknown: tuple[str, ...] = ()) -> list[CostComponent]:
    """Split ``quantity`` across the tiers of ``key``'s price: one component per tier used.

    Without a quantity only the first tier is listed (its price is what the next unit
    costs); a quantity of zero lists the first tier with zero.
    """
    price, missing = _lookup(prices, key)
    if price is None:
        return [CostComponent(name, unit, None, quantity, usage_based, unknown, missing)]
    tiers = price.tiers
    label = (lambda t: f"{name} ({t.name})") if len(tiers) > 1 else (lambda t: name)
    if quantity is None or quantity == ZERO:
        return [CostComponent(label(tiers[0]), unit, tiers[0].usd, quantity, usage_based, unknown)]
    out = []
    for tier, nxt in zip(tiers, list(tiers[1:]) + [None]):
        if quantity <= tier.start:
            break
        top = quantity if nxt is None else min(quantity, nxt.start)
        out.append(CostComponent(label(tier), unit, tier.usd, top - tier.start, usage_based, unknown))
    return out


def _lookup(prices: Prices, key: str | None) -> tuple[Price | None, str]:
    """The price under ``key`` and, when the table lacks it, what to call the gap."""
    if key is None:
        return None, ""
    price = prices(key)
    return price, "" if price is not None else prices.missing(key)


@dataclass(slots=True)
class ResourceCost:
    """One resource's place in an estimate (read-only by convention: not frozen, because a
    10,000-resource plan builds 10,000 of these and frozen dataclasses are 3x slower to build)."""

    address: str
    type: str
    status: Status
    region: str = ""
    action: str = "create"
    tags: Mapping[str, str] = field(default_factory=dict)
    components: tuple[CostComponent, ...] = ()
    notes: tuple[str, ...] = ()  # assumptions made, e.g. "usage from tag plangate:usage"
    unknown_count: str = ""  # "count" / "for_each": priced per instance, instances unknown
    # Totals, computed once: budget rules and reports read them many times.
    baseline_monthly: Decimal = field(init=False, default=ZERO)  # whatever the traffic
    usage_monthly: Decimal = field(init=False, default=ZERO)  # from usage assumptions
    monthly: Decimal = field(init=False, default=ZERO)

    def __post_init__(self) -> None:
        if not self.components:
            return
        baseline = usage = ZERO
        for c in self.components:
            cost = c.monthly_cost
            if cost is not None:
                if c.usage_based:
                    usage += cost
                else:
                    baseline += cost
        self.baseline_monthly, self.usage_monthly, self.monthly = baseline, usage, baseline + usage

    @property
    def hourly(self) -> Decimal:
        return self.monthly / HOURS_PER_MONTH

    @property
    def depends_on_usage(self) -> int:
        """How many components wait for usage assumptions."""
        return sum(1 for c in self.components if c.depends_on_usage)

    @property
    def unknown_reasons(self) -> tuple[str, ...]:
        """Why part of the cost cannot be known at plan time (empty when it can)."""
        reasons: list[str] = []
        if self.unknown_count and self.monthly:
            reasons.append(f"instance count ({self.unknown_count}) unknown: priced for one instance")
        for c in self.components:
            if c.unknown:
                text = f"{', '.join(c.unknown)} unknown until apply"
            elif c.missing_price:
                text = f"no price for {c.missing_price}"
            else:
                continue
            if text not in reasons:
                reasons.append(text)
        return tuple(reasons)
