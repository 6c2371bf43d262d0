"""Measures of the associative model's sensory -> motor weights (SCIENCE.md 5.1)."""

from __future__ import annotations

import numpy as np

from mirror.vocabulary.associative import FRACTION_SELF_PREFERRING, MIRROR_INDEX


def mirror_index(sensory_weights: np.ndarray) -> float:
    """(mean diagonal - mean off-diagonal) / mean |weight| of the n x n sensory weights.

    Row j holds the weights from S_1..S_n to M_j, so the diagonal is S_i -> M_i. Positive when
    seeing an action drives the motor unit of the same action more than the others (mirror),
    negative when it drives others more (e.g. after counter-mirror training); scale-free, so a
    rule that shrinks or grows every weight alike leaves it unchanged. NaN when every weight is 0.
    """
    w = np.asarray(sensory_weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != w.shape[1] or w.shape[0] < 2:
        raise ValueError(f"sensory weights must be square over at least two actions, got shape {w.shape}")
    diagonal = np.diag(w)
    off_diagonal = w[~np.eye(len(w), dtype=bool)]
    scale = np.abs(w).mean()
    return float((diagonal.mean() - off_diagonal.mean()) / scale) if scale > 0 else float("nan")


def fraction_self_preferring(sensory_weights: np.ndarray) -> float:
    """Fraction of motor units whose strongest sensory input is their own action's (ties count as not)."""
    w = np.asarray(sensory_weights, dtype=np.float64)
    own = np.diag(w)
    others = np.where(np.eye(len(w), dtype=bool), -np.inf, w).max(axis=1)
    return float(np.mean(own > others))


def weight_measures(sensory_weights: np.ndarray) -> dict[str, float]:
    """Both measures, named for logging."""
    return {MIRROR_INDEX: mirror_index(sensory_weights), FRACTION_SELF_PREFERRING: fraction_self_preferring(sensory_weights)}
