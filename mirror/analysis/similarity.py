"""Similarity of the perform and observe codes that does not assume unit u is unit u.

Per-unit r holds a unit fixed across modes, which is right for a shared core but not for
separate cores. The best one-to-one matching and linear CKA compare the two populations
without that assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


def cross_correlation_matrix(perform: np.ndarray, observe: np.ndarray) -> np.ndarray:
    """R[i, j] = Pearson r of perform unit i with observe unit j over all samples: (..., U) -> (U, U)."""
    x = perform.reshape(-1, perform.shape[-1])
    y = observe.reshape(-1, observe.shape[-1])
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    norms = np.outer(np.linalg.norm(x, axis=0), np.linalg.norm(y, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x.T @ y) / norms
    return np.nan_to_num(np.clip(r, -1, 1), nan=0.0)


@dataclass(frozen=True)
class UnitMatching:
    """The best one-to-one assignment of perform units to observe units on |r|."""

    partner: np.ndarray
    """partner[i]: the observe unit matched to perform unit i."""
    matched_r: np.ndarray
    """Signed r of each matched pair."""

    @property
    def fraction_self_matched(self) -> float:
        """How often a unit is matched to itself: does a core put the same code in the same units?"""
        return float(np.mean(self.partner == np.arange(len(self.partner))))


def match_units(r_matrix: np.ndarray) -> UnitMatching:
    """Hungarian assignment maximising the summed |r| of matched (perform, observe) pairs."""
    rows, columns = linear_sum_assignment(-np.abs(r_matrix))
    partner = np.empty(r_matrix.shape[0], dtype=int)
    partner[rows] = columns
    return UnitMatching(partner=partner, matched_r=r_matrix[np.arange(len(partner)), partner])


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear centred kernel alignment of two (samples, units) matrices (Kornblith et al. 2019).

    ||Y'X||_F^2 / (||X'X||_F ||Y'Y||_F) on column-centred X, Y; invariant to orthogonal
    transforms and isotropic scaling of either population.
    """
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    denominator = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    return float(np.linalg.norm(y.T @ x) ** 2 / denominator) if denominator > 0 else float("nan")


def cka_sequence_null(
    perform: np.ndarray, observe: np.ndarray, n_permutations: int, rng: np.random.Generator
) -> np.ndarray:
    """CKA with observe sequences re-paired at random: the value expected from no matching.

    ``perform``, ``observe``: (N, T, U). Re-pairing permutes rows of Y, which leaves its
    column means and Y'Y unchanged, so only the numerator ||Y_pi' X||^2 is recomputed.
    """
    n_sequences, _, n_units = perform.shape
    x = perform.reshape(-1, n_units)
    y = observe.reshape(-1, n_units)
    x = (x - x.mean(axis=0)).astype(np.float32)
    y = (y - y.mean(axis=0)).astype(np.float32)
    denominator = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    y_sequences = y.reshape(observe.shape)
    if denominator <= 0:
        return np.full(n_permutations, np.nan)
    x_transposed = np.ascontiguousarray(x.T)
    numerators = [
        np.linalg.norm(x_transposed @ y_sequences[rng.permutation(n_sequences)].reshape(-1, n_units)) ** 2
        for _ in range(n_permutations)
    ]
    return np.asarray(numerators, dtype=np.float64) / denominator
