"""Measures of the associative model's sensory -> motor weights (docs/models/associative.md 5.1-5.2).

Row j of the n x n sensory weights holds the weights from S_1..S_n to M_j, so the diagonal is S_i -> M_i.
The mirror index and the self-preferring fraction describe the *shape* of W and do not move when every
weight weakens together; the selective response and its d' measure the association's *strength* at
test, which is what degraded contingency lowers.
"""

from __future__ import annotations

import numpy as np

from mirror.vocabulary.associative import (
    D_PRIME,
    EVOKED_RESPONSE,
    FRACTION_SELF_PREFERRING,
    MIRROR_INDEX,
    SELECTIVE_RESPONSE,
)


def _square(sensory_weights: np.ndarray) -> np.ndarray:
    w = np.asarray(sensory_weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != w.shape[1] or w.shape[0] < 2:
        raise ValueError(f"sensory weights must be square over at least two actions, got shape {w.shape}")
    return w


def _noise_sd(noise: float) -> float:
    """The test noise sd, the unit of the strength measures: it must be positive to divide by."""
    if noise <= 0:
        raise ValueError(f"the test noise must be positive to measure in its units, got {noise}")
    return noise


def _off_diagonal(w: np.ndarray) -> np.ndarray:
    """(n, n - 1): each motor unit's weights from the other actions' sensory units."""
    return w[~np.eye(len(w), dtype=bool)].reshape(len(w), len(w) - 1)


def mirror_index(sensory_weights: np.ndarray) -> float:
    """(mean diagonal - mean off-diagonal) / mean |weight| of the n x n sensory weights.

    Positive when seeing an action drives the motor unit of the same action more than the others
    (mirror), negative when it drives others more (e.g. after counter-mirror training); scale-free, so a
    rule that shrinks or grows every weight alike leaves it unchanged. NaN when every weight is 0.
    """
    w = _square(sensory_weights)
    scale = np.abs(w).mean()
    return float((np.diag(w).mean() - w[~np.eye(len(w), dtype=bool)].mean()) / scale) if scale > 0 else float("nan")


def fraction_self_preferring(sensory_weights: np.ndarray) -> float:
    """Fraction of motor units whose strongest sensory input is their own action's (ties count as not)."""
    w = _square(sensory_weights)
    return float(np.mean(np.diag(w) > _off_diagonal(w).max(axis=1)))


def selective_response(sensory_weights: np.ndarray, noise: float) -> float:
    """Mean over motor units of (W_ii - mean_{j != i} W_ij) / noise.

    Seeing i evokes W_ii + c_i in M_i and seeing j evokes W_ij + c_i (c_i, the context's weight, is the
    same on every test trial and cancels), so this is M_i's selective evoked response in units of the
    test noise sd: 0 for unsystematic weights, and it falls when every S -> M weight weakens together.
    """
    w = _square(sensory_weights)
    return float(np.mean(np.diag(w) - _off_diagonal(w).mean(axis=1)) / _noise_sd(noise))


def evoked_response(sensory_weights: np.ndarray, noise: float) -> float:
    """Mean over motor units of W_ii / noise: M_i's response to seeing i above its response to seeing
    nothing (the context alone), in units of the test noise sd.

    The S_i -> M_i link itself, as associative learning theory states it. It differs from the selective
    response where other actions' sensory units have become inhibitors of M_i: a context that predicts
    M_i lowers W_ii and, under prediction error, W_ij alike, which leaves the selective response intact.
    """
    return float(np.mean(np.diag(_square(sensory_weights))) / _noise_sd(noise))


def d_prime(sensory_weights: np.ndarray, noise: float) -> float:
    """Mean over motor units of the d' of M_i's test response to seeing i against seeing another action.

    Responses to seeing i are N(W_ii + c_i, noise^2); responses to seeing the others (each equally often)
    have mean mean_j W_ij + c_i and variance var_j W_ij + noise^2, so
    d'_i = (W_ii - mean_j W_ij) / sqrt(noise^2 + var_j W_ij / 2): the selective response, penalised when
    the other actions drive M_i unevenly.
    """
    w = _square(sensory_weights)
    others = _off_diagonal(w)
    pooled = np.sqrt(_noise_sd(noise) ** 2 + others.var(axis=1) / 2.0)
    return float(np.mean((np.diag(w) - others.mean(axis=1)) / pooled))


def weight_measures(sensory_weights: np.ndarray, noise: float) -> dict[str, float]:
    """Every measure, named for logging; ``noise`` is the test's response noise sd."""
    return {
        MIRROR_INDEX: mirror_index(sensory_weights),
        FRACTION_SELF_PREFERRING: fraction_self_preferring(sensory_weights),
        SELECTIVE_RESPONSE: selective_response(sensory_weights, noise),
        D_PRIME: d_prime(sensory_weights, noise),
        EVOKED_RESPONSE: evoked_response(sensory_weights, noise),
    }
