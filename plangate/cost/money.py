"""Money and quantities as people read them: $1,234.56, +$3.00, $0.0000166667, 1,000.5.

One home for these, used by the cost renderers and by budget rules' messages alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def number(value: Decimal | None) -> str | None:
    """A decimal as a plain string without exponent or trailing zeros (``None`` stays None)."""
    if value is None:
        return None
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def money(value: Decimal) -> str:
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "") + money(value)


def unit_price(value: Decimal) -> str:
    """A unit price with every significant digit and at least cents: $0.20, $0.0000166667."""
    text = number(value) or "0"
    whole, _, frac = text.partition(".")
    return f"${int(whole):,}.{frac.ljust(2, '0')}"


def quantity(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    whole, _, frac = format(rounded, "f").partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")
