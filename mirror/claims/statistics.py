"""The tests behind the verdicts, each small enough to check by hand: one-sided t-tests that also say
what the opposite direction shows, two one-sided tests of equivalence, Spearman's rho with an exact
permutation p for a handful of runs, the Clopper-Pearson interval of a fraction of seeds, and how
many seeds would decide a test at the observed spread."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from mirror.analysis.permutation import fdr_adjust

MAX_SEEDS = 10_000
"""Beyond this many seeds a test is called undecidable at the observed spread."""
EXACT_RUNS = 8
"""Spearman's p by enumerating every ordering up to this many runs (8! = 40,320)."""


def _constant(values: np.ndarray) -> bool:
    """No spread beyond rounding (0.1 - 0.5 and 0.2 - 0.6 differ in the last bit)."""
    return bool(np.ptp(values) <= 1e-12 * max(1.0, float(np.abs(values).max())))


def one_sided(values: np.ndarray, bound: float = 0.0) -> tuple[float, float]:
    """One-sided p that the mean of ``values`` is above ``bound``, and that it is below it. A constant
    sample is decided by its sign (no spread: the mean is known exactly), unless it differs from the bound by
    rounding alone (an untrained model's slopes of 1e-19): then neither is shown."""
    values = np.asarray(values, dtype=np.float64)
    if _constant(values):
        mean = float(values.mean())
        if abs(mean - bound) <= 1e-12 * max(1.0, abs(bound), float(np.abs(values).max())):  # rounding, not a sign
            return 1.0, 1.0
        return (0.0, 1.0) if mean > bound else (1.0, 0.0)
    greater = float(stats.ttest_1samp(values, bound, alternative="greater").pvalue)
    return greater, float(stats.ttest_1samp(values, bound, alternative="less").pvalue)


def welch(values: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Welch's one-sided p that ``values`` are below ``reference``, and that they are above it."""
    if _constant(values) and _constant(reference):
        difference = values[0] - reference[0]
        return (0.0, 1.0) if difference < 0 else (1.0, 0.0) if difference > 0 else (1.0, 1.0)
    less = float(stats.ttest_ind(values, reference, equal_var=False, alternative="less").pvalue)
    return less, float(stats.ttest_ind(values, reference, equal_var=False, alternative="greater").pvalue)


def equivalence(differences: np.ndarray, margin: float) -> tuple[float, float]:
    """Two one-sided tests: p that the mean difference lies inside (-margin, margin) (the larger of the
    two one-sided p), and p that it lies beyond the margin on either side (the smaller, doubled)."""
    above_low, below_low = one_sided(differences, -margin)
    above_high, below_high = one_sided(differences, margin)
    return max(above_low, below_high), min(1.0, 2 * min(above_high, below_low))


def spearman(factor: np.ndarray, values: np.ndarray) -> tuple[float, float, float, bool]:
    """Spearman's rho, its one-sided p of a decrease and of an increase, and whether they are exact: from every
    ordering of the values up to :data:`EXACT_RUNS` runs (three runs at rho = -1 give 1/6, not 0)."""
    rho = float(stats.spearmanr(factor, values).statistic)
    if len(values) > EXACT_RUNS:
        return (rho, *(float(stats.spearmanr(factor, values, alternative=side).pvalue) for side in ("less", "greater")),
                False)
    x = stats.rankdata(factor)
    x = (x - x.mean()) / np.sqrt(((x - x.mean()) ** 2).sum())

    def rank_correlation(y: np.ndarray, axis: int = -1) -> np.ndarray:
        y = stats.rankdata(y, axis=axis)
        y = y - y.mean(axis=axis, keepdims=True)
        return (y * x).sum(axis=axis) / np.sqrt((y ** 2).sum(axis=axis))

    exact = stats.permutation_test((values,), rank_correlation, permutation_type="pairings", vectorized=True,
                                   n_resamples=math.factorial(len(values)), alternative="less")
    return rho, float(exact.pvalue), float(np.mean(exact.null_distribution >= rho - 1e-12)), True


def seed_slopes(factor: np.ndarray, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Each seed's least-squares slope of the values over the factor (seeds that ran two or more levels)."""
    slopes = []
    for seed in np.unique(seeds):
        mine = seeds == seed
        if np.unique(factor[mine]).size >= 2:
            slopes.append(np.polyfit(factor[mine], values[mine], 1)[0])
    return np.array(slopes)


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    """The exact 95 % binomial interval of k successes in n."""
    result = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    return float(result.low), float(result.high)


def seeds_to_decide(distance: float, sd: float, alpha: float, two_sided_interval: bool = False) -> int | None:
    """The fewest seeds at which a mean ``distance`` from the bound it must clear, at spread ``sd``, would
    clear it (one-sided t at ``alpha``, or a 95 % interval); None when no number of seeds would."""
    if not (np.isfinite(distance) and np.isfinite(sd)) or distance <= 0:
        return None
    if sd == 0:
        return 2
    quantile = 0.975 if two_sided_interval else 1 - alpha
    low, high = 2, MAX_SEEDS
    if stats.t.ppf(quantile, high - 1) * sd / math.sqrt(high) >= distance:
        return None
    while low < high:  # the half-width falls with n: the first n that clears
        middle = (low + high) // 2
        if stats.t.ppf(quantile, middle - 1) * sd / math.sqrt(middle) < distance:
            high = middle
        else:
            low = middle + 1
    return low


def adjust(p_values: list[float]) -> list[float]:
    """Every p on the page adjusted together by Benjamini-Hochberg."""
    return fdr_adjust(np.asarray(p_values, dtype=np.float64), "bh").tolist() if p_values else []
