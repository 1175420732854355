"""The estimated monthly cost of a component, from plangate's cost model.

Each component records the properties it gives its child resources; plangate's Pulumi
loader reads them into `Resource`s exactly as it reads a preview's resources, and
`plangate.cost.estimate` prices them, the function ``plangate cost`` and the budget rules
call.  Usage comes from the ``plangate:usage`` tag the component writes, so all three agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pulumi

from plangate.model import Resource


@dataclass
class ChildLedger:
    """The properties of a component's children that are known when it is constructed."""

    entries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def record(self, token: str, name: str, props: Mapping[str, Any]) -> None:
        # Outputs become None: nothing priced depends on a value another resource computes
        # (a role ARN, a model name), and the estimate must not wait for one.
        self.entries.append((token, name, _known(dict(props))))

    def resources(self) -> list[Resource]:
        from plangate.loaders.pulumi import EngineResource, from_engine

        items = [EngineResource(type=token, urn=f"urn:pulumi:component::estimate::{token}::{name}", props=props)
                 for token, name, props in self.entries]
        return [res for _, res in from_engine(items)]


def _known(value: Any) -> Any:
    if isinstance(value, (pulumi.Output, pulumi.Resource, pulumi.Archive, pulumi.Asset)):
        return None
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_known(v) for v in value]
    return value


def monthly_estimate(ledger: ChildLedger, region: str) -> Decimal:
    """The component's estimated monthly cost in USD under its usage profile."""
    from plangate.cost import estimate

    return estimate.estimate(ledger.resources(), region=region).monthly
