"""Reading a plan's values one way for the rules and the cost model alike.

Terraform writes a nested block as a list of one mapping, Pulumi as the mapping itself; a
number may arrive as an int, a float or a string.  These readers accept every spelling and
answer ``None`` / ``[]`` for any other shape, so no caller compares a list with a number.

>>> block([{"max_concurrency": 5}]), block({"max_concurrency": 5}), block([{}, {}])
({'max_concurrency': 5}, {'max_concurrency': 5}, None)
>>> to_decimal("12"), to_decimal(True), to_decimal([3])
(Decimal('12'), None, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from plangate.model import Resource


def to_decimal(value: Any) -> Decimal | None:
    """A plan value as a Decimal, or None when it is not a plain number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def variant_list(res: Resource, path: str) -> list[Mapping[str, Any]]:
    """A repeated block (``production_variants``) as a list of mappings (Terraform list or Pulumi object)."""
    value = res.properties.get(path)
    if isinstance(value, Mapping):
        return [value]
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def block(value: Any) -> Mapping[str, Any] | None:
    """A single nested block (``serverless_config``), or None when there is not exactly one."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, Mapping) else None
