"""What a model must meet to be promoted, per EU AI Act risk tier: the ``assurance`` section of
the policy file (``plangate.yaml``).

```yaml
assurance:
  tiers:
    high:                              # minimal | limited | high (PG-RAI-001's tiers)
      max_drifted_share: 0.25
      min_disparate_impact: 0.8
      max_equalized_odds_difference: 0.1
  coverage:
    min_share: 0.8                     # PG-COV-001: allocation coverage of each billing period
```

A tier given in the file starts from that tier's defaults below; unknown tiers or keys are
errors, as everywhere in the policy file.  Declared once here: `settings.parse` reads it and
`settings.schema` describes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plangate.settings import SettingsError, parse, setting


@dataclass(frozen=True)
class TierThresholds:
    require_drift: bool = setting(False, "A drift report (plangate drift --format json) must be given.")
    max_drifted_share: float = setting(
        1.0, "The gate fails when more than this share of the features drifted (1.0: never).")
    fail_on_prediction_drift: bool = setting(False, "The gate fails when a prediction column drifted.")
    require_fairness: bool = setting(False, "A fairness report (plangate fairness --format json) must be given.")
    min_disparate_impact: float = setting(
        0.0, "Least selection-rate ratio of any group to the most selected (0.8: the four-fifths rule).")
    max_demographic_parity_difference: float = setting(1.0, "Largest selection-rate gap between groups.")
    max_equalized_odds_difference: float = setting(1.0, "Largest TPR or FPR gap between groups.")
    max_equal_opportunity_difference: float = setting(1.0, "Largest TPR gap between groups.")
    require_model_card: bool = setting(False, "The deployment references a model card that validates "
                                              "against the Model Card Toolkit schema.")
    require_quantitative_analysis: bool = setting(
        False, "The model card reports performance metrics (quantitative_analysis.performance_metrics).")


DEFAULT_TIERS: Mapping[str, TierThresholds] = {
    "minimal": TierThresholds(),
    "limited": TierThresholds(max_drifted_share=0.5, min_disparate_impact=0.8, require_model_card=True),
    "high": TierThresholds(require_drift=True, max_drifted_share=0.25, fail_on_prediction_drift=True,
                           require_fairness=True, min_disparate_impact=0.8, max_demographic_parity_difference=0.2,
                           max_equalized_odds_difference=0.2, max_equal_opportunity_difference=0.2,
                           require_model_card=True, require_quantitative_analysis=True),
}
_KEYS = {"tiers", "coverage"}


@dataclass(frozen=True)
class CoverageThreshold:
    min_share: float = setting(
        0.8, "PG-COV-001 fails a billing period whose allocation coverage (plangate coverage: the share of "
             "usage spend carrying every tag PG-TAG-001 requires) is below this.  0.8 is the FinOps "
             "Foundation's 'walk' maturity for allocation; 1.0 demands every dollar tagged.")


@dataclass(frozen=True)
class AssurancePolicy:
    tiers: Mapping[str, TierThresholds] = dataclasses.field(default_factory=lambda: dict(DEFAULT_TIERS))
    coverage: CoverageThreshold = CoverageThreshold()

    def for_tier(self, tier: str) -> TierThresholds | None:
        return self.tiers.get(tier)


def parse_assurance(data: Any, where: str) -> AssurancePolicy:
    """The ``assurance`` section; raises `SettingsError` naming the key on any problem."""
    if data is None:
        return AssurancePolicy()
    if not isinstance(data, Mapping):
        raise SettingsError(f"{where}: expected a mapping with {', '.join(sorted(_KEYS))}")
    extra = sorted(set(data) - _KEYS)
    if extra:
        raise SettingsError(f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(_KEYS))})")
    given = data.get("tiers") or {}
    if not isinstance(given, Mapping):
        raise SettingsError(f"{where}.tiers: expected a mapping of risk tier to thresholds")
    tiers = dict(DEFAULT_TIERS)
    for tier, raw in given.items():
        if tier not in DEFAULT_TIERS:
            raise SettingsError(f"{where}.tiers: unknown risk tier {tier!r} (known: {', '.join(DEFAULT_TIERS)})")
        overrides = parse(TierThresholds, raw or {}, f"{where}.tiers.{tier}")
        changed = {f.name: getattr(overrides, f.name) for f in dataclasses.fields(TierThresholds)
                   if f.name in (raw or {})}
        tiers[tier] = _checked(dataclasses.replace(DEFAULT_TIERS[tier], **changed), f"{where}.tiers.{tier}")
    coverage = _checked(parse(CoverageThreshold, data.get("coverage") or {}, f"{where}.coverage"),
                        f"{where}.coverage")
    return AssurancePolicy(tiers, coverage)


def _checked(t: Any, where: str) -> Any:
    for f in dataclasses.fields(t):
        value = getattr(t, f.name)
        if isinstance(value, float) and not 0.0 <= value <= 1.0:
            raise SettingsError(f"{where}.{f.name}: expected a number between 0 and 1, got {value!r}")
    return t
