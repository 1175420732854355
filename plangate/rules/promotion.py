"""The assurance rules: what `plangate assure` checks about a model before it is promoted.

Each rule is declared as every plangate rule is (`plangate.rules.base.rule`), over one
``plangate_model_assessment`` resource per model that `plangate.assurance.assessment` builds from
the evidence (drift and fairness reports, the model card) and the risk tier's thresholds —
so findings, enforcement, waivers, SARIF, JUnit and exit codes are the scanner's own.  They are
kept out of the scan catalogue (`plangate.rules.RULES`): no plan holds such a resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from plangate.model import Resource, Severity
from plangate.rules.base import Fail, Frameworks, Pass, Rule, rule

ASSESSMENT = "plangate_model_assessment"
_TIER = "the {tier} risk tier"


def _t(res: Resource) -> dict[str, Any]:
    return res.properties.get("thresholds") or {}


def _model(res: Resource) -> str:
    return res.properties.get("model_id") or res.address


def _required(res: Resource, evidence: str) -> str:
    """The message for evidence the model's risk tier requires and nobody supplied."""
    return f"no {evidence} for {_model(res)}: the {res.properties.get('risk_tier')} risk tier requires one"


def _assurance_rule(**declared: Any) -> Callable[[Callable[..., Any]], Rule]:
    """`rule`, with what every assurance rule shares: its category and the resource it judges."""
    return rule(category="responsible-ai", applies_to={ASSESSMENT}, **declared)


def _strict(**changes: Any) -> dict[str, Any]:
    from plangate.rules.thresholds import DEFAULT_TIERS
    from plangate.settings import as_dict

    return {**as_dict(DEFAULT_TIERS["high"]), **changes}


def _example(**properties: Any) -> dict[str, Any]:
    base = {"model_id": "fraud-xgb-2026-10", "risk_tier": "high", "thresholds": _strict(), "drift": None,
            "fairness": [], "card": None}
    return {"type": ASSESSMENT, "address": "model:fraud-xgb-2026-10", "properties": {**base, **properties}}


_DRIFT_OK = {"source": "drift.json", "share": 0.1, "features": 10, "drifted": ["MedInc"], "prediction_drift": False,
             "drifted_predictions": []}
_FAIR_OK = {"source": "fairness.json", "sensitive": ["sex"], "disparate_impact": 0.9,
            "demographic_parity_difference": 0.05, "equalized_odds_difference": 0.08,
            "equal_opportunity_difference": 0.04}
_CARD_OK = {"path": "cards/fraud.json", "errors": [], "model_ids": ["fraud-xgb-2026-10"],
            "has_quantitative_analysis": True}


@_assurance_rule(
    id="PG-ASR-001", slug="model-data-drift", title="A model's input data has not drifted beyond its tier's limit",
    severity=Severity.HIGH,
    remediation="Investigate the drifted features (plangate drift); retrain or recalibrate on current data, "
                "or record why the shift is expected, before promoting the model.",
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.4", eu_ai_act="Art. 72"),
    examples=[
        Pass(**_example(drift=_DRIFT_OK)),
        Fail("6 of 10 features drifted (share 0.60 > 0.25): a, b, c, d, e, f",
             **_example(drift={**_DRIFT_OK, "share": 0.6, "drifted": list("abcdef")})),
        Fail("no drift report for fraud-xgb-2026-10: the high risk tier requires one", **_example(),
             name="high risk without drift evidence"),
        Pass(**_example(risk_tier="minimal", thresholds=_strict(require_drift=False, max_drifted_share=1.0)),
             name="the minimal tier asks for nothing"),
    ],
)
def model_data_drift(res: Resource, _cfg: Any) -> Iterator[str]:
    """The share of drifted input features (plangate drift) stays within the risk tier's
    max_drifted_share; tiers with require_drift must supply a drift report."""
    t, drift = _t(res), res.properties.get("drift")
    if drift is None:
        if t.get("require_drift"):
            yield _required(res, "drift report")
        return
    if drift["share"] > t.get("max_drifted_share", 1.0):
        names = ", ".join(drift["drifted"][:10]) + (", …" if len(drift["drifted"]) > 10 else "")
        yield (f"{len(drift['drifted'])} of {drift['features']} features drifted "
               f"(share {drift['share']:.2f} > {t['max_drifted_share']:g}): {names}")


