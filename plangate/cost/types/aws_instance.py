"""aws_instance: compute hours at the on-demand Linux shared-tenancy rate (other purchase
options, tenancies and operating systems are listed as not priced, never guessed)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Context, NotBilled, Reader, Usage
from plangate.cost.pricing import Prices
from plangate.cost.registry import given_fields, priced_type, read_usage, usage
from plangate.model import Resource
from plangate.values import variant_list

_SYSTEMS = {"linux": "Linux/UNIX", "windows": "Windows", "rhel": "RHEL", "suse": "SUSE"}


@priced_type("aws_instance")
@dataclass(frozen=True, slots=True, kw_only=True)
class Ec2Instance:
    """An EC2 instance, billed per hour it runs (compute only)."""

    instance_type: str | None  # None: unknown until apply, or left to a launch template
    tenancy: str | None  # default | dedicated | host as the plan says; None: not set or unknown (the VPC's)
    spot: bool  # instance_market_options says spot (a computed or absent block: on-demand)
    # linux unless usage says otherwise: the plan names an AMI, not its OS
    operating_system: str = usage(choices=tuple(_SYSTEMS), default="linux",
                                  doc="The AMI's operating system (linux when not given)")
    os_from_usage: bool = False
    monthly_hours: Decimal = usage("monthly_hrs", unit="hours", default=Decimal(730),
                                   doc="Hours a month the instance runs (730 when not given)")
    hours_from_usage: bool = False
    ebs_block_devices: int = 0  # extra EBS volumes besides the root one (neither priced here)
    unknown: tuple[str, ...] = ()

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> Ec2Instance | NotBilled:
        r = Reader(res)
        instance_type = r.text("instance_type", "")
        if instance_type == "":  # null: set by a launch template, or only at apply
            r.unknown.append("instance_type")
            instance_type = None
        # Tenancy and the market block are computed when the configuration leaves them out (the
        # VPC's tenancy then applies): only a value the plan states is used, never "unknown".
        tenancy = None if res.is_unknown("tenancy") else res.get("tenancy")
        tenancy = tenancy.lower() if isinstance(tenancy, str) and tenancy and "${" not in tenancy else None
        market = None if res.is_unknown("instance_market_options") else res.get("instance_market_options.market_type")
        given = read_usage(cls, values)
        system, from_usage = given.pop("operating_system"), given_fields(cls, values)
        typed = cls(instance_type=instance_type, tenancy=tenancy,
                    spot=isinstance(market, str) and market.lower() == "spot",
                    operating_system=system.lower() if system else "linux",
                    os_from_usage="operating_system" in from_usage, hours_from_usage="monthly_hours" in from_usage,
                    ebs_block_devices=len(variant_list(res, "ebs_block_device")), unknown=tuple(r.unknown), **given)
        if tenancy == "host":
            return NotBilled("not billed per instance: tenancy host runs it on a Dedicated Host, which AWS bills "
                             "by the host (aws_ec2_host)", typed)
        return typed

    def notes(self) -> list[str]:
        """What the figure assumes and leaves out."""
        notes = []
        if not self.os_from_usage:
            notes.append("Linux assumed: the plan names an AMI, not its operating system; "
                         "set operating_system in usage for Windows, RHEL or SUSE")
        if self.tenancy in (None, "default"):
            notes.append("shared tenancy assumed: an instance that does not ask for dedicated tenancy takes its VPC's")
        if not self.hours_from_usage:
            notes.append("running all 730 hours of the month")
        volumes = (f"the root volume and {self.ebs_block_devices} more EBS volume(s) are" if self.ebs_block_devices
                   else "the root EBS volume is")
        notes.append(f"compute hours only: {volumes} not priced here")
        return notes

    def price(self, prices: Prices) -> list[CostComponent]:
        """Compute hours only: the table holds on-demand Linux shared-tenancy rates (EBS volumes,
        detailed monitoring and CPU credits are other meters, not priced here)."""
        if self.instance_type is None:
            return [CostComponent("Instance usage (instance type unknown)", "hours", None, None,
                                  self.hours_from_usage, self.unknown)]
        system = _SYSTEMS.get(self.operating_system, self.operating_system)
        purchase = "spot" if self.spot else "on-demand"
        dedicated = self.tenancy == "dedicated"
        name = f"Instance usage ({system}, {purchase}{', dedicated' if dedicated else ''}, {self.instance_type})"
        key = f"ec2.{self.instance_type}"
        other = [what for what, differs in (("spot", self.spot), ("dedicated tenancy", dedicated),
                                            (system, self.operating_system != "linux")) if differs]
        if other:  # the table's rates would understate it: not priced, never a guess
            missing = f"{key} ({', '.join(other)}; the table holds on-demand Linux shared tenancy) in {prices.region}"
            return [CostComponent(name, "hours", None, self.monthly_hours, self.hours_from_usage, (), missing)]
        return [component(name, "hours", prices, key, self.monthly_hours, usage_based=self.hours_from_usage)]
