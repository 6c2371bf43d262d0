"""Planted populations: activity whose answer is known, generated, never trained.

Every unit codes the current action in perform mode (a random tuning over the K actions, the simplest code a
trained network's units carry). In observe mode a planted **mirror** unit carries its own perform code, an
**anti-mirror** unit its negative, and every other unit either the perform code of *another* unit (``permuted``:
the same code in other units, so no unit mirrors itself and r sits at its chance level) or none (``untuned``:
noise alone). ``lag`` delays every observe code by that many steps; each mode has its own noise. An observer may
see the action itself, or only its consequences: then the observe code is the tuning weighted by a linear estimate
of the action from the sensations (:func:`estimate_from_consequences`), which is the action where consequences carry
it and nothing where they do not. A claim's
effect-absent and effect-present references are such populations, scored by the same shared analysis as every
model (docs/calibration.md): one generator for every planted activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.config.planted import PERMUTED
from mirror.protocol import MirrorActivity


@dataclass(frozen=True)
class Population:
    """What is planted: the fraction of mirror and anti-mirror units, what the others carry, the observe lag and
    each mode's noise (in units of the tuning's sd). Every field's default and why: the planted family's model schema,
    mirror.config.PlantedPopulationConfig."""

    units: int
    mirror_fraction: float
    anti_mirror_fraction: float
    others: str
    lag: int
    perform_noise: float
    observe_noise: float

    def counts(self) -> tuple[int, int]:
        """(mirror units, anti-mirror units), rounded to whole units."""
        mirrors = int(round(self.mirror_fraction * self.units))
        return mirrors, min(int(round(self.anti_mirror_fraction * self.units)), self.units - mirrors)


def delayed(labels: np.ndarray, lag: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """(N, T) labels each ``lag`` steps late; the first ``lag`` steps get actions of their own (the code before the
    sequence began)."""
    if lag == 0:
        return labels
    late = np.empty_like(labels)
    late[:, lag:] = labels[:, :-lag]
    late[:, :lag] = rng.integers(0, n_classes, (labels.shape[0], min(lag, labels.shape[1])))
    return late


def estimate_from_consequences(sensations: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(N, T, D) sensations, (N, T) actions -> (N, T, K): the least-squares linear estimate of each step's one-hot
    action from its sensation and the one before (the step's consequence), fitted over all of them."""
    previous = np.concatenate([np.zeros_like(sensations[:, :1]), sensations[:, :-1]], axis=1)
    features = np.concatenate([sensations, previous, np.ones_like(sensations[..., :1])], axis=-1)
    features = features.reshape(-1, features.shape[-1]).astype(np.float64)
    weights = np.linalg.lstsq(features, np.eye(n_classes)[labels.ravel()], rcond=None)[0]
    return (features @ weights).reshape(*labels.shape, n_classes)


def plant(population: Population, perform_labels: np.ndarray, observe_labels: np.ndarray, n_classes: int,
          rng: np.random.Generator, observe_estimate: np.ndarray | None = None) -> MirrorActivity:
    """The activity of ``population`` on these (N, T) action sequences, its units in a random order; with
    ``observe_estimate`` (N, T, K), the observer's estimate of each observed action stands in for the action."""
    n_trials, n_steps = perform_labels.shape
    units = population.units
    tuning = rng.normal(size=(n_classes, units))
    perform = tuning[perform_labels] + population.perform_noise * rng.normal(size=(n_trials, n_steps, units))
    code = (tuning[delayed(observe_labels, population.lag, n_classes, rng)] if observe_estimate is None
            else observe_estimate @ tuning)
    mirrors, anti = population.counts()
    rest = np.arange(mirrors + anti, units)
    observe = np.zeros_like(code)
    observe[..., :mirrors] = code[..., :mirrors]
    observe[..., mirrors:mirrors + anti] = -code[..., mirrors:mirrors + anti]
    if population.others == PERMUTED and rest.size >= 2:  # each carries its neighbour's code: no fixed point
        observe[..., rest] = code[..., np.roll(rest, 1)]
    observe += population.observe_noise * rng.normal(size=observe.shape)
    order = rng.permutation(units)
    return MirrorActivity(perform=perform[..., order], observe=observe[..., order], perform_labels=perform_labels,
                          observe_labels=observe_labels, trial_ids=np.arange(n_trials), n_classes=n_classes)
