"""aws_s3_bucket: Standard storage (tiered) and requests.

Infracost nests S3 usage per storage class (``standard: {storage_gb: …}``); the Standard
class is priced, the flat keys mean the same, and the other classes are accepted unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plangate.cost.components import CostComponent, component, tiered
from plangate.cost.priced import Context, Usage
from plangate.cost.pricing import THOUSAND, Prices, per
from plangate.cost.registry import priced_type, read_usage, usage
from plangate.model import Resource

_CLASSES = ("standard", "intelligent_tiering", "standard_infrequent_access", "one_zone_infrequent_access",
            "glacier_flexible_retrieval", "glacier_instant_retrieval", "glacier_deep_archive")


@priced_type("aws_s3_bucket", usage_blocks=_CLASSES, blocks_noun="S3 storage class",
             unpriced_keys=frozenset({"object_tags", "standard.monthly_select_data_scanned_gb",
                                      "standard.monthly_select_data_returned_gb"}))
@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket:
    """An S3 bucket: Standard storage per GB-month, and requests per thousand."""

    storage_gb: Decimal | None = usage(unit="GB", doc="Standard storage", aliases=("standard.storage_gb",))
    monthly_tier_1_requests: Decimal | None = usage(
        unit="requests", doc="PUT, COPY, POST and LIST requests a month",
        aliases=("standard.monthly_tier_1_requests",))
    monthly_tier_2_requests: Decimal | None = usage(
        unit="requests", doc="GET, SELECT and all other requests a month",
        aliases=("standard.monthly_tier_2_requests",))

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> Bucket:
        return cls(**read_usage(cls, values))

    def price(self, prices: Prices) -> list[CostComponent]:
        key = "s3.standard.storage"
        out = tiered("Standard storage", "GB", prices, key, self.storage_gb, usage_based=True)
        for name, key, quantity in (
                ("PUT, COPY, POST, LIST requests", "s3.standard.requests_tier1", self.monthly_tier_1_requests),
                ("GET, SELECT, and all other requests", "s3.standard.requests_tier2", self.monthly_tier_2_requests)):
            out.append(component(name, "1k requests", prices, key, per(quantity, THOUSAND),
                                 usage_based=True))
        return out
