"""Which anomalies alert: `AlertPolicy` and the defaults for cost and for metrics.

Detection and alerting are separate: the detector decides what is an anomaly, the policy which of
them is worth a page.  This module imports nothing heavy, so the command line can state the
defaults in its help without loading the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plangate.analytics.anomalies import Anomaly


@dataclass(frozen=True)
class AlertPolicy:
    """Which anomalies alert: both the dollar and the percent impact must reach their minimum."""

    min_impact: float = 0.0  # in the series' unit (dollars for costs)
    min_impact_pct: float = 0.0

    def passes(self, anomaly: Anomaly) -> bool:
        pct = anomaly.impact_pct
        return abs(anomaly.impact) >= self.min_impact and (pct is None or abs(pct) >= self.min_impact_pct)

    def as_dict(self) -> dict[str, float]:
        return {"min_impact": self.min_impact, "min_impact_pct": self.min_impact_pct}


#: The policy when the user sets none: a cost anomaly alerts from $50 and 20 % of expected; metrics
#: have no common unit to set a floor in, so every metric anomaly alerts.
COST_ALERTS = AlertPolicy(min_impact=50.0, min_impact_pct=20.0)
METRIC_ALERTS = AlertPolicy()
