"""The assurance gate: evidence about a model + its risk tier's thresholds → a `ScanResult`.

One ``plangate_model_assessment`` resource per model under review — from each inference
workload in ``--deployment`` inputs that carries a ``model-id`` tag (its ``risk-tier`` and
``model-card-url`` tags read as PG-RAI-001 reads them), or from ``--model-id`` / ``--risk-tier``
— holding the tier's thresholds, the drift and fairness reports' summaries and the model
card's check.  The engine then evaluates `plangate.rules.promotion` on them exactly as it
evaluates the scan rules, so enforcement, waivers, report formats and exit codes are shared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError, PlangateError
from plangate.model import Location, Resource, comparable
from plangate.rules.promotion import ASSESSMENT, ASSURANCE_RULES

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.policy import Policy

PROHIBITED = "unacceptable"


@dataclass(frozen=True)
class Evidence:
    drift: dict[str, Any] | None = None
    fairness: tuple[dict[str, Any], ...] = ()
    card: str | None = None  # an explicit model card path (overrides the deployment's tag)


def _read_json(path: str, what: str) -> Any:
    from plangate.loaders.source import read_json

    try:
        data = read_json(path)
    except InputError as exc:  # say which of the command's files it is
        raise InputError(path, f"the {what}: {exc.problem}", exc.line, exc.column) from None
    if not isinstance(data, dict):
        raise InputError(path, f"not a {what} (expected a JSON object)")
    return data


def drift_summary(path: str) -> dict[str, Any]:
    """What the gate reads from ``plangate drift --format json`` output."""
    data = _read_json(path, "drift report")
    try:
        features = data["features"]
        drifted = [f["name"] for f in features if f["drifted"] is True]
        predictions = data.get("predictions") or []
        drifted_predictions = [p["name"] for p in predictions if p["drifted"] is True]
        share = float(data["share_of_drifted_features"])
    except (KeyError, TypeError, ValueError):
        raise InputError(path, "not a drift report (expected the JSON of plangate drift --format json)") from None
    if not 0 <= share <= 1:
        raise InputError(path, f"share_of_drifted_features {share} is not between 0 and 1")
    if not features and not predictions:  # a report that tested nothing is no evidence of no drift
        raise InputError(path, "the drift report tested no feature and no prediction")
    return {"source": path, "share": share, "features": len(features), "drifted": drifted,
            "prediction_drift": bool(drifted_predictions), "drifted_predictions": drifted_predictions}


def fairness_summary(path: str) -> dict[str, Any]:
    """What the gate reads from ``plangate fairness --format json`` output."""
    from plangate.assurance.fairness import METRICS

    data = _read_json(path, "fairness report")
    try:
        sensitive = [str(s) for s in data["sensitive"]]
        values = {m: data[m] for m in (*METRICS, "disparate_impact")}
    except (KeyError, TypeError):
        raise InputError(path, "not a fairness report (expected the JSON of plangate fairness --format json)") from None
    for m, v in values.items():
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1):
            raise InputError(path, f"{m}: expected a number between 0 and 1 or null, got {v!r}")
    return {"source": path, "sensitive": sensitive, **values}


def _card(path: Path | str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    from plangate.assurance import modelcard

    checked = modelcard.check(path)
    return {"path": str(path), "errors": list(checked.errors), "model_ids": sorted(checked.model_ids),
            "has_quantitative_analysis": checked.has_quantitative_analysis}


def _assessment(address: str, model_id: str, tier: str, policy: Policy, evidence: Evidence,
                card_path: Path | str | None, card_reference: str, location: Location | None) -> Resource:
    from plangate.settings import as_dict

    if tier == PROHIBITED:
        raise InputError(location.file if location else address,
                         f"{address}: risk tier {PROHIBITED!r} is a prohibited practice (PG-RAI-002): no model "
                         "of this tier can be promoted")
    thresholds = policy.assurance.for_tier(tier) if policy.assurance is not None else None
    if thresholds is None:
        known = ", ".join(policy.assurance.tiers) if policy.assurance is not None else "none"
        raise InputError(location.file if location else address,
                         f"{address}: risk tier {tier!r} has no assurance thresholds (tiers: {known})")
    props = {"model_id": model_id, "risk_tier": tier, "thresholds": as_dict(thresholds),
             "drift": evidence.drift, "fairness": list(evidence.fairness), "card": _card(card_path),
             "card_reference": card_reference}
    return Resource(ASSESSMENT, address, "assurance", properties=props, location=location)


def from_deployments(resources: Sequence[Resource], policy: Policy, evidence: Evidence, repo_root: str,
                     tier_override: str | None = None) -> list[Resource]:
    """An assessment per inference workload with a model-id tag."""
    from plangate.assurance import modelcard
    from plangate.rules import BY_ID
    from plangate.rules.scope import metadata

    prefix = policy.config(BY_ID["PG-RAI-001"]).settings.prefix
    out = []
    for res in resources:
        tags = metadata(res)
        model_id = comparable(tags.get(prefix + "model-id"))
        if not isinstance(model_id, str) or not model_id.strip():
            continue
        tier = tier_override or comparable(tags.get(prefix + "risk-tier"))
        if not isinstance(tier, str) or not tier.strip():
            raise InputError(str(res.location or res.address), f"{res.address}: no {prefix}risk-tier tag, and "
                                                                "no --risk-tier given")
        reference = comparable(tags.get(prefix + "model-card-url"))
        reference = reference if isinstance(reference, str) else ""
        card = evidence.card or (modelcard.resolve(reference, repo_root) if reference else None)
        out.append(_assessment(res.address, model_id.strip(), tier.strip(), policy, evidence, card, reference,
                               res.location))
    return out


def single(model_id: str, tier: str, policy: Policy, evidence: Evidence) -> Resource:
    location = Location(evidence.card) if evidence.card else None
    return _assessment(f"model:{model_id}", model_id, tier, policy, evidence, evidence.card, evidence.card or "",
                       location)


def gate_policy(policy: Policy) -> Policy:
    """``policy`` narrowed to the assurance rules (and the expired-waiver rule), their waivers only."""
    from plangate.rules import WAIVER_RULE

    ids = {r.id for r in ASSURANCE_RULES} | {r.slug for r in ASSURANCE_RULES}
    return dataclasses.replace(policy, catalogue=(*ASSURANCE_RULES, WAIVER_RULE),
                               waivers=tuple(w for w in policy.waivers if w.rule in ids))


def evaluate(assessments: list[Resource], policy: Policy, inputs: list[str], today: dt.date) -> ScanResult:
    from plangate import engine

    if not assessments:
        raise PlangateError("no model to assess: no input workload carries a model-id tag "
                            "(or give --model-id and --risk-tier)")
    return engine.scan(assessments, gate_policy(policy), inputs, today)
