"""Absence of evidence (the mouse study's second caveat, docs/science.md 6): how likely the project's same-unit test
is to find mirror units of a known prevalence among N recorded units, estimated on planted populations (every other
unit carrying another unit's code, as every tuned cell does) over a grid of prevalences and unit counts, within one
analysis run, and the fewest units that find them at 80 %."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mirror.analysis.metrics import centre_over_trials
from mirror.analysis.permutation import fdr_adjust
from mirror.analysis.same_unit import same_unit_p
from mirror.analysis.summary import unit_correlations
from mirror.config.planted import PERMUTED
from mirror.data.planted import Population, plant
from mirror.vocabulary import power_metric, units_for_power_metric

FOUND_ABOVE = 0.02
"""A population counts as found when more than this share of its units is significant: the margin within which the
mouse study's rows (M0) call a population free of mirror units, so a miss here is what M0 would call absence."""
TARGET = 0.8
"""The power the curve N(p) is read at."""


def found(activity, fdr_method: str, alpha: float) -> bool:
    """Whether the same-unit test, FDR-corrected, finds more than FOUND_ABOVE of the units significant."""
    correlations = unit_correlations(centre_over_trials(activity.perform), centre_over_trials(activity.observe))
    return bool((fdr_adjust(same_unit_p(correlations), fdr_method) <= alpha).mean() > FOUND_ABOVE)


def detection_power(population: Population, labels: np.ndarray, n_classes: int, populations: int, fdr_method: str,
                    alpha: float, rng: np.random.Generator) -> float:
    """The share of ``populations`` draws of ``population`` (tunings, noise, which units mirror) found on these
    (trials, steps) action sequences."""
    return float(np.mean([found(plant(population, labels, labels, n_classes, rng), fdr_method, alpha)
                          for _ in range(populations)]))


def power_curve(template: Population, prevalences: list[float], unit_counts: list[int], labels: np.ndarray,
                n_classes: int, populations: int, fdr_method: str, alpha: float,
                rng: np.random.Generator) -> dict[str, float]:
    """The power at every (prevalence, units) of the grid, and per prevalence the fewest units of the grid that
    reach TARGET (absent where none does), as metrics; ``template`` gives the noise of each mode."""
    metrics: dict[str, float] = {}
    for prevalence in prevalences:
        for units in sorted(unit_counts):
            population = replace(template, units=units, mirror_fraction=prevalence, anti_mirror_fraction=0.0,
                                 others=PERMUTED, lag=0)
            power = detection_power(population, labels, n_classes, populations, fdr_method, alpha, rng)
            metrics[power_metric(prevalence, units)] = power
            if power >= TARGET and units_for_power_metric(prevalence) not in metrics:
                metrics[units_for_power_metric(prevalence)] = float(units)
    return metrics
