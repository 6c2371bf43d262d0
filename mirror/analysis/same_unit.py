"""The same-unit null (docs/measures.md 3.1): is a unit a mirror of *itself*?

The sequence-shuffle null asks whether a unit's perform and observe activity follow the
same action history; with matched pairing any two action-driven units do. This test asks
instead whether unit u's perform activity correlates more with its own observe activity
than with the other units'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SameUnitResult:
    """Per-unit one-sided p-values (U,), and the population statistic D with its null."""

    p: np.ndarray
    """p_u = (1 + #{v != u: C[u,v] >= C[u,u]} + #{v != u: C[v,u] >= C[u,u]}) / (1 + 2 (U - 1))."""
    statistic: float
    """D = mean_u C[u,u] - mean_{u != v} C[u,v]."""
    null: np.ndarray
    """D with the observe units' labels permuted, (n_permutations,)."""

    @property
    def p_population(self) -> float:
        """One-sided p of D against its null, with the +1 correction."""
        return float((1 + np.sum(self.null >= self.statistic)) / (len(self.null) + 1))


def same_unit_p(c: np.ndarray) -> np.ndarray:
    """Each unit's one-sided p, (U,) from C (U, U): how many of the other units' correlations with it, in either
    mode, reach its own, +1 corrected. The smallest p is 1 / (2U - 1): with fewer than 11 units none is below 0.05."""
    n_units = c.shape[0]
    own = np.diag(c)
    others = ~np.eye(n_units, dtype=bool)
    beaten_in_row = ((c >= own[:, None]) & others).sum(axis=1)  # u's perform vs other units' observe
    beaten_in_column = ((c >= own[None, :]) & others).sum(axis=0)  # other units' perform vs u's observe
    return (1 + beaten_in_row + beaten_in_column) / (1 + 2 * (n_units - 1))


def same_unit_test(correlations: np.ndarray, n_permutations: int, rng: np.random.Generator) -> SameUnitResult:
    """``correlations``: C[u, v] = r(perform unit u, observe unit v), (U, U) with U >= 2."""
    c = np.asarray(correlations, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 2:
        raise ValueError(f"correlations must be a square matrix over at least two units, got shape {c.shape}")
    if n_permutations < 1:
        raise ValueError("need at least one permutation")
    n_units = c.shape[0]
    p = same_unit_p(c)
    total = c.sum()

    def statistic(trace: np.ndarray | float) -> np.ndarray | float:
        return trace / n_units - (total - trace) / (n_units * (n_units - 1))

    # Permuting the observe units' labels moves the diagonal to C[u, pi(u)] and keeps the total.
    permutations = np.argsort(rng.random((n_permutations, n_units)), axis=1)
    null = statistic(c[np.arange(n_units), permutations].sum(axis=1))
    return SameUnitResult(p=p, statistic=float(statistic(np.trace(c))), null=np.asarray(null, dtype=np.float64))
