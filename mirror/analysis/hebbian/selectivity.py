"""Mirror and anti-mirror neurons from the four test conditions of the Hebbian model.

A neuron is *selective* in a modality when its mean rate differs between happy and sad
trials by at least ``min_difference`` and a label-shuffle permutation test of that
difference survives Benjamini-Hochberg FDR across neurons at ``alpha``. A *mirror* neuron
is selective in both modalities and prefers the same expression in both; an
*anti-mirror* neuron prefers opposite ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.analysis.permutation import fdr_adjust
from mirror.vocabulary.hebbian import (
    EXPRESSIONS,
    MIRROR_BALANCE,
    MODALITIES,
    N_ANTI_MIRROR,
    N_MIRROR,
    condition,
)


@dataclass(frozen=True)
class Selectivity:
    """Happy-minus-sad difference of mean rate (U,), its FDR q-value, and whether it is selective."""

    difference: np.ndarray
    q: np.ndarray
    selective: np.ndarray


def expression_selectivity(
    happy: np.ndarray,
    sad: np.ndarray,
    alpha: float,
    min_difference: float,
    n_permutations: int,
    rng: np.random.Generator,
) -> Selectivity:
    """Two-sided label-shuffle test of each neuron's happy-sad difference: (n_h, U), (n_s, U)."""
    responses = np.concatenate([happy, sad])
    n_happy, n_total = len(happy), len(happy) + len(sad)
    difference = happy.mean(axis=0) - sad.mean(axis=0)
    # Row k of `contrast` computes one shuffled happy-sad difference for every neuron at once.
    is_happy = np.argsort(rng.random((n_permutations, n_total)), axis=1) < n_happy
    contrast = np.where(is_happy, 1.0 / n_happy, -1.0 / (n_total - n_happy))
    null = contrast @ responses
    p = (1 + (np.abs(null) >= np.abs(difference) - 1e-12).sum(axis=0)) / (n_permutations + 1)
    q = fdr_adjust(p, "bh")
    return Selectivity(difference=difference, q=q, selective=(q <= alpha) & (np.abs(difference) >= min_difference))


@dataclass(frozen=True)
class MirrorClassification:
    visual: Selectivity
    motor: Selectivity

    def among(self, counted: np.ndarray) -> MirrorClassification:
        """The same classes with every neuron outside ``counted`` (a boolean mask) not selective."""
        return MirrorClassification(*(replace(s, selective=s.selective & counted) for s in (self.visual, self.motor)))

    @property
    def mirror(self) -> np.ndarray:
        both = self.visual.selective & self.motor.selective
        return both & (np.sign(self.visual.difference) == np.sign(self.motor.difference))

    @property
    def anti_mirror(self) -> np.ndarray:
        both = self.visual.selective & self.motor.selective
        return both & (np.sign(self.visual.difference) != np.sign(self.motor.difference))

    def counts(self) -> dict[str, float]:
        """Counts and fractions, named as :data:`mirror.vocabulary.HEBBIAN_COUNTS` lists them."""
        n = len(self.mirror)
        return {
            N_MIRROR: float(self.mirror.sum()),
            N_ANTI_MIRROR: float(self.anti_mirror.sum()),
            "fraction_mirror": float(self.mirror.sum() / n),
            "fraction_anti_mirror": float(self.anti_mirror.sum() / n),
            MIRROR_BALANCE: float((self.mirror.sum() - self.anti_mirror.sum()) / n),
            "n_visual_selective": float(self.visual.selective.sum()),
            "n_motor_selective": float(self.motor.selective.sum()),
        }


def classify_mirror_neurons(
    conditions: dict[str, np.ndarray], alpha: float, min_difference: float, n_permutations: int, rng: np.random.Generator
) -> MirrorClassification:
    """``conditions``: rates (trials, U) for each of :data:`mirror.vocabulary.CONDITIONS`."""
    happy, sad = EXPRESSIONS
    return MirrorClassification(
        *(
            expression_selectivity(
                conditions[condition(modality, happy)], conditions[condition(modality, sad)], alpha, min_difference,
                n_permutations, rng,
            )
            for modality in MODALITIES
        )
    )


def distinct_neurons(weights: np.ndarray, min_cosine: float = 0.999) -> int:
    """How many different weight vectors the rows of ``weights`` hold: neurons whose vectors have cosine
    at least ``min_cosine`` count once. A competitive layer can collapse onto a few prototypes, so that
    "every neuron a mirror neuron" may be two neurons copied fifty times."""
    unit = weights / np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)
    prototypes: list[np.ndarray] = []
    for row in unit:
        if not any(row @ prototype >= min_cosine for prototype in prototypes):
            prototypes.append(row)
    return len(prototypes)
