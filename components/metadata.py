"""Tags the components write: responsible-AI metadata, the usage profile, cost allocation.

Key names and the prefix are read from plangate's rule settings, never restated here, so
what the components write is by construction what the rules check.
"""

from __future__ import annotations

from collections.abc import Mapping

from plangate.cost.usage import USAGE_TAG
from plangate.rules.completeness import CompletenessPolicy
from plangate.rules.rai import RaiPolicy

_RAI = RaiPolicy()

#: Tag key the budget and the anomaly monitor are scoped on when the caller names none:
#: the one plangate's completeness rule (PG-TEL-005) matches budgets with.
DEFAULT_COST_TAG = CompletenessPolicy().cost_tag

#: Every responsible-AI key the components know, in the order plangate lists them.
RAI_KEYS: tuple[str, ...] = _RAI.required + _RAI.high_risk_required


def field_name(key: str) -> str:
    """``model-card-url`` → ``model_card_url`` (the input field for a metadata key)."""
    return key.replace("-", "_")


def rai_tags(metadata: Mapping[str, str]) -> dict[str, str]:
    """The metadata given, as tags under plangate's prefix; keys not given are left out so
    that a missing key is reported by PG-RAI-001 rather than hidden by an empty value."""
    tags: dict[str, str] = {}
    for key in RAI_KEYS:
        value = metadata.get(field_name(key))
        if value is not None:
            tags[_RAI.prefix + key] = str(value)
    return tags


def inference_selector() -> dict[str, str]:
    """The tags that mark a Lambda function as AI inference for plangate's rules."""
    return {key: value or "true" for key, value in _RAI.selector.items()}


def _number(value: float) -> str:
    """A usage number as the usage tag parser reads it, without exponent or trailing .0."""
    if float(value).is_integer():
        return str(int(value))
    return format(float(value), "f").rstrip("0")


def usage_tag(values: Mapping[str, float | None]) -> dict[str, str]:
    """``{plangate:usage: "monthly_requests=2000000 request_duration_ms=120"}``, or {} when
    no value is given (usage then stays unknown, never zero)."""
    pairs = [f"{key}={_number(value)}" for key, value in values.items() if value is not None]
    return {USAGE_TAG: " ".join(pairs)} if pairs else {}
