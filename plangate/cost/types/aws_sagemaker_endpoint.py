"""aws_sagemaker_endpoint: billed through its endpoint configuration, which is priced instead."""

from __future__ import annotations

from dataclasses import dataclass

from plangate.cost.priced import Context, PricedElsewhere, Usage
from plangate.cost.registry import priced_type
from plangate.model import Resource


@priced_type("aws_sagemaker_endpoint")
@dataclass(frozen=True, slots=True)
class SageMakerEndpoint:
    """A SageMaker endpoint: its instances are priced on the endpoint configuration it uses."""

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> PricedElsewhere:
        name = res.get("endpoint_config_name")
        shown = name if isinstance(name, str) and name and "${" not in name else "its endpoint configuration"
        return PricedElsewhere(shown)
