"""The checks every loaded resource gets once, whatever rules run afterwards.

A plan's numbers feed counts, sizes and money: a count of -1, 2.5, ``"abc"``, 1e30 or NaN is
bad input (exit 2) when it is loaded, not only when a budget rule happens to read it, so the
verdict on bad input never depends on ``--rule``.  Which properties are quantities is told by
their names (``initial_instance_count``, ``memory_size``, ``provisioned_concurrent_executions``,
``replicas`` …), the same for every resource type and input format; a value only known after
apply, or an HCL expression not yet evaluated (``${…}``), is not judged here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from plangate.errors import InputError
from plangate.model import Resource, comparable
from plangate.types import MAX_QUANTITY

#: Property names that hold how many of something there are: whole, non-negative numbers.
_COUNTS = re.compile(r"(^|_)(count|instances|replicas|concurrency|concurrent_executions|units)$")
#: Property names that hold a size: non-negative numbers.
_SIZES = re.compile(r"(^|_)(size|size_in_mb|size_in_gb|memory_size_in_mb|storage|capacity|retention_in_days)$")
#: Names shaped like a quantity's that hold a provider's choice of words: the AWS provider plans the S3
#: lifecycle default "all_storage_classes_128K" into every aws_s3_bucket_lifecycle_configuration.
_NOT_QUANTITIES = frozenset({"transition_default_minimum_object_size"})


def check(resources: Iterable[Resource]) -> None:
    """Raise `InputError` (file, line, address, property) for the first quantity the model cannot hold."""
    for res in resources:
        problem = _first_problem(res.properties, "")
        if problem is not None:
            path, text = problem
            where = res.location
            raise InputError(where.file if where else res.address, f"{res.address}: {path} {text}",
                             where.line if where else None)


def _first_problem(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if key in ("tags", "tags_all") and not path:
                continue  # tag values are text, whatever their keys say
            found = _first_problem(sub, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(value, list):
        for index, sub in enumerate(value):
            found = _first_problem(sub, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
        return None
    plain = comparable(value)
    problem = _judge(plain, path)
    if problem is None:
        return None
    text = str(plain)[:40].encode("ascii", "backslashreplace").decode("ascii")  # one line, any bytes
    shown = "(sensitive)" if plain is not value else f"= {text.replace(chr(10), ' ').replace(chr(13), ' ')}"
    return path, f"{shown} {problem}"


def _judge(value: Any, path: str) -> str | None:
    """What is wrong with a quantity's value, or None."""
    name = path.rsplit(".", 1)[-1]
    if name.isdigit():  # a list item: judged by the list's name
        name = path.rsplit(".", 2)[-2] if path.count(".") else name
    count, size = bool(_COUNTS.search(name)), bool(_SIZES.search(name))
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a number the model can hold"
    if not (count or size) or name in _NOT_QUANTITIES or isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        if "${" in value or not value.strip():
            return None  # an expression HCL left unevaluated: the rules say unknown
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return "is not a number"
        if not number.is_finite():
            return "is not a number the model can hold"
    elif isinstance(value, (int, float)):
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    else:
        return None
    if number < 0 and not (number == -1 and (size or name.endswith("concurrent_executions"))):
        return "is negative"  # -1 is the AWS provider's "not set" for sizes and reserved concurrency
    if number > MAX_QUANTITY:
        return f"is larger than {MAX_QUANTITY:,} (not a real deployment)"
    if count and number != number.to_integral_value():
        return "is not a whole number"
    return None
