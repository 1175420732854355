"""aws_sqs_queue: requests in 64 KB chunks, Standard or FIFO."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Context, Reader, Usage
from plangate.cost.pricing import MILLION, Prices, chunks
from plangate.cost.registry import priced_type, read_usage, usage
from plangate.model import Resource


@priced_type("aws_sqs_queue")
@dataclass(frozen=True, slots=True, kw_only=True)
class Queue:
    """An SQS queue, billed per million requests (each 64 KB chunk of a request counts as one)."""

    fifo: bool | None
    monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")
    request_size_kb: Decimal = usage(unit="KB", default=Decimal(64),
                                     doc="Average request size (billed per 64 KB; 64 when not given)")
    unknown: tuple[str, ...] = ()

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> Queue:
        r = Reader(res)
        fifo = r.flag("fifo_queue")
        return cls(fifo=fifo, unknown=tuple(r.unknown), **read_usage(cls, values))

    def price(self, prices: Prices) -> list[CostComponent]:
        requests = None if self.monthly_requests is None else (
            self.monthly_requests * chunks(self.request_size_kb, Decimal(64)) / MILLION)
        if self.fifo is None:
            return [CostComponent("Requests", "1M requests", None, requests, True, self.unknown)]
        key = "sqs.fifo.requests" if self.fifo else "sqs.standard.requests"
        return [component("Requests", "1M requests", prices(key), requests, usage_based=True,
                          missing=prices.missing(key))]
