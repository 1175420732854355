"""The per-feature drift tests, and the rule that picks one, as Evidently defines them.

Evidently (``evidently/legacy/calculations/stattests``, 0.7) picks by the reference size and
the number of distinct values in both windows together:

=====================  ===========================================  ===========================
reference rows         numerical                                    categorical
=====================  ===========================================  ===========================
<= 1000                KS p-value (> 5 values); chi-square (3-5);   chi-square (> 2 values);
                       two-proportion z (<= 2)                      z (<= 2)
> 1000                 Wasserstein normed by the reference std      Jensen-Shannon distance
                       (> 5 values); Jensen-Shannon (<= 5)
=====================  ===========================================  ===========================

with Evidently's default thresholds (p-values 0.05, distances 0.1) and comparisons (KS drifts
when p <= 0.05, chi-square and z when p < 0.05, distances when >= 0.1).  PSI (0.1) is computed
alongside every test.  Binning for Jensen-Shannon and PSI follows Evidently too: a numerical
feature with more than 20 reference values is cut into Sturges bins over both windows, anything
else is counted per value.

Every statistic works on a `Sample`: sorted finite values (numerical) or per-category counts
aligned over both windows (categorical), so each test is a handful of vectorised numpy passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

SMALL_REFERENCE = 1000  # Evidently: "reference_data.shape[0] <= 1000" selects the small-sample tests
FEW_VALUES = 5  # at most this many distinct values: a numerical feature is tested as counts
BINNED_ABOVE = 20  # more distinct reference values than this: Sturges bins for JS and PSI


@dataclass(frozen=True)
class StatTest:
    name: str  # Evidently's name for the test, so configurations carry over
    title: str
    default_threshold: float
    p_value: bool  # a p-value (drift when small) or a distance (drift when large)
    inclusive: bool = False  # a p-value test that also drifts at p == threshold (KS)

    def drifted(self, statistic: float, threshold: float) -> bool:
        if self.p_value:
            return bool(statistic <= threshold if self.inclusive else statistic < threshold)
        return bool(statistic >= threshold)


KS = StatTest("ks", "K-S p_value", 0.05, p_value=True, inclusive=True)
CHISQUARE = StatTest("chisquare", "chi-square p_value", 0.05, p_value=True)
Z = StatTest("z", "Z-test p_value", 0.05, p_value=True)
WASSERSTEIN = StatTest("wasserstein", "Wasserstein distance (normed)", 0.1, p_value=False)
JENSENSHANNON = StatTest("jensenshannon", "Jensen-Shannon distance", 0.1, p_value=False)
PSI = StatTest("psi", "PSI", 0.1, p_value=False)
TESTS: Mapping[str, StatTest] = {t.name: t for t in (KS, CHISQUARE, Z, WASSERSTEIN, JENSENSHANNON, PSI)}


@dataclass(frozen=True)
class Sample:
    """One feature in both windows, missing and infinite values dropped.

    Numerical: ``reference`` and ``current`` are the sorted values.  Categorical: they are
    counts per category, aligned (index i is the same category in both).
    """

    kind: str  # "num" | "cat"
    reference: np.ndarray
    current: np.ndarray

    @property
    def sizes(self) -> tuple[int, int]:
        if self.kind == "num":
            return len(self.reference), len(self.current)
        return int(self.reference.sum()), int(self.current.sum())

    @cached_property
    def distinct(self) -> tuple[int, int]:
        """Distinct values in each window (a test choice and the binning both ask)."""
        if self.kind == "cat":
            return int(np.count_nonzero(self.reference)), int(np.count_nonzero(self.current))
        return distinct_sorted(self.reference), distinct_sorted(self.current)


def _finite(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    return values if finite.all() else values[finite]


#: Larger magnitudes are scaled down (by one power of two for both windows) before testing: a
#: standard deviation or range of values near 1e308 overflows to inf, and a test on inf says "no drift".
RESCALE_ABOVE = 2.0**500


def numeric_sample(reference: np.ndarray, current: np.ndarray) -> Sample:
    ref, cur = np.sort(_finite(reference)), np.sort(_finite(current))
    ends = [abs(float(x)) for x in (*ref[:1], *ref[-1:], *cur[:1], *cur[-1:])]
    if ends and max(ends) > RESCALE_ABOVE:
        # exact (a power of two) and the same for both windows: ranks, shares per bin and the
        # Wasserstein distance in reference standard deviations are unchanged
        exponent = np.frexp(max(ends))[1]
        ref, cur = np.ldexp(ref, -exponent), np.ldexp(cur, -exponent)
    return Sample("num", ref, cur)


def distinct_sorted(values: np.ndarray) -> int:
    return int(np.count_nonzero(np.diff(values))) + 1 if len(values) else 0


def value_counts(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """Counts per distinct value over both windows (keys sorted for numbers)."""
    if sample.kind == "cat":
        return sample.reference, sample.current
    keys = np.union1d(np.unique(sample.reference), np.unique(sample.current))
    return _counts(sample.reference, keys), _counts(sample.current, keys)


def _counts(sorted_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    return np.searchsorted(sorted_values, keys, "right") - np.searchsorted(sorted_values, keys, "left")


def distinct_both(sample: Sample, up_to: int = FEW_VALUES) -> int:
    """Distinct values in both windows together, exact up to ``up_to`` (a larger number else)."""
    if sample.kind == "cat":
        return int(np.count_nonzero((sample.reference + sample.current) > 0))
    n_ref, n_cur = sample.distinct
    if n_ref > up_to or n_cur > up_to:
        return max(n_ref, n_cur)
    return len(np.union1d(np.unique(sample.reference), np.unique(sample.current)))


def choose(sample: Sample) -> StatTest:
    """Evidently's default test for this feature (``_get_default_stattest``)."""
    n_values = distinct_both(sample)
    small = sample.sizes[0] <= SMALL_REFERENCE
    if sample.kind == "num":
        if small:
            if n_values <= FEW_VALUES:
                return CHISQUARE if n_values > 2 else Z
            return KS
        return JENSENSHANNON if n_values <= FEW_VALUES else WASSERSTEIN
    if small:
        return CHISQUARE if n_values > 2 else Z
    return JENSENSHANNON


