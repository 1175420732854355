"""Pricing a typed priced resource into cost components: what the second half of the split shares.

Each priced type (`plangate.cost.types`) prices itself from a `Prices` view of the table for
one region, with these helpers.  Quantities follow AWS's metering (1 ms
Lambda duration, 512 KB HTTP API requests, 32 KB WebSocket messages, 64 KB SQS chunks,
64 MB / 100 ms Express workflows); a month is 730 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from plangate.cost.prices import Price, PriceTable

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)
MB_PER_GB = Decimal(1024)
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Prices:
    """The table, seen from one region."""

    table: PriceTable
    region: str

    def __call__(self, key: str) -> Price | None:
        return self.table.get(key, self.region)

    def missing(self, key: str) -> str:
        return f"{key} in {self.region}"


def ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def chunks(size: Decimal, chunk: Decimal) -> Decimal:
    """How many metering units one request of ``size`` counts as (at least one)."""
    return max(Decimal(1), ceil(size / chunk))


def times(*values: Decimal | None) -> Decimal | None:
    out = Decimal(1)
    for value in values:
        if value is None:
            return None
        out *= value
    return out


def per(quantity: Decimal | None, unit: Decimal) -> Decimal | None:
    return None if quantity is None else quantity / unit


def gb_seconds(memory_mb: Decimal | None, duration_ms: Decimal | None,
                requests: Decimal | None) -> Decimal | None:
    """Lambda GB-seconds: duration rounded up to the millisecond, as AWS bills it."""
    if memory_mb is None or duration_ms is None or requests is None:
        return None
    return requests * (memory_mb / MB_PER_GB) * (ceil(duration_ms) / THOUSAND)