@_assurance_rule(
    id="PG-ASR-002", slug="model-prediction-drift", title="A model's predictions have not drifted",
    severity=Severity.HIGH,
    remediation="The model's outputs shifted: check its live performance against ground truth before promoting.",
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.4", eu_ai_act="Art. 15"),
    examples=[
        Pass(**_example(drift=_DRIFT_OK)),
        Fail("predictions drifted: y_pred_proba",
             **_example(drift={**_DRIFT_OK, "prediction_drift": True, "drifted_predictions": ["y_pred_proba"]})),
        Pass(**_example(drift={**_DRIFT_OK, "prediction_drift": True, "drifted_predictions": ["p"]},
                        thresholds=_strict(fail_on_prediction_drift=False)), name="the tier tolerates it"),
    ],
)
def model_prediction_drift(res: Resource, _cfg: Any) -> Iterator[str]:
    """When the tier sets fail_on_prediction_drift, no prediction column drifted."""
    drift = res.properties.get("drift")
    if drift and _t(res).get("fail_on_prediction_drift") and drift.get("prediction_drift"):
        yield f"predictions drifted: {', '.join(drift['drifted_predictions'])}"


_FAIRNESS_LIMITS = (
    ("demographic_parity_difference", "max_demographic_parity_difference", "demographic parity difference"),
    ("equalized_odds_difference", "max_equalized_odds_difference", "equalized odds difference"),
    ("equal_opportunity_difference", "max_equal_opportunity_difference", "equal opportunity difference"),
)


@_assurance_rule(
    id="PG-ASR-003", slug="model-fairness", title="A model's decisions meet its tier's fairness limits",
    severity=Severity.HIGH,
    remediation="Examine the groups with the lowest selection rates (plangate fairness); mitigate (reweighting, "
                "thresholds per group, better data) and re-measure before promoting.",
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.11", eu_ai_act="Art. 10"),
    examples=[
        Pass(**_example(fairness=[_FAIR_OK])),
        Fail("disparate impact 0.26 < 0.8 across race, sex (four-fifths rule)",
             "equalized odds difference 0.48 > 0.2 across race, sex",
             **_example(fairness=[{**_FAIR_OK, "sensitive": ["race", "sex"], "disparate_impact": 0.2574,
                                   "equalized_odds_difference": 0.4773}])),
        Fail("no fairness report for fraud-xgb-2026-10: the high risk tier requires one", **_example()),
    ],
)
def model_fairness(res: Resource, _cfg: Any) -> Iterator[str]:
    """Every fairness report (plangate fairness) meets the tier's min_disparate_impact and the
    maximum demographic parity, equalized odds and equal opportunity differences; tiers with
    require_fairness must supply one."""
    t, reports = _t(res), res.properties.get("fairness") or []
    if not reports and t.get("require_fairness"):
        yield _required(res, "fairness report")
    for r in reports:
        over = ", ".join(r["sensitive"])
        di, minimum = r.get("disparate_impact"), t.get("min_disparate_impact", 0.0)
        if minimum > 0 and (di is None or di < minimum):
            shown = "undefined (no group is selected)" if di is None else f"{di:.2f}"
            yield f"disparate impact {shown} < {minimum:g} across {over} (four-fifths rule)"
        for key, limit, title in _FAIRNESS_LIMITS:
            value = r.get(key)
            if value is not None and value > t.get(limit, 1.0):
                yield f"{title} {value:.2f} > {t[limit]:g} across {over}"


