"""aws_lambda_function: requests, duration (GB-seconds) and ephemeral storage above 512 MB."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component, tiered
from plangate.cost.priced import Reader
from plangate.cost.pricing import MB_PER_GB, MILLION, THOUSAND, Prices, ceil, gb_seconds, per, times
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_lambda_function")
@dataclass(frozen=True, slots=True, kw_only=True)
class LambdaFunction(FromPlan):
    """A Lambda function, billed by request and by GB-second of duration."""

    memory_mb: Decimal | None
    architecture: str | None  # x86_64 | arm64
    ephemeral_storage_mb: Decimal | None
    monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")
    request_duration_ms: Decimal | None = usage(unit="ms", doc="Average duration of a request")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        return {"memory_mb": r.number("memory_size", Decimal(128)),  # Lambda's default
                "architecture": r.text("architectures", "x86_64"),
                "ephemeral_storage_mb": r.number("ephemeral_storage.size", Decimal(512))}

    def price(self, prices: Prices) -> list[CostComponent]:
        unknown = self.unknown
        requests_key = "lambda.requests"
        out = [component("Requests", "1M requests", prices, requests_key, per(self.monthly_requests, MILLION),
                         usage_based=True)]
        # Only storage above the free 512 MB is billed, so a default function has no such line.
        storage = self.ephemeral_storage_mb
        if storage is None or storage > 512:
            extra_gb = None if storage is None else (storage - 512) / MB_PER_GB
            seconds = None if self.request_duration_ms is None or self.monthly_requests is None else (
                self.monthly_requests * ceil(self.request_duration_ms) / THOUSAND)
            key = "lambda.ephemeral_storage"
            storage_unknown = tuple(u for u in unknown if u.startswith("ephemeral_storage"))
            out.append(component("Ephemeral storage", "GB-seconds", prices, key, times(extra_gb, seconds),
                                 usage_based=True, unknown=storage_unknown if seconds is not None else ()))
        key = f"lambda.duration.{self.architecture or 'x86_64'}"
        gbs = gb_seconds(self.memory_mb, self.request_duration_ms, self.monthly_requests)
        memory_unknown = tuple(u for u in unknown if not u.startswith("ephemeral_storage"))
        has_usage = self.request_duration_ms is not None and self.monthly_requests is not None
        out += tiered("Duration", "GB-seconds", prices, key, gbs, usage_based=True,
                      unknown=memory_unknown if has_usage else ())
        return out
