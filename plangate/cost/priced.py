"""Reading a `Resource` into a typed priced resource: the helpers every priced type shares.

This is the first half of Infracost's split: reading knows property names and defaults, and
no prices.  Each priced type (`plangate.cost.types`) reads itself with these helpers;
`plangate.cost.pricing` holds what pricing shares.
A value that is unknown at plan time (or not a number, e.g. an unresolved HCL expression)
becomes ``None`` with its path in ``unknown``; usage that was not given stays ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plangate.model import Resource
from plangate.types import AWS_REGION
from plangate.values import to_decimal

Usage = Mapping[str, "Decimal | str"]

@dataclass(frozen=True)
class Context:
    """What pricing one resource may need from the rest of the plan (pure data)."""

    default_region: str = "us-east-1"
    functions: Mapping[str, Resource] | None = None  # Lambda functions by function_name
    # SageMaker bills endpoints: how many endpoints in the plan use each configuration (by
    # name and by address).  A configuration no endpoint uses is not billed, also when the
    # plan holds no endpoint at all (its endpoints, if any, are another plan's to price).
    endpoint_configs: Mapping[str, int] = field(default_factory=dict)
    endpoint_config_unknown: bool = False  # some endpoint names its configuration only after apply


def region_of(res: Resource, default: str) -> str:
    """The resource's own region (``region`` argument, or its ARN), else the region of the
    provider configuration that manages it (`Resource.region`), else ``default``."""
    value = res.properties.get("region")  # AWS provider v6 resources, Pulumi outputs
    if isinstance(value, str) and AWS_REGION.fullmatch(value) and not res.is_unknown("region"):
        return value
    for path in ("arn", "model_arn"):
        arn = res.properties.get(path)
        if isinstance(arn, str) and arn.startswith("arn:aws"):
            parts = arn.split(":")
            if len(parts) > 3 and AWS_REGION.fullmatch(parts[3]):
                return parts[3]
    return res.region or default


# -- reading values ---------------------------------------------------------------------


class Reader:
    """Reads properties of one resource, remembering which were unknown at plan time."""

    def __init__(self, res: Resource):
        self.res = res
        self.unknown: list[str] = []

    def number(self, path: str, default: Decimal | None) -> Decimal | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        if value is None:
            return default
        number = to_decimal(value)
        if number is None:  # an unresolved expression, e.g. "${var.memory}"
            self.unknown.append(path)
        return number

    def text(self, path: str, default: str) -> str | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if value is None or value == "":
            return default
        if isinstance(value, str) and "${" in value:
            self.unknown.append(path)
            return None
        return str(value)

    def is_text(self, path: str, default: str, value: str) -> bool | None:
        """Whether the text at ``path`` (``default`` when unset) is ``value``, ignoring case;
        None when it is unknown at plan time."""
        text = self.text(path, default)
        return None if text is None else text.upper() == value.upper()

    def flag(self, path: str) -> bool | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        return value is True or (isinstance(value, str) and value.lower() == "true")


# -- outcomes other than a priced resource --------------------------------------------


@dataclass(frozen=True, slots=True)
class NotBilled:
    """A resource AWS does not bill by itself here (a configuration no endpoint uses)."""

    reason: str
    read: Any = None  # what was read all the same: bad numbers in it are still bad input


@dataclass(frozen=True, slots=True)
class PricedElsewhere:
    """A resource whose cost is counted on another one (an endpoint on its configuration)."""

    where: str
