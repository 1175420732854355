"""Data and prediction drift between a reference and a current window.

Each feature is typed as Evidently types it (floats numerical; integers categorical when they
take at most 10 values; strings categorical unless more than half are distinct, which is free
text and skipped; booleans categorical; dates skipped), tested with the test
`stattests.choose` picks (or the one configured), and judged against its threshold.  The
dataset drifts when the share of drifted features reaches ``drift_share`` (Evidently's 0.5).
Prediction columns are tested the same way and reported apart from the features.

>>> import numpy as np, pyarrow as pa
>>> ref = {"x": pa.chunked_array([np.arange(2000.0)])}
>>> report = detect(ref, {"x": pa.chunked_array([np.arange(2000.0) + 1500])})
>>> report.features[0].test, report.features[0].drifted, report.dataset_drift
('wasserstein', True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from plangate.assurance import stattests
from plangate.errors import PlangateError

if TYPE_CHECKING:
    import pyarrow as pa

DRIFT_SHARE = 0.5  # Evidently's DataDriftPreset default
#: A window with fewer values of a feature than this tells nothing about its distribution: the
#: feature is skipped (and with every feature skipped, the command fails rather than say "no drift").
MIN_VALUES = 10
#: A text column whose values are all numbers but at most this share (and at least one) is a numeric
#: column with a typo, refused: read as text it would be "free text" and silently not tested.
NUMERIC_TYPO_SHARE = 0.01
INTEGER_CARDINALITY_LIMIT = 10  # Evidently: integer columns with this few values are categorical


@dataclass(frozen=True)
class DriftOptions:
    """What to test and how; ``None`` keeps Evidently's choice and default threshold."""

    method: str | None = None  # one test for every feature
    num_method: str | None = None
    cat_method: str | None = None
    threshold: float | None = None
    per_feature_method: Mapping[str, str] = field(default_factory=dict)
    per_feature_threshold: Mapping[str, float] = field(default_factory=dict)
    drift_share: float = DRIFT_SHARE

    def __post_init__(self) -> None:
        methods = [self.method, self.num_method, self.cat_method, *self.per_feature_method.values()]
        for name in methods:
            if name is not None and name not in stattests.TESTS:
                raise PlangateError(f"unknown drift test {name!r} (choose from {', '.join(stattests.TESTS)})")
        if not 0 <= self.drift_share <= 1:
            raise PlangateError(f"drift share must be between 0 and 1, got {self.drift_share}")
        thresholds = [self.threshold, *self.per_feature_threshold.values()]
        if any(t is not None and (not np.isfinite(t) or t < 0) for t in thresholds):
            raise PlangateError("a drift threshold must be a finite number >= 0")


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # num | cat
    test: str
    statistic: float
    threshold: float
    drifted: bool
    psi: float
    reference_rows: int
    current_rows: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "test": self.test, "statistic": _json_number(self.statistic),
                "threshold": self.threshold, "drifted": self.drifted, "psi": _json_number(self.psi),
                "reference_rows": self.reference_rows, "current_rows": self.current_rows}


@dataclass(frozen=True)
class DriftReport:
    features: list[FeatureDrift]
    predictions: list[FeatureDrift]
    skipped: list[tuple[str, str]]  # (column, why)
    drift_share: float

    @property
    def drifted_features(self) -> int:
        return sum(f.drifted for f in self.features)

    @property
    def share_drifted(self) -> float:
        return self.drifted_features / len(self.features) if self.features else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.features) and self.share_drifted >= self.drift_share

    @property
    def prediction_drift(self) -> bool:
        return any(p.drifted for p in self.predictions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": [f.as_dict() for f in self.features],
            "dataset_drift": self.dataset_drift,
            "drift_share_threshold": self.drift_share,
            "share_of_drifted_features": self.share_drifted,
            "number_of_drifted_features": self.drifted_features,
            "number_of_features": len(self.features),
            "prediction_drift": self.prediction_drift,
            "predictions": [p.as_dict() for p in self.predictions],
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
        }


