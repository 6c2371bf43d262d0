"""Anti-mirror units and self-other distinction (the draft's D13, docs/science.md 6): do the anti-mirror units carry
which mode the network is in? A linear decoder of the mode (perform or observe) from the anti-mirror units (r below
``analysis.anti_mirror_threshold``) against as many random units, cross-validated over trials; and what silencing them
costs a decoder of the mode that reads every unit (fitted on the intact activity of half the trials, read on the
other half with the silenced units at zero), against silencing as many random units. The decoder is linear
discriminant analysis (closed form, a millisecond a fit) with a little shrinkage, so that twenty random sets cost a
job a tenth of a second rather than seconds of iterative fits."""

from __future__ import annotations

import numpy as np

from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from mirror.protocol import MirrorActivity
from mirror.vocabulary import self_other_metric

RANDOM_DRAWS = 20
"""Random sets of as many units as the anti-mirror ones, for each comparison."""
SELF_OTHER_STREAM = 4
"""The random sets draw from their own stream of the analysis seed, so runs made before can get them later."""


def _fit_decoder(samples: np.ndarray, modes: np.ndarray) -> LinearDiscriminantAnalysis:
    return LinearDiscriminantAnalysis(solver="lsqr", shrinkage=1e-3).fit(samples, modes)


def _samples(perform: np.ndarray, observe: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every step of these trials in both modes, (2 n T, U), with the mode as the label (0 perform, 1 observe)."""
    units = perform.shape[-1]
    samples = np.concatenate([perform[trials].reshape(-1, units), observe[trials].reshape(-1, units)])
    return samples.astype(np.float64), np.repeat([0, 1], len(samples) // 2)


def mode_accuracy(perform: np.ndarray, observe: np.ndarray, units: np.ndarray,
                  halves: tuple[np.ndarray, np.ndarray]) -> float:
    """Held-out accuracy of a linear decoder of the mode from ``units``, over the two halves of the trials."""
    scores = []
    for fit, held in (halves, halves[::-1]):
        decoder = _fit_decoder(*_samples(perform[..., units], observe[..., units], fit))
        scores.append(decoder.score(*_samples(perform[..., units], observe[..., units], held)))
    return float(np.mean(scores))


def self_other(activity: MirrorActivity, r: np.ndarray, anti_mirror_threshold: float, seed: int) -> dict[str, float]:
    """The mode's read-out from the anti-mirror units and from random ones, and what silencing each costs a read-out
    of every unit; NaN where no unit is anti-mirror."""
    anti = np.flatnonzero(r < anti_mirror_threshold)
    names = ("anti_mirror_mode_accuracy", "random_mode_accuracy", "anti_mirror_lesion_drop", "random_lesion_drop")
    metrics = {self_other_metric("n_anti_mirror"): float(anti.size)}
    if anti.size == 0:
        return metrics | {self_other_metric(name): float("nan") for name in names}
    rng = np.random.default_rng([seed, SELF_OTHER_STREAM])
    n_units = activity.n_units
    trials = rng.permutation(len(activity.trial_ids))
    halves = (trials[: len(trials) // 2], trials[len(trials) // 2 :])
    random_sets = [rng.choice(n_units, anti.size, replace=False) for _ in range(RANDOM_DRAWS)]
    perform, observe = activity.perform, activity.observe
    decoder = _fit_decoder(*_samples(perform, observe, halves[0]))
    held, modes = _samples(perform, observe, halves[1])

    def lesioned(silenced: np.ndarray) -> float:
        kept = held.copy()
        kept[:, silenced] = 0.0
        return float(decoder.score(kept, modes))

    intact = lesioned(np.array([], dtype=int))
    return metrics | {
        self_other_metric(names[0]): mode_accuracy(perform, observe, anti, halves),
        self_other_metric(names[1]): float(np.mean([mode_accuracy(perform, observe, units, halves)
                                                    for units in random_sets])),
        self_other_metric(names[2]): intact - lesioned(anti),
        self_other_metric(names[3]): intact - float(np.mean([lesioned(units) for units in random_sets])),
    }
