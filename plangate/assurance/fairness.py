"""Group fairness of a binary classifier's decisions, as Fairlearn defines the metrics.

Every metric here is a function of four counts per group — true / false positives and
negatives — so the data is reduced once, by one ``bincount`` over (group, label, prediction)
cells, and everything else (rates, differences, ratios, bootstrap intervals) is arithmetic
on a small ``groups × 4`` table:

* selection rate ``P(ŷ=1 | g)``; demographic parity difference ``max − min`` and ratio
  ``min / max`` of it across groups (Fairlearn's ``between_groups``);
* true and false positive rates (0 for a group with no actual positives / negatives, as
  scikit-learn's normalised confusion matrix gives); equal opportunity difference (TPR
  ``max − min``); equalized odds difference (the larger of the TPR and FPR differences,
  Fairlearn's ``worst_case``);
* disparate impact: each group's selection rate over the most selected group's, and the
  four-fifths rule (the demographic parity ratio at least 0.8).

Groups are the observed combinations of every sensitive column (intersectional, as
Fairlearn's ``MetricFrame`` forms them from several columns).  Groups smaller than
``min_group_size`` are left out of the comparisons and never named.  Bootstrap intervals
resample rows with replacement: a resample of ``n`` rows is a multinomial draw of the cell
counts, so ``B`` resamples cost ``B`` draws over ``4·groups`` cells, not ``B·n`` row picks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from plangate.errors import PlangateError

FOUR_FIFTHS = 0.8
#: A sensitive column with more distinct values than both of these is an identifier, refused.
IDENTIFIER_DISTINCT, IDENTIFIER_SHARE = 50, 0.5
MIN_GROUP_SIZE = 30  # the usual rule of thumb for a proportion's normal approximation
METRICS = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
           "equal_opportunity_difference")
_TN, _FP, _FN, _TP = range(4)  # cell = 2·label + prediction


@dataclass(frozen=True)
class Cells:
    """Counts per group: ``counts[g] = (TN, FP, FN, TP)``; ``groups[g]`` the group's values."""

    columns: tuple[str, ...]
    groups: list[tuple[Any, ...]]
    counts: np.ndarray  # (groups, 4) int64


def cells(labels: np.ndarray, predictions: np.ndarray, codes: Sequence[np.ndarray],
          values: Sequence[Sequence[Any]], columns: Sequence[str]) -> Cells:
    """Reduce rows to per-group confusion counts.

    ``labels`` and ``predictions`` are 0/1 arrays; ``codes[i]`` the integer code of sensitive
    column ``i`` per row (``values[i][code]`` its value).
    """
    key = np.zeros(len(labels), dtype=np.int64)
    for c, vals in zip(codes, values, strict=True):
        key = key * len(vals) + c
    observed, group = np.unique(key, return_inverse=True)
    cell = group * 4 + labels.astype(np.int64) * 2 + predictions.astype(np.int64)
    counts = np.bincount(cell, minlength=4 * len(observed)).reshape(-1, 4)
    groups = []
    for k in observed.tolist():
        parts = []
        for vals in reversed(values):
            k, c = divmod(k, len(vals))
            parts.append(vals[c])
        groups.append(tuple(reversed(parts)))
    return Cells(tuple(columns), groups, counts)