def statistic(test: StatTest, sample: Sample) -> float:
    return float(_STATISTICS[test.name](sample))


def _ks(sample: Sample) -> float:
    from scipy.stats import ks_2samp

    return ks_2samp(sample.reference, sample.current).pvalue


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """First Wasserstein distance of two sorted samples (what ``scipy.stats.wasserstein_distance``
    gives, which Evidently calls), without merging them.

    W1 is the integral over quantile levels t of |Q_u(t) − Q_v(t)|; the quantile functions are
    steps, at levels i/n and j/m.  With n ≥ m every u-step (i/n, (i+1)/n] lies within at most two
    v-steps, so W1 is a sum over the n u-steps of two lengths × two gaps (lengths kept exact in
    integers scaled by n·m).  Equal sizes are the special case of one v-step each: the mean gap.
    """
    n, m = len(u), len(v)
    if n == m:
        return float(np.abs(u - v).mean())
    if m > n:
        u, v, n, m = v, u, m, n
    start = np.arange(n, dtype=np.int64) * m  # u-step i starts at level i·m / (n·m)
    j = start // n  # the v-step that holds its start
    inside = np.minimum((j + 1) * n - start, m)  # its length inside v-step j; the rest (m − inside) is in j + 1
    near = np.abs(u - v[j])
    far = np.abs(u - v[np.minimum(j + 1, m - 1)])
    return (float(inside @ near) + float((m - inside) @ far)) / (n * m)


def _wasserstein(sample: Sample) -> float:
    norm = max(float(np.std(sample.reference)), 0.001)
    return wasserstein_sorted(sample.reference, sample.current) / norm


def _chisquare(sample: Sample) -> float:
    from scipy.stats import chisquare

    ref, cur = value_counts(sample)
    keep = (ref + cur) > 0
    ref, cur = ref[keep], cur[keep]
    expected = ref * (cur.sum() / ref.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        return chisquare(cur, expected).pvalue


def _z(sample: Sample) -> float:
    from scipy.stats import norm

    ref, cur = value_counts(sample)
    present = np.flatnonzero((ref + cur) > 0)
    if len(present) == 1 or (np.count_nonzero(ref) == 1 and np.count_nonzero(cur) == 1
                             and np.argmax(ref) == np.argmax(cur)):
        return 1.0
    first = present[0]  # Evidently codes the first (sorted) value 0 and the rest 1
    n1, n2 = int(ref.sum()), int(cur.sum())
    p1, p2 = (n1 - ref[first]) / n1, (n2 - cur[first]) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - norm.cdf(np.abs(z))))


def binned_shares(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """Each window's share per bin: Sturges bins over both windows for a numerical feature
    with more than 20 reference values, else per value (Evidently's ``get_binned_data``)."""
    n_ref, n_cur = sample.sizes
    if sample.kind == "num" and sample.distinct[0] > BINNED_ABOVE:
        edges = sturges_edges(sample.reference, sample.current)
        ref, cur = _binned(sample.reference, edges), _binned(sample.current, edges)
    else:
        ref, cur = value_counts(sample)
        keep = (ref + cur) > 0
        ref, cur = ref[keep], cur[keep]
    return ref / n_ref, cur / n_cur


def sturges_edges(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``np.histogram_bin_edges(concatenate([u, v]), "sturges")`` for sorted ``u`` and ``v``,
    read off their ends instead of concatenating: numpy's documented Sturges width
    ``ptp / (log2(size) + 1)``, ``ceil(ptp / width)`` equal bins between the extremes."""
    first, last = min(u[0], v[0]), max(u[-1], v[-1])
    if first == last:  # numpy widens a zero range by 0.5 each side, into one bin
        return np.histogram_bin_edges(np.array([first]), bins=1)
    ptp = np.subtract(last, first)
    width = ptp / (np.log2(len(u) + len(v)) + 1.0)
    return np.linspace(first, last, int(np.ceil(ptp / width)) + 1, endpoint=True)


def _binned(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """np.histogram's counts (half-open bins, the last closed) read off the sorted values."""
    at = np.searchsorted(sorted_values, edges, "left")
    at[-1] = len(sorted_values)
    return np.diff(at)


def _fill_zeros(shares: np.ndarray) -> np.ndarray:
    shares = shares.astype(np.float64, copy=True)
    smallest = shares[shares != 0].min()
    shares[shares == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return shares


def _jensenshannon(sample: Sample) -> float:
    from scipy.spatial.distance import jensenshannon

    ref, cur = binned_shares(sample)
    return jensenshannon(ref, cur)


def _psi(sample: Sample) -> float:
    ref, cur = binned_shares(sample)
    ref, cur = _fill_zeros(ref), _fill_zeros(cur)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


_STATISTICS = {"ks": _ks, "chisquare": _chisquare, "z": _z, "wasserstein": _wasserstein,
               "jensenshannon": _jensenshannon, "psi": _psi}


def allowed(test: StatTest, kind: str) -> bool:
    """Whether a test can run on a feature of ``kind`` (KS and Wasserstein need numbers)."""
    return kind == "num" or test.name not in ("ks", "wasserstein")
