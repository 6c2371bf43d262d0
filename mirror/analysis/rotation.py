"""Unit or population (docs/measures.md 3.2): per-unit r after random orthogonal rotations of the hidden space.

A rotation Q mixes every unit with every other, in both modes alike (P Q against O Q). Mirroring that is
a property of *units* (unit u codes the same thing in both modes, its neighbours something else) does not
survive it; a code the two modes share as *vectors* of the population does, since r of P Q against O Q is
high wherever the modes' states are the same vectors.
"""

from __future__ import annotations

import numpy as np

from mirror.analysis.metrics import pearson_per_unit


def random_rotation(size: int, rng: np.random.Generator) -> np.ndarray:
    """A (size, size) orthogonal matrix drawn uniformly (Haar): QR of a Gaussian matrix, signs fixed."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return q * np.sign(np.diag(r))


def rotated_r(perform: np.ndarray, observe: np.ndarray, n_rotations: int, rng: np.random.Generator) -> np.ndarray:
    """(samples, U) activity of each mode -> (n_rotations, U): per-unit r after each rotation."""
    rotations = [random_rotation(perform.shape[1], rng) for _ in range(n_rotations)]
    return np.stack([pearson_per_unit(perform @ q, observe @ q) for q in rotations])
