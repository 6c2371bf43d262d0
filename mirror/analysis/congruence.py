"""Congruent action selectivity, the mirror-neuron definition of single-unit physiology (docs/measures.md 3.2).

Per unit and mode, selectivity for the action is the between-action sum of squares of its activity
over the (sequence, step) samples of each action, sum_k n_k (mean_k - mean)^2 (the F statistic's
numerator: with the total fixed, F rises and falls with it), against a null that shuffles the action
labels within the mode; one-sided p with the +1 correction, FDR across units. A unit selective in both
modes is *strictly congruent* when its preferred action (the highest mean) is the same in both, and
*broadly congruent* when the preferred action of either mode is among the other mode's above-median
actions. The *preferred-action agreement* is the share of units selective in both modes whose preferred action is the
same in both, against its chance level: the share expected were each unit's observe preference another unit's (the
two modes' preferences re-paired across these units), which is 1/K only when preferences are uniform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.analysis.permutation import fdr_adjust


def between_action_sum_of_squares(activity: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(samples, U) activity, (L, samples) label vectors -> (L, U): sum_k n_k (mean_k - mean)^2 for each."""
    centred = activity - activity.mean(axis=0)
    n_labellings, n_samples = labels.shape
    one_hot = np.zeros((n_labellings, n_classes, n_samples))
    one_hot[np.arange(n_labellings)[:, None], labels, np.arange(n_samples)] = 1.0
    # (L, K, U): each action's sum of centred activity, as one (L*K, samples) product: numpy would
    # otherwise multiply L matrices of K rows one by one, at a quarter of the speed, to the same bits.
    totals = (one_hot.reshape(n_labellings * n_classes, n_samples) @ centred).reshape(n_labellings, n_classes, -1)
    counts = one_hot.sum(axis=2)[..., None]
    return np.divide(totals**2, counts, out=np.zeros_like(totals), where=counts > 0).sum(axis=1)


def action_means(activity: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(samples, U), (samples,) -> (K, U): each unit's mean activity per action (NaN for an absent one)."""
    totals = np.zeros((n_classes, activity.shape[1]))
    np.add.at(totals, labels, activity)
    counts = np.bincount(labels, minlength=n_classes)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / counts, np.nan)


def selectivity_p_values(activity: np.ndarray, labels: np.ndarray, n_classes: int, n_permutations: int,
                         rng: np.random.Generator) -> np.ndarray:
    """One-sided permutation p of each unit's selectivity for the action: (samples, U), (samples,) -> (U,)."""
    observed = between_action_sum_of_squares(activity, labels[None], n_classes)[0]
    exceed = np.zeros(activity.shape[1])
    chunk = 50  # shuffled labellings per batch: bounds the (chunk, K, U) sums
    for start in range(0, n_permutations, chunk):
        shuffled = np.stack([rng.permutation(labels) for _ in range(min(chunk, n_permutations - start))])
        null = between_action_sum_of_squares(activity, shuffled, n_classes)
        exceed += (null >= observed - 1e-12 * np.abs(observed)).sum(axis=0)
    return (1.0 + exceed) / (1.0 + n_permutations)


@dataclass(frozen=True)
class Congruence:
    """Per unit (U,): q-values and selectivity in each mode, preferred actions, congruence."""

    q_perform: np.ndarray
    q_observe: np.ndarray
    selective_perform: np.ndarray
    selective_observe: np.ndarray
    preferred_perform: np.ndarray
    preferred_observe: np.ndarray
    strictly_congruent: np.ndarray
    broadly_congruent: np.ndarray


def _above_median(means: np.ndarray) -> np.ndarray:
    """(K, U) -> (K, U) bool: the actions whose mean is above the unit's median over actions."""
    return means > np.nanmedian(means, axis=0, keepdims=True)


def congruent_selectivity(perform: np.ndarray, observe: np.ndarray, perform_labels: np.ndarray,
                          observe_labels: np.ndarray, n_classes: int, n_permutations: int, alpha: float,
                          fdr_method: str, rng: np.random.Generator) -> Congruence:
    """Selectivity per unit and mode, and congruence across modes: (samples, U) activity, (samples,) labels."""
    q_perform = fdr_adjust(selectivity_p_values(perform, perform_labels, n_classes, n_permutations, rng), fdr_method)
    q_observe = fdr_adjust(selectivity_p_values(observe, observe_labels, n_classes, n_permutations, rng), fdr_method)
    means_perform = action_means(perform, perform_labels, n_classes)
    means_observe = action_means(observe, observe_labels, n_classes)
    preferred_perform = np.nanargmax(means_perform, axis=0)
    preferred_observe = np.nanargmax(means_observe, axis=0)
    units = np.arange(perform.shape[1])
    selective_both = (q_perform <= alpha) & (q_observe <= alpha)
    overlapping = (_above_median(means_observe)[preferred_perform, units]
                   | _above_median(means_perform)[preferred_observe, units])
    strictly = selective_both & (preferred_perform == preferred_observe)
    return Congruence(q_perform, q_observe, q_perform <= alpha, q_observe <= alpha, preferred_perform,
                      preferred_observe, strictly, selective_both & (strictly | overlapping))


def preferred_agreement(preferred_perform: np.ndarray, preferred_observe: np.ndarray) -> tuple[float, float]:
    """(agreement, its chance level) over these units' preferred actions: the share whose two preferences match, and
    sum_k p_k q_k of the two modes' shares of units preferring each action (NaN, NaN for no units)."""
    if preferred_perform.size == 0:
        return float("nan"), float("nan")
    actions = int(max(preferred_perform.max(), preferred_observe.max())) + 1
    shares = [np.bincount(preferred, minlength=actions) / preferred.size
              for preferred in (preferred_perform, preferred_observe)]
    return float(np.mean(preferred_perform == preferred_observe)), float(shares[0] @ shares[1])

