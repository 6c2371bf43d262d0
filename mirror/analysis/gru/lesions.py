"""Are mirror units used? (docs/measures.md 3.2) Silence the k most mirror-like units, and k random units many
times over, and compare what each costs action recognition and the forward model."""

from __future__ import annotations

import numpy as np


def lesion_sets(r: np.ndarray, k: int, n_random: int, rng: np.random.Generator) -> np.ndarray:
    """(1 + n_random, U) bool: the k units with the highest r (undefined r last), then ``n_random`` draws
    of k units at random."""
    n_units = len(r)
    silenced = np.zeros((1 + n_random, n_units), dtype=bool)
    silenced[0, np.argsort(-np.nan_to_num(r, nan=-np.inf), kind="stable")[:k]] = True
    for row in silenced[1:]:
        row[rng.choice(n_units, size=k, replace=False)] = True
    return silenced


def lesion_test(cost_of_mirror: float, cost_of_random: np.ndarray) -> float:
    """One-sided p that silencing the mirror units costs more than silencing random ones: the fraction of
    random lesions that cost at least as much, +1 corrected."""
    return float((1 + np.sum(cost_of_random >= cost_of_mirror)) / (1 + len(cost_of_random)))
