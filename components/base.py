"""What both governed components share: child registration, tags, account facts, cost.

A component registers every child through `GovernedComponent.child`, which parents it,
names it after the component and keeps its plain properties for the cost estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from components.costing import ChildLedger, monthly_estimate
from components.inputs import CostControls
from components.metadata import DEFAULT_COST_TAG

#: The component provider's package name: component type tokens are ``plangate:index:<Class>``.
PACKAGE = "plangate"

R = TypeVar("R", bound=pulumi.CustomResource)


@dataclass(frozen=True)
class AwsContext:
    """Account facts ARNs are built from, read with the provider's own invokes."""

    account_id: str
    partition: str
    region: str
    dns_suffix: str

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        owner = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{region}:{owner}:{resource}"


def aws_context(parent: pulumi.Resource) -> AwsContext:
    """The caller's account, partition and region (invokes parented, so a provider passed to
    the component is the one asked)."""
    opts = pulumi.InvokeOptions(parent=parent)
    identity = aws.get_caller_identity(opts=opts)
    partition = aws.get_partition(opts=opts)
    region = aws.get_region(opts=opts)
    return AwsContext(identity.account_id, partition.partition, region.region, partition.dns_suffix)


class GovernedComponent(pulumi.ComponentResource):
    """Base of the governed components (not itself exposed by the provider)."""

    def __init__(self, kind: str, name: str, cost: CostControls, extra_tags: Mapping[str, str] | None,
                 opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(f"{PACKAGE}:index:{kind}", name, None, opts)
        self._name = name
        self._ledger = ChildLedger()
        self.cost_tag_key = cost.get("tag_key") or DEFAULT_COST_TAG
        self.cost_tag_value = cost["tag_value"]
        # Every child carries the workload's cost tag: the budget and anomaly monitor filter
        # on it, and the stack transform never overwrites a value set here.
        self.common_tags = {**(extra_tags or {}), self.cost_tag_key: self.cost_tag_value}
        self.aws = aws_context(self)

    def child(self, cls: type[R], suffix: str, *, depends_on: Sequence[pulumi.Resource] = (),
              **props: Any) -> R:
        """Create a child resource named ``<component>-<suffix>`` and remember its inputs."""
        name = f"{self._name}-{suffix}"
        opts = pulumi.ResourceOptions(parent=self, depends_on=list(depends_on) or None)
        resource = cls(name, opts=opts, **props)
        self._ledger.record(cls.pulumi_type, name, props)  # type: ignore[attr-defined]
        return resource

    def tags(self, *more: Mapping[str, str]) -> dict[str, str]:
        """The common tags with ``more`` merged over them."""
        merged = dict(self.common_tags)
        for extra in more:
            merged.update(extra)
        return merged

    def estimated_monthly_usd(self) -> float:
        """The cost model's estimate for the children registered so far, in USD."""
        # Rounded as plangate prints money (half up), so the output matches `plangate cost`.
        cents = monthly_estimate(self._ledger, self.aws.region).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return float(cents)
