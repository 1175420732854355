"""aws_dynamodb_table: on-demand request units or provisioned capacity hours, and storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component, tiered
from plangate.cost.priced import Reader
from plangate.cost.prices import HOURS_PER_MONTH
from plangate.cost.pricing import MILLION, Prices, per, times
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_dynamodb_table", unpriced_keys=frozenset({
    "pitr_backup_storage_gb", "on_demand_backup_storage_gb", "monthly_data_restored_gb",
    "monthly_streams_read_request_units"}))
@dataclass(frozen=True, slots=True, kw_only=True)
class DynamoTable(FromPlan):
    """A DynamoDB table: request units (on demand) or capacity hours (provisioned), and storage."""

    on_demand: bool | None
    read_capacity: Decimal | None
    write_capacity: Decimal | None
    storage_gb: Decimal | None = usage(unit="GB", doc="Table storage")
    monthly_write_request_units: Decimal | None = usage(unit="WRU", doc="On-demand write request units a month")
    monthly_read_request_units: Decimal | None = usage(unit="RRU", doc="On-demand read request units a month")
    unknown: tuple[str, ...] = ()
    replicas: int = 0

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        on_demand = r.is_text("billing_mode", "PROVISIONED", "PAY_PER_REQUEST")
        read = write = None
        if on_demand is False:
            read = r.number("read_capacity", Decimal(0))
            write = r.number("write_capacity", Decimal(0))
        replicas = r.res.properties.get("replica")
        count = len(replicas) if isinstance(replicas, list) else (1 if isinstance(replicas, Mapping) else 0)
        return {"on_demand": on_demand, "read_capacity": read, "write_capacity": write, "replicas": count}

    def notes(self) -> list[str]:
        return [f"{self.replicas} replica(s) not priced"] if self.replicas else []

    def price(self, prices: Prices) -> list[CostComponent]:
        out: list[CostComponent] = []
        if self.on_demand is None:
            out.append(CostComponent("Capacity (billing mode unknown)", "hours", None, None, unknown=self.unknown))
        elif self.on_demand:
            for name, key, unit, quantity in (
                    ("Write request unit (WRU)", "dynamodb.write_request_units", "1M WRU",
                     self.monthly_write_request_units),
                    ("Read request unit (RRU)", "dynamodb.read_request_units", "1M RRU",
                     self.monthly_read_request_units)):
                out.append(component(name, unit, prices, key, per(quantity, MILLION), usage_based=True))
        else:
            for name, key, unit, capacity, path in (
                    ("Write capacity unit (WCU)", "dynamodb.write_capacity", "WCU-hours", self.write_capacity,
                     "write_capacity"),
                    ("Read capacity unit (RCU)", "dynamodb.read_capacity", "RCU-hours", self.read_capacity,
                     "read_capacity")):
                out.append(component(name, unit, prices, key, times(capacity, HOURS_PER_MONTH),
                                     unknown=tuple(u for u in self.unknown if u == path)))
        key = "dynamodb.storage"
        out += tiered("Data storage", "GB", prices, key, self.storage_gb, usage_based=True)
        return out
