"""aws_cloudwatch_log_group: data ingested (Standard or Infrequent Access), stored and scanned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Reader
from plangate.cost.pricing import Prices
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_cloudwatch_log_group")
@dataclass(frozen=True, slots=True, kw_only=True)
class LogGroup(FromPlan):
    """A CloudWatch Logs log group, billed per GB ingested, archived and scanned by Insights."""

    infrequent_access: bool | None
    monthly_data_ingested_gb: Decimal | None = usage(unit="GB", doc="Log data ingested a month")
    storage_gb: Decimal | None = usage(unit="GB", doc="Log data archived")
    monthly_data_scanned_gb: Decimal | None = usage(unit="GB", doc="Data scanned by Logs Insights queries a month")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        return {"infrequent_access": r.is_text("log_group_class", "STANDARD", "INFREQUENT_ACCESS")}

    def price(self, prices: Prices) -> list[CostComponent]:
        ingest_key = "logs.ingestion.infrequent_access" if self.infrequent_access else "logs.ingestion.standard"
        ingest = component("Data ingested", "GB", prices, ingest_key, self.monthly_data_ingested_gb,
                           usage_based=True)
        if self.infrequent_access is None and self.monthly_data_ingested_gb is not None:
            ingest = CostComponent("Data ingested", "GB", None, self.monthly_data_ingested_gb, True, self.unknown)
        return [
            ingest,
            component("Archival Storage", "GB", prices, "logs.storage", self.storage_gb, usage_based=True),
            component("Insights queries data scanned", "GB", prices, "logs.insights_scanned",
                      self.monthly_data_scanned_gb, usage_based=True),
        ]
