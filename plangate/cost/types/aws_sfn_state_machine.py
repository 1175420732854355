"""aws_sfn_state_machine: Standard workflows by transition, Express by request and GB-hour."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import CostComponent, component, tiered
from plangate.cost.priced import Reader
from plangate.cost.pricing import MB_PER_GB, MILLION, SECONDS_PER_HOUR, THOUSAND, Prices, ceil, per
from plangate.cost.registry import FromPlan, priced_type, usage


@priced_type("aws_sfn_state_machine")
@dataclass(frozen=True, slots=True, kw_only=True)
class StateMachine(FromPlan):
    """A Step Functions state machine: Standard bills transitions, Express requests and duration."""

    express: bool | None
    monthly_transitions: Decimal | None = usage(unit="transitions", doc="Standard workflow state transitions a month")
    monthly_requests: Decimal | None = usage(unit="requests", doc="Express workflow requests a month")
    workflow_duration_ms: Decimal | None = usage(unit="ms", doc="Average Express workflow duration")
    memory_mb: Decimal = usage(unit="MB", default=Decimal(64),
                               doc="Express workflow memory (billed in 64 MB steps; 64 when not given)")
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_plan(cls, r: Reader) -> dict[str, Any]:
        return {"express": r.is_text("type", "STANDARD", "EXPRESS")}

    def price(self, prices: Prices) -> list[CostComponent]:
        if self.express is None:
            return [CostComponent("Transitions or requests", "1K transitions", None, None, True, self.unknown)]
        if not self.express:
            key = "sfn.standard.transitions"
            return [component("Transitions", "1K transitions", prices, key, per(self.monthly_transitions, THOUSAND),
                              usage_based=True)]
        # billed in 64 MB steps, at least one
        memory_gb = max(Decimal(1), ceil(self.memory_mb / 64)) * 64 / MB_PER_GB
        gb_hours = None
        if self.monthly_requests is not None and self.workflow_duration_ms is not None:
            seconds = ceil(self.workflow_duration_ms / 100) * 100 / THOUSAND  # billed in 100 ms steps
            gb_hours = self.monthly_requests * seconds * memory_gb / SECONDS_PER_HOUR
        req_key, dur_key = "sfn.express.requests", "sfn.express.duration"
        return [component("Requests", "1M requests", prices, req_key, per(self.monthly_requests, MILLION),
                          usage_based=True),
                *tiered("Duration", "GB-hours", prices, dur_key, gb_hours, usage_based=True)]
