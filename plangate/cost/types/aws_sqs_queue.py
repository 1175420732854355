"""aws_sqs_queue: requests in 64 KB chunks, Standard or FIFO."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Reader
from plangate.cost.pricing import MILLION, Prices, chunks
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_sqs_queue")
@dataclass(frozen=True, slots=True, kw_only=True)
class Queue(FromPlan):
    """An SQS queue, billed per million requests (each 64 KB chunk of a request counts as one)."""

    fifo: bool | None
    monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")
    request_size_kb: Decimal = usage(unit="KB", default=Decimal(64),
                                     doc="Average request size (billed per 64 KB; 64 when not given)")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        return {"fifo": r.flag("fifo_queue")}

    def price(self, prices: Prices) -> list[CostComponent]:
        requests = None if self.monthly_requests is None else (
            self.monthly_requests * chunks(self.request_size_kb, Decimal(64)) / MILLION)
        if self.fifo is None:
            return [CostComponent("Requests", "1M requests", None, requests, True, self.unknown)]
        key = "sqs.fifo.requests" if self.fifo else "sqs.standard.requests"
        return [component("Requests", "1M requests", prices, key, requests, usage_based=True)]
