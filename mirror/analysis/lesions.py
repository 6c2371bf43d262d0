"""Are mirror units used? (docs/measures.md 3.2) Silence the k most mirror-like units, and k random units many
times over, and compare what each costs: the GRUs' own inverse head and forward model (silenced in the recurrent
state), or, for activity with no network behind it (planted populations), a linear read-out of the action fitted
on the intact activity (silenced where it is read)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from mirror.analysis.decoding import _fit_decoder
from mirror.protocol import MirrorActivity
from mirror.vocabulary.gru import lesion_metric

log = logging.getLogger(__name__)

LESION_STREAM = 2
"""Random lesions draw from their own stream of the analysis seed, apart from the shared analysis's."""

Costs = Callable[[np.ndarray], dict[str, np.ndarray]]
"""(L, U) bool lesions -> {measure: (L,) what each lesion costs against the intact units}."""


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


def lesion_metrics(r: np.ndarray, costs: Costs, fractions: list[float], draws: int,
                   rng: np.random.Generator) -> dict[str, float]:
    """For each lesion size: what silencing the most mirror-like units costs, the mean cost of ``draws`` random
    lesions of the same size and the one-sided p, for every measure ``costs`` returns."""
    metrics = {}
    for done, fraction in enumerate(fractions):
        size = max(1, round(fraction * len(r)))
        log.info("lesions: %d of %d units silenced, the most mirror-like and %d random draws (size %d of %d)",
                 size, len(r), draws, done + 1, len(fractions))
        for measure, cost in costs(lesion_sets(r, size, draws, rng)).items():
            metrics[lesion_metric(fraction, "mirror", measure)] = float(cost[0])
            metrics[lesion_metric(fraction, "random", measure)] = float(cost[1:].mean())
            metrics[lesion_metric(fraction, "p", measure)] = lesion_test(cost[0], cost[1:])
    return metrics


def read_out_costs(activity: MirrorActivity, seed: int) -> Costs:
    """Lesions of activity with no network behind it: a linear read-out of the observed action, fitted on the
    intact observe activity of half the trials, is read on the other half's with the silenced units at zero (their
    resting value, as a GRU unit's is); each lesion costs the observe accuracy it loses."""
    trials = np.random.default_rng(seed).permutation(len(activity.trial_ids))
    fit, held = trials[: len(trials) // 2], trials[len(trials) // 2 :]
    units = activity.n_units
    decoder = _fit_decoder(activity.observe[fit].reshape(-1, units).astype(np.float64),
                           activity.observe_labels[fit].ravel(), seed)
    scaler, classifier = decoder[0], decoder[-1]
    observe = activity.observe[held].reshape(-1, units).astype(np.float64)
    truth = activity.observe_labels[held].ravel()
    weights = classifier.coef_.T / scaler.scale_[:, None]  # (U, C): the read-out on unscaled activity
    offset = classifier.intercept_ - scaler.mean_ @ weights
    classes = classifier.classes_

    def accuracy(silenced: np.ndarray) -> np.ndarray:
        logits = np.einsum("nu,lu,uc->lnc", observe, ~silenced, weights) + offset
        return (classes[logits.argmax(-1)] == truth).mean(axis=1)

    intact = accuracy(np.zeros((1, units), dtype=bool))[0]
    return lambda silenced: {"observe_accuracy_drop": intact - accuracy(silenced)}
