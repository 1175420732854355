"""Typed records the FinOps analytics produce besides `Anomaly`: forecasts and waste.

Reports (table, JSON, HTML) and ``plangate suggest`` read these; nothing here computes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Forecast:
    """Month-end spend of one budget scope: point forecast, 80 % interval, budget and breach date.

    ``path`` holds the projected cumulative spend per remaining day as (day, low, expected, high);
    ``history`` the observed cumulative spend per day of the month so far.  With fewer past windows
    of the remaining days' length than ``windows_needed``, ``high`` is +inf (no upper bound) and
    ``breach_probability`` None: history bounds neither."""

    scope: str  # "stack", or "<tag key>=<value>"
    month: dt.date  # the first day of the month forecast
    as_of: dt.date  # the last day with data
    spent: float  # month to date
    expected: float  # month-end, point forecast
    low: float  # month-end, 10th percentile
    high: float  # month-end, 90th percentile (+inf: no upper bound)
    budget: float | None = None
    breach_date: dt.date | None = None  # the day the expected cumulative spend passes the budget
    breach_probability: float | None = None  # P(month-end spend > budget); None: no budget, or not bounded
    history: tuple[tuple[dt.date, float], ...] = ()
    path: tuple[tuple[dt.date, float, float, float], ...] = ()
    past_windows: int = 0  # past windows as long as the days left that the interval was calibrated on
    windows_needed: int = 0  # the fewest with a finite 80 % quantile

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.expected > self.budget

    def likely_breach(self, threshold: float) -> bool:
        """What ``--fail-on-breach`` fails on: a breach probability that reaches ``threshold`` or,
        where too few past windows bound any probability, a point forecast over the budget (a
        forecast over budget never passes for want of calibration, and one under budget never
        fails on an unbounded tail alone)."""
        if self.breach_probability is not None:
            return self.breach_probability >= threshold
        return self.over_budget

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.high)

    @property
    def unbounded_reason(self) -> str | None:
        """Why there is no upper bound, in words (None when there is one)."""
        if self.bounded:
            return None
        days, n = len(self.path), self.past_windows
        reason = f"upper bound: none — {n} past {days}-day window{'' if n == 1 else 's'}, {self.windows_needed} needed"
        unstated = self.budget is not None and self.breach_probability is None
        return reason + ("; breach probability not bounded by history" if unstated else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope, "month": self.month.isoformat(), "as_of": self.as_of.isoformat(),
            "spent": round(self.spent, 2), "expected": round(self.expected, 2),
            "interval_80": [round(self.low, 2), round(self.high, 2) if self.bounded else None],
            "budget": self.budget,
            "breach_date": self.breach_date.isoformat() if self.breach_date else None,
            "breach_probability": None if self.breach_probability is None else round(self.breach_probability, 3),
            "past_windows": self.past_windows,
            **({} if self.bounded else {"unbounded": self.unbounded_reason}),
        }


@dataclass(frozen=True)
class WasteItem:
    """One piece of waste with the monthly saving the cost model prices for removing it."""

    kind: str  # idle-function | idle-endpoint | lambda-memory | unused-provisioned-concurrency
    resource: str  # the function, endpoint or alias
    message: str
    monthly_savings: Decimal
    current: dict[str, Any] = field(default_factory=dict)  # e.g. {"memory_mb": 3008}
    suggested: dict[str, Any] = field(default_factory=dict)  # e.g. {"memory_mb": 512}

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "resource": self.resource, "message": self.message,
                "monthly_savings": str(self.monthly_savings.quantize(Decimal("0.01"))),
                "current": dict(self.current), "suggested": dict(self.suggested)}
