"""aws_apigatewayv2_api: HTTP API requests (512 KB units), or WebSocket messages (32 KB units)
and connection minutes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component, tiered
from plangate.cost.priced import Reader
from plangate.cost.pricing import MILLION, Prices, chunks, per
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_apigatewayv2_api")
@dataclass(frozen=True, slots=True, kw_only=True)
class HttpOrWebSocketApi(FromPlan):
    """An API Gateway v2 API: HTTP APIs bill requests, WebSocket APIs messages and connection time."""

    protocol: str | None  # HTTP | WEBSOCKET
    monthly_requests: Decimal | None = usage(unit="requests", doc="HTTP API requests a month")
    request_size_kb: Decimal = usage(unit="KB", default=Decimal(512),
                                     doc="Average HTTP request size (billed per 512 KB; 512 when not given)")
    monthly_messages: Decimal | None = usage(unit="messages", doc="WebSocket messages a month")
    message_size_kb: Decimal = usage(unit="KB", default=Decimal(32),
                                     doc="Average WebSocket message size (billed per 32 KB; 32 when not given)")
    monthly_connection_mins: Decimal | None = usage(unit="minutes", doc="WebSocket connection minutes a month")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        protocol = r.text("protocol_type", "HTTP")
        return {"protocol": protocol.upper() if protocol else None}

    def price(self, prices: Prices) -> list[CostComponent]:
        if self.protocol is None:
            return [CostComponent("Requests or messages", "1M requests", None, None, True, self.unknown)]
        if self.protocol == "WEBSOCKET":
            messages = None if self.monthly_messages is None else (
                self.monthly_messages * chunks(self.message_size_kb, Decimal(32)) / MILLION)
            key, minutes_key = "apigateway.websocket.messages", "apigateway.websocket.connection_minutes"
            return tiered("Messages", "1M messages", prices, key, messages, usage_based=True) + [
                component("Connection duration", "1M minutes", prices, minutes_key,
                          per(self.monthly_connection_mins, MILLION), usage_based=True)]
        requests = None if self.monthly_requests is None else (
            self.monthly_requests * chunks(self.request_size_kb, Decimal(512)) / MILLION)
        key = "apigateway.http.requests"
        return tiered("Requests", "1M requests", prices, key, requests, usage_based=True)
