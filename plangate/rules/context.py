"""What a stack rule sees: the engine prepares one `StackContext` per scan.

A stack rule is a pure function ``(StackContext, settings) -> Iterable[(Resource, answer)]``.
The context holds the resource set, the policy's waivers and the date they are judged on,
the baseline plans the caller read, and the cost estimate.  The estimate is computed only when
a rule asks for it, once per scan for each set of cost inputs (usage file, price table, default
region), so every budget rule of a scan reads the same numbers and a scan without budgets never
loads the cost model.
The memo lives on the context, so nothing outlives the scan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plangate.model import Location, Resource

if TYPE_CHECKING:
    from plangate.cost.components import ResourceCost
    from plangate.cost.estimate import Estimate
    from plangate.waiver import Waiver

#: The type of the stand-in `Resource` a finding about a waiver is reported on.
WAIVER_TYPE = "plangate_waiver"


@dataclass(frozen=True)
class CostKey:
    """The inputs an estimate depends on beyond the resources ('' = the defaults)."""

    usage_file: str = ""
    prices: str = ""
    region: str = ""


class PricedIndex:
    """Resources by (type, address): a finding goes on the resource the estimate priced."""

    def __init__(self, resources: Sequence[Resource], priced_types: frozenset[str]):
        self._by_key = {(r.type, r.address): r for r in resources if r.type in priced_types}

    def __getitem__(self, priced: ResourceCost | tuple[str, str]) -> Resource:
        key = priced if isinstance(priced, tuple) else (priced.type, priced.address)
        return self._by_key[key]

    def __contains__(self, priced: ResourceCost) -> bool:
        return (priced.type, priced.address) in self._by_key


@dataclass
class StackContext:
    resources: Sequence[Resource]
    waivers: Sequence[Waiver] = ()
    today: dt.date = field(default_factory=dt.date.today)
    policy_source: str = ""  # the policy file the waivers come from
    _estimates: dict[tuple[int, CostKey], tuple[Estimate, PricedIndex]] = field(
        default_factory=dict, repr=False)
    #: The plans a rule compares against (a budget rule's ``baseline`` setting), by path:
    #: read by the caller (`plangate.policy.load_baselines`), so no rule reads a file.
    baselines: Mapping[str, Sequence[Resource]] = field(default_factory=dict, repr=False)

    def estimate(self, key: CostKey, resources: Sequence[Resource] | None = None) -> tuple[Estimate, PricedIndex]:
        """The estimate of ``resources`` (default: the scanned set) under ``key``, and the
        index from priced entries back to resources; computed once per context."""
        chosen = self.resources if resources is None else resources
        memo_key = (id(chosen), key)
        hit = self._estimates.get(memo_key)
        if hit is None:
            from plangate.cost import estimate, prices, usage
            from plangate.cost.catalogue import PRICED_TYPES

            est = estimate.estimate(chosen, usage.load(key.usage_file or None),
                                    prices.load(key.prices or None), key.region or None)
            hit = self._estimates[memo_key] = (est, PricedIndex(chosen, PRICED_TYPES))
        return hit

    def baseline(self, path: str) -> Sequence[Resource]:
        """The resources of the plan / preview / HCL at ``path``, as the caller loaded them."""
        if path not in self.baselines:  # a caller that skipped `load_baselines`: a bug, not bad input
            raise LookupError(f"baseline {path} was not loaded before the rules ran")
        return self.baselines[path]

    def waiver_resource(self, index: int, waiver: Any) -> Resource:
        """The stand-in a finding about ``waivers[index]`` is reported on."""
        return Resource(type=WAIVER_TYPE, address=f"waivers[{index}]", source_format="policy",
                        properties={"rule": waiver.rule, "resource": waiver.resource},
                        location=Location(self.policy_source) if self.policy_source else None,
                        provider="plangate")


def context_for(resources: Sequence[Resource] | StackContext, **extra: Any) -> StackContext:
    """``resources`` as a context (a context is passed through unchanged)."""
    return resources if isinstance(resources, StackContext) else StackContext(resources, **extra)


def settings_key(cfg: Any) -> CostKey:
    """The cost inputs of a budget rule's settings (any object with the `CostInputs` fields)."""
    return CostKey(getattr(cfg, "usage_file", ""), getattr(cfg, "prices", ""), getattr(cfg, "region", ""))


__all__ = ["CostKey", "PricedIndex", "StackContext", "WAIVER_TYPE", "context_for", "settings_key"]