def _json_number(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def column_kind(ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> str | None:
    """``num``, ``cat``, or None with the column skipped (text, dates, nested or unknown)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = ref.type
    numbers = (pa.types.is_integer, pa.types.is_floating)
    if t != cur.type and any(f(t) for f in numbers) and any(f(cur.type) for f in numbers):
        return "num"  # integers in one window, floats in the other (an inf, a gap): numbers either way
    if pa.types.is_dictionary(t) or pa.types.is_boolean(t):
        return "cat"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "num"
    if pa.types.is_integer(t):
        if ref.null_count or cur.null_count:  # pandas reads an integer column with gaps as float
            return "num"
        counts = _small_int_counts(ref, cur)
        if counts is not None:
            distinct = int(np.count_nonzero(counts[0] + counts[1]))
        else:
            chunks = ref.chunks + (cur.chunks if cur.type == t else [c.cast(t, safe=False) for c in cur.chunks])
            distinct = pc.count_distinct(pa.chunked_array(chunks, type=t)).as_py()
        return "cat" if distinct <= INTEGER_CARDINALITY_LIMIT else "num"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        valid = len(ref) - ref.null_count
        return "cat" if valid and pc.count_distinct(ref).as_py() <= valid * 0.5 else None
    return None


_SMALL_RANGE = 1 << 16


def _small_int_counts(ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """Counts per value of two null-free integer columns spanning a small range (one bincount
    each, no hashing), aligned; None when they are not such columns."""
    import pyarrow as pa

    if not (pa.types.is_integer(ref.type) and pa.types.is_integer(cur.type)) or ref.null_count or cur.null_count:
        return None
    r, c = ref.to_numpy(), cur.to_numpy()
    if not len(r) or not len(c):
        return None
    lo, hi = min(int(r.min()), int(c.min())), max(int(r.max()), int(c.max()))
    if hi - lo >= _SMALL_RANGE:
        return None
    return np.bincount(r - lo, minlength=hi - lo + 1), np.bincount(c - lo, minlength=hi - lo + 1)


def _skip_reason(ref: pa.ChunkedArray) -> str:
    import pyarrow as pa

    t = ref.type
    if pa.types.is_null(t):
        return "no values in the reference window"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "free text (more than half the values are distinct)"
    if pa.types.is_temporal(t):
        return "a date or time"
    return f"values of type {t} are not tested"


def sample(kind: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> stattests.Sample:
    """The feature in both windows as `stattests.Sample` (nulls dropped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "num":
        def values(col: pa.ChunkedArray) -> np.ndarray:
            col = pc.cast(col, pa.float64()) if not pa.types.is_float64(col.type) else col
            return col.to_numpy()  # nulls become NaN and are dropped with the infinities

        return stattests.numeric_sample(values(ref), values(cur))
    counts = _small_int_counts(ref, cur)
    if counts is not None:
        return stattests.Sample("cat", *counts)
    chunks = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in (*ref.chunks, *cur.chunks)]
    if len({c.type for c in chunks}) > 1:  # e.g. integers in one window, strings in the other
        chunks = [c.cast(pa.string()) for c in chunks]
    both = pa.chunked_array(chunks)
    codes = pc.dictionary_encode(both).combine_chunks()
    indices = codes.indices.to_numpy(zero_copy_only=False)
    valid = ~np.asarray(codes.is_null().to_numpy(zero_copy_only=False))
    split = len(ref)
    k = len(codes.dictionary)
    ref_codes = indices[:split][valid[:split]].astype(np.int64)
    cur_codes = indices[split:][valid[split:]].astype(np.int64)
    return stattests.Sample("cat", np.bincount(ref_codes, minlength=k), np.bincount(cur_codes, minlength=k))


def _method(name: str, kind: str, options: DriftOptions, smp: stattests.Sample) -> stattests.StatTest:
    chosen = (options.per_feature_method.get(name) or options.method
              or (options.num_method if kind == "num" else options.cat_method))
    if chosen is None:
        return stattests.choose(smp)
    test = stattests.TESTS[chosen]
    if not stattests.allowed(test, kind):
        raise PlangateError(f"{name}: the {test.name} test needs a numerical feature, and {name} is categorical")
    return test


def judge_feature(name: str, kind: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray,
                 options: DriftOptions) -> FeatureDrift | str:
    """One feature's verdict, or why it cannot be tested."""
    smp = sample(kind, ref, cur)
    n_ref, n_cur = smp.sizes
    if n_ref == 0 or n_cur == 0:
        return "no values in the " + ("reference" if n_ref == 0 else "current") + " window"
    if min(n_ref, n_cur) < MIN_VALUES:
        which = "reference" if n_ref < MIN_VALUES else "current"
        few = min(n_ref, n_cur)
        return f"only {few} value{'s' if few != 1 else ''} in the {which} window (a test needs {MIN_VALUES})"
    test = _method(name, kind, options, smp)
    threshold = options.per_feature_threshold.get(name, options.threshold)
    if threshold is None:
        threshold = test.default_threshold
    with np.errstate(all="ignore"):  # a degenerate window gives NaN, judged just below
        value = stattests.statistic(test, smp)
        psi = stattests.statistic(stattests.PSI, smp)
    if not np.isfinite(value):
        return f"the {test.name} statistic is undefined on these values"
    return FeatureDrift(name, kind, test.name, value, float(threshold), test.drifted(value, threshold), psi,
                        n_ref, n_cur)


def numeric_typo(col: pa.ChunkedArray) -> int | None:
    """The index of the first value of a text column that is not a number when (nearly) all the
    others are — a numeric column with a typo; None for a column that is not text or not numbers."""
    import pyarrow as pa

    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return None
    import pandas as pd

    text = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    present = text.notna().to_numpy()
    numbers = pd.to_numeric(text.where(present), errors="coerce").to_numpy(dtype=float)
    bad = present & ~np.isfinite(numbers)
    count, valid = int(bad.sum()), int(present.sum())
    if count == 0 or count == valid or count > NUMERIC_TYPO_SHARE * valid:
        return None
    return int(np.argmax(bad))


def _check_numeric_text(name: str, columns: Sequence[pa.ChunkedArray], sources: Sequence[str]) -> None:
    from plangate.errors import InputError

    for col, source in zip(columns, sources, strict=True):
        at = numeric_typo(col)
        if at is not None:  # the value itself is not shown: a cell may hold personal data
            raise InputError(source, f"column {name!r}, row {at + 1}: not a number, while the column's other "
                                     "values are (fix the value, or leave the column out with --exclude)")
    import pyarrow as pa

    def kind(col: pa.ChunkedArray) -> str:
        t = col.type
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            return "numbers"
        return "text" if pa.types.is_string(t) or pa.types.is_large_string(t) else "other"

    kinds = [kind(c) for c in columns]
    if sorted(kinds) == ["numbers", "text"]:
        raise InputError(sources[kinds.index("text")], f"column {name!r} holds text here but numbers in "
                                                       f"{sources[kinds.index('numbers')]} (leave it out with "
                                                       "--exclude, or fix the values)")


def detect(reference: Mapping[str, pa.ChunkedArray], current: Mapping[str, pa.ChunkedArray], *,
           features: Sequence[str] | None = None, predictions: Sequence[str] = (),
           options: DriftOptions | None = None, sources: Sequence[str] = ("reference", "current")) -> DriftReport:
    """Drift of ``features`` (default: every column both windows share, predictions apart).

    ``sources`` name the two windows in errors (their files)."""
    options = options or DriftOptions()
    if features is None:
        features = [c for c in reference if c in current and c not in predictions]
    results: dict[str, list[FeatureDrift]] = {"features": [], "predictions": []}
    skipped: list[tuple[str, str]] = []
    for group, names in (("features", features), ("predictions", predictions)):
        for name in names:
            ref, cur = reference[name], current[name]
            _check_numeric_text(name, (ref, cur), sources)
            kind = column_kind(ref, cur)
            if kind is None:
                skipped.append((name, _skip_reason(ref)))
                continue
            outcome = judge_feature(name, kind, ref, cur, options)
            if isinstance(outcome, str):
                skipped.append((name, outcome))
            else:
                results[group].append(outcome)
    return DriftReport(results["features"], results["predictions"], skipped, options.drift_share)
