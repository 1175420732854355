"""The rule catalogue: an explicit registry, in the order rules are reported.

`RULES` are what the engine runs over a plan.  `all_rules` adds the rules other commands report
with the same findings — `plangate assure`'s model rules and the fleet-outlier rule of
``plangate scan --baseline-fleet`` — so that every rule id a report can carry is in
``plangate rules``, docs/rules.md and SARIF.  They load lazily: the scan path needs none of them.
"""

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


#: Why a rule outside `RULES` has no Checkov check, by id prefix (the catalogue says it).
REPORTED_ELSEWHERE = {
    "PG-ASR-": "judges a model's evidence (drift and fairness reports, model card) in `plangate assure`, "
               "not a resource",
    "PG-COV-": "judges the allocation coverage of billing data in `plangate coverage`, not a resource",
    "PG-FLEET-": "judges a resource against a model of the fleet (`plangate scan --baseline-fleet`), "
                 "not on its own",
}


def all_rules() -> tuple[Rule, ...]:
    """Every rule a report can name, in catalogue order: the scan's, `plangate assure`'s, `plangate
    coverage`'s, the fleet's."""
    from plangate.rules.coverage import COVERAGE_RULES
    from plangate.rules.fleet import fleet_outlier
    from plangate.rules.promotion import ASSURANCE_RULES

    return (*RULES, *ASSURANCE_RULES, *COVERAGE_RULES, fleet_outlier)