def rates(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per-group sizes and rates from ``(..., groups, 4)`` counts (any leading batch axes)."""
    tn, fp, fn, tp = (counts[..., i].astype(np.float64) for i in range(4))
    size = tn + fp + fn + tp
    positives, negatives = tp + fn, tn + fp
    with np.errstate(divide="ignore", invalid="ignore"):
        selection = np.where(size > 0, (tp + fp) / size, np.nan)
        tpr = np.where(positives > 0, tp / positives, np.where(size > 0, 0.0, np.nan))
        fpr = np.where(negatives > 0, fp / negatives, np.where(size > 0, 0.0, np.nan))
        base = np.where(size > 0, positives / size, np.nan)
    return {"size": size, "selection_rate": selection, "true_positive_rate": tpr,
            "false_positive_rate": fpr, "base_rate": base}


def disparities(r: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The comparisons across groups (the last axis) of `rates`' output."""
    def spread(x: np.ndarray) -> np.ndarray:
        return np.nanmax(x, axis=-1) - np.nanmin(x, axis=-1)

    sel = r["selection_rate"]
    top = np.nanmax(sel, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(top > 0, np.nanmin(sel, axis=-1) / top, np.nan)
    tpr_gap, fpr_gap = spread(r["true_positive_rate"]), spread(r["false_positive_rate"])
    return {"demographic_parity_difference": spread(sel), "demographic_parity_ratio": ratio,
            "equalized_odds_difference": np.maximum(tpr_gap, fpr_gap), "equal_opportunity_difference": tpr_gap}


@dataclass(frozen=True)
class FairnessOptions:
    min_group_size: int = MIN_GROUP_SIZE
    bootstrap: int = 1000  # resamples for the intervals; 0: none
    confidence: float = 0.95
    seed: int = 0
    four_fifths: float = FOUR_FIFTHS

    def __post_init__(self) -> None:
        if self.min_group_size < 1:
            raise PlangateError(f"the minimum group size must be at least 1, got {self.min_group_size}")
        if not 0 <= self.bootstrap <= 100_000:
            raise PlangateError(f"bootstrap resamples must be between 0 and 100000, got {self.bootstrap}")
        if not 0 < self.confidence < 1:
            raise PlangateError(f"the confidence level must be between 0 and 1, got {self.confidence}")
        if not 0 < self.four_fifths <= 1:
            raise PlangateError(f"the disparate-impact threshold must be in (0, 1], got {self.four_fifths}")


def _number(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def assess(data: Cells, options: FairnessOptions | None = None) -> dict[str, Any]:
    """The fairness report of `Cells`: per group, and compared across the groups big enough."""
    options = options or FairnessOptions()
    size = data.counts.sum(axis=1)
    kept = size >= options.min_group_size
    if kept.sum() < 2:
        raise PlangateError(f"fewer than two groups have at least {options.min_group_size} rows "
                            f"({int(kept.sum())} do): nothing to compare (see --min-group-size)")
    counts = data.counts[kept]
    r = rates(counts)
    d = disparities(r)
    top = np.nanmax(r["selection_rate"])
    intervals = _bootstrap(counts, options) if options.bootstrap else None
    groups = []
    for i, g in enumerate(np.flatnonzero(kept)):
        row: dict[str, Any] = {"group": dict(zip(data.columns, data.groups[g], strict=True)),
                               "size": int(size[g])}
        for name in ("selection_rate", "true_positive_rate", "false_positive_rate", "base_rate"):
            row[name] = _number(r[name][i])
        row["disparate_impact"] = _number(r["selection_rate"][i] / top) if top > 0 else None
        if intervals is not None:
            row["ci"] = {name: intervals["groups"][name][i] for name in intervals["groups"]}
        groups.append(row)
    ratio = _number(d["demographic_parity_ratio"])
    report: dict[str, Any] = {
        "sensitive": list(data.columns),
        "rows": int(size.sum()),
        "min_group_size": options.min_group_size,
        "groups": groups,
        "suppressed_groups": int((~kept).sum()),
        "suppressed_rows": int(size[~kept].sum()),
        **{name: _number(d[name]) for name in METRICS},
        "disparate_impact": ratio,
        "four_fifths_rule": {"threshold": options.four_fifths,
                             "passed": ratio is not None and ratio >= options.four_fifths},
    }
    if intervals is not None:
        report["confidence_intervals"] = {"level": options.confidence, "resamples": options.bootstrap,
                                          "seed": options.seed, **intervals["overall"]}
    return report


def _bootstrap(counts: np.ndarray, options: FairnessOptions) -> dict[str, Any]:
    rng = np.random.default_rng(options.seed)
    n = int(counts.sum())
    draws = rng.multinomial(n, (counts / n).ravel(), size=options.bootstrap).reshape(-1, *counts.shape)
    r = rates(draws)
    d = disparities(r)
    lo, hi = (1 - options.confidence) / 2, 1 - (1 - options.confidence) / 2

    def interval(x: np.ndarray) -> np.ndarray:
        import warnings

        with warnings.catch_warnings():  # a rate no resample defines (a group without positives): None
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanquantile(x, [lo, hi], axis=0)

    groups = {}
    for name in ("selection_rate", "true_positive_rate", "false_positive_rate"):
        q = interval(r[name])
        groups[name] = [[_number(q[0, i]), _number(q[1, i])] for i in range(counts.shape[0])]
    overall = {}
    for name in METRICS:
        q = interval(d[name])
        overall[name] = [_number(q[0]), _number(q[1])]
    return {"groups": groups, "overall": overall}


def by_feature(data: Cells, options: FairnessOptions | None = None) -> dict[str, dict[str, Any]]:
    """The comparisons for each sensitive column alone (its groups merged over the others)."""
    options = options or FairnessOptions()
    out = {}
    for i, column in enumerate(data.columns):
        values = list(dict.fromkeys(g[i] for g in data.groups))
        index = {v: k for k, v in enumerate(values)}
        merged = np.zeros((len(values), 4), dtype=np.int64)
        np.add.at(merged, [index[g[i]] for g in data.groups], data.counts)
        single = Cells((column,), [(v,) for v in values], merged)
        rep = assess(single, FairnessOptions(options.min_group_size, 0, options.confidence, options.seed,
                                             options.four_fifths))
        out[column] = {k: rep[k] for k in (*METRICS, "disparate_impact", "four_fifths_rule", "suppressed_groups")}
    return out


def binary(column: Any, name: str, source: str, positive: str | None = None,
           threshold: float | None = None) -> np.ndarray:
    """A label or decision column as 0/1 (nulls as -1, for the caller to drop).

    ``threshold``: numbers at or above it are positive.  ``positive``: the value that counts
    as positive (compared as text for strings, as a number for numbers).  Neither: booleans,
    or numbers that are all 0 or 1.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from plangate.errors import InputError

    col = column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
    numeric = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
    null = np.asarray(col.is_null().to_numpy(zero_copy_only=False))
    if threshold is not None:
        if not numeric:
            raise InputError(source, f"{name}: a threshold needs numbers, the column holds {col.type}")
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        out = np.where(np.nan_to_num(values, nan=-np.inf) >= threshold, 1, 0)
    elif positive is not None:
        if numeric:
            try:
                target = float(positive)
            except ValueError:
                raise InputError(source, f"{name}: --positive {positive!r} is not a number, "
                                         "and the column holds numbers") from None
            out = (pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False) == target).astype(np.int64)
        else:
            out = np.asarray(pc.equal(pc.cast(col, pa.string()), positive).fill_null(False)
                             .to_numpy(zero_copy_only=False)).astype(np.int64)
    elif pa.types.is_boolean(col.type):
        out = np.asarray(col.fill_null(False).to_numpy(zero_copy_only=False)).astype(np.int64)
    elif numeric:
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        valid = values[~null]
        if not np.isin(valid, (0.0, 1.0)).all():
            raise InputError(source, f"{name}: expected 0/1 values (or give --positive, or a threshold "
                                     "for scores)")
        out = np.nan_to_num(values, nan=0).astype(np.int64)
    else:
        raise InputError(source, f"{name}: holds text; say which value is positive with --positive")
    out = np.asarray(out, dtype=np.int64)
    out[null] = -1
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def from_columns(source: str, y_true: Any, y_pred: Any, sensitive: dict[str, Any], *,
                 positive: str | None = None, pred_positive: str | None = None,
                 pred_threshold: float | None = None) -> tuple[Cells, int]:
    """`Cells` from Arrow columns, and how many rows were dropped for a missing value.

    ``pred_positive`` defaults to ``positive`` — unless that is text and the decisions are
    numbers (labels ``>50K`` / ``<=50K``, decisions 0 / 1).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from plangate.errors import InputError

    labels = binary(y_true, "y_true", source, positive)
    if pred_positive is None and positive is not None:
        numeric = pa.types.is_integer(y_pred.type) or pa.types.is_floating(y_pred.type)
        pred_positive = positive if _is_number(positive) or not numeric else None
    predictions = binary(y_pred, "y_pred", source, pred_positive, pred_threshold)
    if not (labels == 1).any() and not (predictions == 1).any():
        # every rate would be 0 and every comparison vacuous: a misspelt --positive, most likely
        said = (f"no value equals --positive {positive!r}" if positive is not None
                else "no label or decision is positive")
        raise InputError(source, f"y_true and y_pred: {said}, so there is nothing to compare "
                                 "(check --positive / --pred-positive / --y-pred-threshold)")
    keep = (labels >= 0) & (predictions >= 0)
    codes, values = [], []
    for name, col in sensitive.items():
        col = col.dictionary_decode() if pa.types.is_dictionary(col.type) else col
        encoded = pc.dictionary_encode(col).combine_chunks()
        distinct = len(encoded.dictionary)
        if distinct > IDENTIFIER_DISTINCT and distinct > IDENTIFIER_SHARE * len(encoded):
            # names, dates of birth, ids: not a group attribute, and its values are personal data
            raise InputError(source, f"--sensitive {name!r} has {distinct} distinct values in {len(encoded)} "
                                     "rows: it identifies people rather than groups, and is not used")
        keep &= ~np.asarray(encoded.is_null().to_numpy(zero_copy_only=False))
        codes.append(encoded.indices.to_numpy(zero_copy_only=False))
        values.append(encoded.dictionary.to_pylist())
    if not keep.any():
        raise InputError(source, "no row has a label, a decision and every sensitive value")
    codes = [np.asarray(c)[keep].astype(np.int64) for c in codes]
    return cells(labels[keep], predictions[keep], codes, values, list(sensitive)), int((~keep).sum())
