"""The estimated monthly cost of a component, from plangate's cost model.

Each component records the properties it gives its child resources; they are read into
plangate `Resource`s with plangate's own Pulumi mapping (`plangate.types`) and priced by
`plangate.cost.estimate`, the function ``plangate cost`` and the budget rules call.  Usage
comes from the ``plangate:usage`` tag the component writes, so all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

import pulumi

from plangate.model import Resource
from plangate.types import pulumi_properties, pulumi_type


@dataclass
class ChildLedger:
    """The plain (known at construction) properties of a component's children."""

    entries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def record(self, token: str, name: str, props: Mapping[str, Any]) -> None:
        # Outputs become None: nothing priced depends on a value another resource computes
        # (a role ARN, a model name), and the estimate must not wait for one.
        self.entries.append((token, name, _known(dict(props))))

    def resources(self) -> list[Resource]:
        out = []
        for token, name, props in self.entries:
            kind = pulumi_type(token)
            tags = props.get("tags") if isinstance(props.get("tags"), dict) else {}
            known_tags = {k: str(v) for k, v in tags.items() if v is not None}
            out.append(Resource(type=kind, address=name, source_format="pulumi-component",
                                properties=pulumi_properties(kind, props), tags=known_tags))
        return out


def _known(value: Any) -> Any:
    if isinstance(value, (pulumi.Output, pulumi.Resource)):
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
