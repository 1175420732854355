"""aws_api_gateway_rest_api: REST API requests, tiered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plangate.cost.components import CostComponent, tiered
from plangate.cost.priced import Context, Usage
from plangate.cost.pricing import MILLION, Prices, per
from plangate.cost.registry import priced_type, read_usage, usage
from plangate.model import Resource


@priced_type("aws_api_gateway_rest_api")
@dataclass(frozen=True, slots=True, kw_only=True)
class RestApi:
    """An API Gateway REST API, billed per million requests."""

    monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> RestApi:
        return cls(**read_usage(cls, values))

    def price(self, prices: Prices) -> list[CostComponent]:
        key = "apigateway.rest.requests"
        return tiered("Requests", "1M requests", prices, key, per(self.monthly_requests, MILLION),
                      usage_based=True)
