"""The rule catalogue: an explicit registry, in the order rules are reported."""

from __future__ import annotations

from plangate.rules.base import Rule
from plangate.rules.budget import (
    inference_capacity_limits,
    monthly_budget,
    monthly_cost_increase,
    resource_monthly_ceiling,
)
from plangate.rules.completeness import inference_alarm_and_budget
from plangate.rules.exposure import api_route_auth, function_url_auth
from plangate.rules.governance import expired_waiver, unexpanded_module
from plangate.rules.rai import prohibited_ai_risk_tier, responsible_ai_metadata
from plangate.rules.tags import cost_allocation_tags, kubernetes_cost_labels
from plangate.rules.telemetry import (
    inference_concurrency_cap,
    inference_log_retention,
    inference_tracing,
    sagemaker_data_capture,
)

WAIVER_RULE = expired_waiver

RULES: tuple[Rule, ...] = (
    cost_allocation_tags,
    kubernetes_cost_labels,
    responsible_ai_metadata,
    prohibited_ai_risk_tier,
    inference_tracing,
    inference_log_retention,
    inference_alarm_and_budget,
    sagemaker_data_capture,
    inference_concurrency_cap,
    function_url_auth,
    api_route_auth,
    monthly_budget,
    monthly_cost_increase,
    inference_capacity_limits,
    resource_monthly_ceiling,
    expired_waiver,
    unexpanded_module,
)

BY_ID = {r.id: r for r in RULES}
BY_SLUG = {r.slug: r for r in RULES}