@_assurance_rule(
    id="PG-ASR-004", slug="model-card-valid", title="A model's card exists and follows the Model Card Toolkit schema",
    severity=Severity.MEDIUM,
    remediation="Write the model card (Model Card Toolkit schema v0.0.2) at the path the deployment's "
                "model-card-url tag names, and fix the fields the schema rejects.",
    frameworks=Frameworks(nist_ai_rmf="MAP 4.1", eu_ai_act="Art. 11"),
    examples=[
        Pass(**_example(card=_CARD_OK)),
        Fail("no model card for fraud-xgb-2026-10: the high risk tier requires one "
             "(model-card-url https://x.example/card resolves to no file in the repository)",
             **_example(card_reference="https://x.example/card")),
        Fail("model card cards/fraud.json does not follow the Model Card Toolkit schema: "
             "model_details.name: 5 is not of type 'string'",
             **_example(card={**_CARD_OK, "errors": ["model_details.name: 5 is not of type 'string'"]})),
    ],
)
def model_card_valid(res: Resource, _cfg: Any) -> Iterator[str]:
    """Tiers with require_model_card reference a model card, and any card referenced validates
    against the Model Card Toolkit schema."""
    card, ref = res.properties.get("card"), res.properties.get("card_reference") or ""
    if card is None:
        if _t(res).get("require_model_card"):
            where = f" (model-card-url {ref} resolves to no file in the repository)" if ref else ""
            yield _required(res, "model card") + where
        return
    if card["errors"]:
        yield f"model card {card['path']} does not follow the Model Card Toolkit schema: {card['errors'][0]}"


@_assurance_rule(
    id="PG-ASR-005", slug="model-card-quantitative-analysis",
    title="A high-risk model's card reports its quantitative analysis",
    severity=Severity.HIGH,
    remediation="Add quantitative_analysis.performance_metrics (metric type, value, slice) to the model card.",
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.3", eu_ai_act="Art. 15"),
    examples=[
        Pass(**_example(card=_CARD_OK)),
        Fail("model card cards/fraud.json has no quantitative analysis (performance metrics): "
             "the high risk tier requires it", **_example(card={**_CARD_OK, "has_quantitative_analysis": False})),
        Pass(**_example(card={**_CARD_OK, "has_quantitative_analysis": False}, risk_tier="limited",
                        thresholds=_strict(require_quantitative_analysis=False)), name="not asked below high"),
    ],
)
def model_card_quantitative_analysis(res: Resource, _cfg: Any) -> Iterator[str]:
    """Tiers with require_quantitative_analysis (high, by default) have a model card whose
    quantitative_analysis lists performance metrics."""
    card = res.properties.get("card")
    if card and _t(res).get("require_quantitative_analysis") and not card["has_quantitative_analysis"]:
        yield (f"model card {card['path']} has no quantitative analysis (performance metrics): "
               f"the {res.properties.get('risk_tier')} risk tier requires it")


@_assurance_rule(
    id="PG-ASR-006", slug="model-card-model-id", title="The model card describes the deployed model",
    severity=Severity.HIGH,
    remediation="Point model-card-url at this model's card, or correct model_details.name / version in the card.",
    frameworks=Frameworks(nist_ai_rmf="GOVERN 1.6", eu_ai_act="Art. 11"),
    examples=[
        Pass(**_example(card=_CARD_OK)),
        Fail("model card cards/fraud.json describes fraud-xgb-2025-01, not the deployed model fraud-xgb-2026-10",
             **_example(card={**_CARD_OK, "model_ids": ["fraud-xgb-2025-01"]})),
        Fail("model card cards/fraud.json names no model (model_details.name), so it cannot describe "
             "fraud-xgb-2026-10", **_example(card={**_CARD_OK, "model_ids": []})),
    ],
)
def model_card_model_id(res: Resource, _cfg: Any) -> Iterator[str]:
    """The card's model_details.name (alone, or with its version as name-version, name:version,
    name@version or name/version) is the deployment's model-id tag."""
    card, model = res.properties.get("card"), res.properties.get("model_id")
    if not card or not model or model in card["model_ids"]:
        return
    if not card["model_ids"]:
        yield (f"model card {card['path']} names no model (model_details.name), so it cannot describe {model}")
        return
    named = sorted(card["model_ids"], key=len)[0]
    yield f"model card {card['path']} describes {named}, not the deployed model {model}"


ASSURANCE_RULES = (model_data_drift, model_prediction_drift, model_fairness, model_card_valid,
                   model_card_quantitative_analysis, model_card_model_id)
ASSURANCE_BY_ID = {r.id: r for r in ASSURANCE_RULES}
