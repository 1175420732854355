"""aws_bedrock_provisioned_model_throughput: model-unit hours at the model's and commitment's rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Reader
from plangate.cost.pricing import Prices, times
from plangate.cost.registry import FromPlan, priced_type, usage


def _model_id(arn: str) -> str:
    """``arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1:100k`` → anthropic.claude-v2."""
    tail = arn.rsplit("/", 1)[-1]
    return tail.split(":", 1)[0]


@priced_type("aws_bedrock_provisioned_model_throughput")
@dataclass(frozen=True, slots=True, kw_only=True)
class ProvisionedThroughput(FromPlan):
    """Bedrock provisioned throughput, billed per model-unit hour."""

    model: str | None  # e.g. anthropic.claude-v2 (version suffixes after ':' dropped)
    commitment: str | None  # none | OneMonth | SixMonths
    model_units: Decimal | None
    monthly_hours: Decimal = usage(unit="hours", default=Decimal(730),
                                   doc="Hours a month the throughput is provisioned (730 when not given)")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        arn = r.text("model_arn", "")
        return {"model": _model_id(arn) if arn else None, "commitment": r.text("commitment_duration", "none"),
                "model_units": r.number("model_units", None)}

    def price(self, prices: Prices) -> list[CostComponent]:
        if self.model is None or self.commitment is None:
            return [CostComponent("Provisioned throughput", "model-unit hours", None,
                                  times(self.model_units, self.monthly_hours), unknown=self.unknown or ("model_arn",))]
        key = f"bedrock.provisioned.{self.model}.{self.commitment}"
        commitment = "no commitment" if self.commitment == "none" else self.commitment
        return [component(f"Provisioned throughput ({self.model}, {commitment})", "model-unit hours", prices, key,
                          times(self.model_units, self.monthly_hours), unknown=self.unknown)]
