"""Configuration outliers: resources in a new plan whose settings deviate from the fleet's.

`FleetProfile` is fitted on the resources of a fleet (plans, previews, state exports: whatever
the plangate loaders read), one model per resource type with enough members:

* numeric settings (``memory_size``, ``timeout``, ``retention_in_days``, …): an
  `IsolationForest` over the settings most of the fleet sets (signed log scale); a resource it
  isolates is reported with the setting that is furthest from the fleet's median;
* categorical settings (``runtime``, ``instance_type``, ``storage_class``, …, but not names or
  identifiers — a setting with many distinct values is not a setting): a value that fewer than
  `RARE_SHARE` of the fleet use, where the fleet agrees on a usual value.

Results are advisory `Finding`s of PG-FLEET-001 (``plangate scan --baseline-fleet FLEET``).
Secret and unknown-at-plan-time values are never read, and tags are left to the tag rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from plangate.model import REDACTED, Finding, Outcome, Resource, walk
from plangate.rules.fleet import fleet_outlier

RULE_ID, SLUG = fleet_outlier.id, fleet_outlier.slug
MIN_FLEET = 8  # fewer resources of a type than this are not a pattern
PRESENT_SHARE = 0.5  # a setting is modelled when at least half the fleet sets it
RARE_SHARE = 0.05
USUAL_SHARE = 0.6  # ... and a value is rare only where the fleet agrees on one
MAX_LEVELS = 12  # a categorical setting with more distinct values than this is an identifier, not a choice
MIN_DEVIATION = 3.0  # robust z of the setting that explains an isolation-forest outlier
# Tags are the tag rules' business; environment variables, user data and anything named like a
# credential may hold a secret no loader marked, and a finding must never show one.
_SKIP = ("tags", "tags_all", "labels", "annotations", "environment", "variables", "user_data", "secret_string")
_SECRET_WORDS = ("password", "secret", "token", "credential", "private", "auth")
_ID_WORDS = ("name", "arn", "id", "key", "bucket", "role", "policy", "source", "hash", "image", "url", "uri",
             "filename", "version", "description", "handler", "endpoint", "subnet", "security_group", "vpc")


@dataclass
class _TypeModel:
    count: int
    numeric: list[str]
    medians: np.ndarray
    spreads: np.ndarray
    forest: object | None
    categorical: dict[str, Counter] = field(default_factory=dict)


def _is_setting(path: str) -> bool:
    parts = path.split(".")
    if parts[0] in _SKIP or any(word in path.lower() for word in _SECRET_WORDS):
        return False
    return not any(word in parts[-1] for word in _ID_WORDS)


def settings_of(res: Resource) -> tuple[dict[str, float], dict[str, str]]:
    """(numeric, categorical) settings of ``res`` by dotted path, without secrets, unknowns or tags."""
    numeric: dict[str, float] = {}
    categorical: dict[str, str] = {}
    for path, value in walk(res.properties):
        if not path or not _is_setting(path) or path in res.secret or res.is_unknown(path) or value is REDACTED:
            continue
        if isinstance(value, bool):
            categorical[path] = str(value).lower()
        elif isinstance(value, (int, float)) and np.isfinite(value):
            numeric[path] = float(value)
        elif isinstance(value, str) and value and "${" not in value and len(value) <= 64:
            categorical[path] = value
    return numeric, categorical


def _signed_log(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


class FleetProfile:
    """What a fleet's resources look like, per type; `findings` judges new resources against it."""

    def __init__(self, min_fleet: int = MIN_FLEET, rare_share: float = RARE_SHARE, random_state: int = 0):
        self.min_fleet = min_fleet
        self.rare_share = rare_share
        self.random_state = random_state

    def fit(self, fleet: Iterable[Resource]) -> FleetProfile:
        by_type: dict[str, list[tuple[dict[str, float], dict[str, str]]]] = {}
        for res in fleet:
            by_type.setdefault(res.type, []).append(settings_of(res))
        self.models_: dict[str, _TypeModel] = {}
        for type_, members in by_type.items():
            if len(members) >= self.min_fleet:
                self.models_[type_] = self._fit_type(members)
        return self

    def _fit_type(self, members: list[tuple[dict[str, float], dict[str, str]]]) -> _TypeModel:
        n = len(members)
        seen = Counter(p for numeric, _ in members for p in numeric)
        paths = sorted(p for p, c in seen.items() if c >= PRESENT_SHARE * n)
        matrix = np.array([[numeric.get(p, np.nan) for p in paths] for numeric, _ in members], float).reshape(n, -1)
        medians = np.nanmedian(matrix, axis=0) if paths else np.zeros(0)
        filled = np.where(np.isnan(matrix), medians, matrix)
        logged = _signed_log(filled)
        spreads = 1.4826 * np.median(np.abs(logged - _signed_log(medians)), axis=0) if paths else np.zeros(0)
        forest = None
        varying = np.ptp(logged, axis=0) > 0 if paths else np.zeros(0, bool)
        if varying.any():
            from sklearn.ensemble import IsolationForest

            forest = IsolationForest(n_estimators=200, random_state=self.random_state).fit(logged)
        levels: dict[str, Counter] = {}
        present = Counter(p for _, categorical in members for p in categorical)
        for path, count in present.items():
            if count < PRESENT_SHARE * n:
                continue
            values = Counter(categorical[path] for _, categorical in members if path in categorical)
            if len(values) <= min(MAX_LEVELS, max(2, n // 3)):
                levels[path] = values
        return _TypeModel(n, paths, medians, spreads, forest, levels)

    def findings(self, resources: Sequence[Resource]) -> list[Finding]:
        """An advisory finding per deviating setting of each resource whose type the fleet knows."""
        out: list[Finding] = []
        for res in resources:
            model = self.models_.get(res.type)
            if model is None:
                continue
            numeric, categorical = settings_of(res)
            for message in (*self._numeric(model, res.type, numeric), *self._categorical(model, res.type, categorical)):
                out.append(Finding(RULE_ID, SLUG, fleet_outlier.severity, Outcome.WARNING, res.address, res.type,
                                   message, res.location))
        return out

    def _numeric(self, model: _TypeModel, type_: str, numeric: dict[str, float]) -> list[str]:
        if model.forest is None or not model.numeric:
            return []
        row = np.array([numeric.get(p, m) for p, m in zip(model.numeric, model.medians, strict=True)], float)
        logged = _signed_log(row)[None, :]
        if model.forest.predict(logged)[0] != -1:
            return []
        floor = np.maximum(model.spreads, 0.05 * np.abs(_signed_log(model.medians)) + 1e-9)
        z = np.abs(logged[0] - _signed_log(model.medians)) / floor
        worst = [i for i in np.argsort(-z, kind="stable")[:3] if z[i] >= MIN_DEVIATION]
        if not worst:
            return []
        shown = ", ".join(f"{model.numeric[i]} = {_show(row[i])} (fleet median {_show(model.medians[i])})"
                          for i in worst)
        return [f"{shown}: unlike the fleet's {model.count} {type_} (isolation forest outlier)"]

    def _categorical(self, model: _TypeModel, type_: str, categorical: dict[str, str]) -> list[str]:
        out = []
        for path, values in model.categorical.items():
            value = categorical.get(path)
            if value is None:
                continue
            usual, usual_count = values.most_common(1)[0]
            total = sum(values.values())
            share = values.get(value, 0) / total
            if share < self.rare_share and usual_count / total >= USUAL_SHARE:
                out.append(f"{path} = {value!r} is rare in the fleet ({values.get(value, 0)} of {total} {type_}; "
                           f"usual: {usual!r}, {100 * usual_count / total:.0f} %)")
        return out


def _show(value: float) -> str:
    return f"{value:g}"


def fleet_findings(fleet_paths: Sequence[str], resources: Sequence[Resource],
                   input_format: str | None = None) -> list[Finding]:
    """Load the fleet with the plangate loaders, fit it, and judge ``resources`` against it."""
    from plangate import loaders

    fleet = loaders.load_all(list(fleet_paths), input_format).resources
    return FleetProfile().fit(fleet).findings(resources)


def with_fleet_outliers(result, fleet_paths: Sequence[str]):
    """A scan result with the fleet-outlier findings of its resources added (advisory: never gating),
    and the rule among its rules, so every report that describes its rules (SARIF) describes it."""
    import dataclasses

    rules = result.rules if any(r.id == RULE_ID for r in result.rules) else [*result.rules, fleet_outlier]
    return dataclasses.replace(result, rules=rules,
                               findings=[*result.findings, *fleet_findings(fleet_paths, result.resources)])
