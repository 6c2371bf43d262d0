"""One function that scores a :class:`MirrorActivity`: every metric of docs/measures.md section 3.

Everything but the ``raw`` per-unit r runs on time-centred activity (each step's mean over
sequences removed in each mode): the transient from h0 = 0 is shared by all units and
says nothing about actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mirror.analysis.alignment import lagged_correlation, peak_lags
from mirror.analysis.congruence import Congruence, congruent_selectivity, preferred_agreement
from mirror.analysis.decoding import cross_condition_decoding
from mirror.analysis.geometry import action_silhouette, joint_silhouettes, pca_embedding
from mirror.analysis.metrics import (
    centre_over_trials,
    pearson_per_unit,
    threshold_fractions,
)
from mirror.analysis.permutation import (
    PermutationResult,
    fdr_adjust,
    sequence_permutation_test,
)
from mirror.analysis.rotation import rotated_r
from mirror.analysis.same_unit import SameUnitResult, same_unit_test
from mirror.analysis.modulation import modulation
from mirror.analysis.self_other import self_other
from mirror.analysis.subspace import condition_bin_means, subspace_measures
from mirror.analysis.time_decoding import time_decoding
from mirror.analysis.similarity import (
    UnitMatching,
    cka_sequence_null,
    cross_correlation_matrix,
    linear_cka,
    match_units,
)
from mirror.config import AnalysisConfig
from mirror.protocol import ContextTrials, MirrorActivity
from mirror.vocabulary import (
    CKA,
    CKA_NULL_MEAN,
    CKA_P_VALUE,
    FDR_METHODS,
    FRACTION_ABS,
    FRACTION_ANTI_MIRROR,
    FRACTION_MIRROR,
    FRACTION_SEQUENCE_NULL_NEGATIVE,
    FRACTION_SEQUENCE_NULL_POSITIVE,
    LAG_MEAN_ABS_PEAK,
    LAG_PEAK_AT_ZERO,
    MATCHING_FRACTION_ABS,
    MATCHING_FRACTION_MIRROR,
    MATCHING_MEAN_ABS_R,
    MATCHING_MEAN_R,
    MATCHING_SELF_MATCHED,
    MAX_R,
    MIN_R,
    N_TRIALS,
    N_UNITS,
    ROTATED_FRACTION_MIRROR,
    ROTATED_MEAN_R,
    SAME_UNIT_FRACTION_SIGNIFICANT,
    SAME_UNIT_NULL_MEAN,
    SAME_UNIT_P_VALUE,
    SAME_UNIT_SIGNIFICANT,
    SAME_UNIT_STATISTIC,
    SEQUENCE_NULL_NEGATIVE,
    SEQUENCE_NULL_POSITIVE,
    SPECIFICATION_THRESHOLDS,
    chance_metric,
    congruence_metric,
    decoding_metric,
    joint_silhouette_metric,
    r_metric,
    significance_metric,
    silhouette_metric,
    specification_metric,
)


@dataclass(frozen=True)
class AnalysisResult:
    """Flat metrics (``analysis/<family>/<name>``), a per-unit table, and what the figures draw."""

    metrics: dict[str, float]
    units: pd.DataFrame
    permutation: PermutationResult
    lags: np.ndarray
    lagged_r: np.ndarray
    """(2L+1, U) cross-correlation of each unit's perform and observe time courses."""
    decoding: dict[str, float]
    matching: UnitMatching
    same_unit: SameUnitResult | None
    """None for a single unit, which has no other unit to be compared with."""
    embeddings: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    """Per mode: (PCA scores (samples, 2), explained variance (2,), labels (samples,))."""
    time_decoding: dict[str, np.ndarray]
    """The time-resolved cross-context decoding curves each way and chance, (T,) each; empty with one bin."""


def per_unit_r(activity: MirrorActivity) -> dict[str, np.ndarray]:
    """Per-unit r, time-centred (the headline) and raw (as in the draft paper)."""
    return {
        "centred": pearson_per_unit(centre_over_trials(activity.perform), centre_over_trials(activity.observe)),
        "raw": pearson_per_unit(activity.perform, activity.observe),
    }


def top_unit_indices(r: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` units with the highest r (undefined r last)."""
    return np.argsort(-np.nan_to_num(r, nan=-np.inf), kind="stable")[:count]


def _r_fractions(r_by_kind: dict[str, np.ndarray], settings: AnalysisConfig) -> dict[str, float]:
    """The draft paper's counts: the fraction of units past each threshold, for each kind of r."""
    metrics = {}
    for kind, values in r_by_kind.items():
        fractions = threshold_fractions(
            values, settings.mirror_threshold, settings.abs_threshold, settings.anti_mirror_threshold
        )
        metrics.update({r_metric(kind, name): value for name, value in fractions.items()})
    return metrics


@dataclass(frozen=True)
class _SignificantUnits:
    """Units whose r is significant against the sequence null, in each direction, FDR-adjusted."""

    permutation: PermutationResult
    q_positive: np.ndarray
    q_negative: np.ndarray
    positive: np.ndarray
    negative: np.ndarray

    def metrics(self) -> dict[str, float]:
        return {
            SEQUENCE_NULL_POSITIVE: float(self.positive.sum()),
            SEQUENCE_NULL_NEGATIVE: float(self.negative.sum()),
            FRACTION_SEQUENCE_NULL_POSITIVE: float(self.positive.mean()),
            FRACTION_SEQUENCE_NULL_NEGATIVE: float(self.negative.mean()),
        }


def _against_the_sequence_null(perform: np.ndarray, observe: np.ndarray, settings: AnalysisConfig,
                               rng: np.random.Generator) -> _SignificantUnits:
    permutation = sequence_permutation_test(perform, observe, settings.n_permutations, rng)
    q_positive = fdr_adjust(permutation.p_positive, settings.fdr_method)
    q_negative = fdr_adjust(permutation.p_negative, settings.fdr_method)
    return _SignificantUnits(permutation, q_positive, q_negative, q_positive <= settings.fdr_alpha,
                             q_negative <= settings.fdr_alpha)


def _lags(perform: np.ndarray, observe: np.ndarray, r: np.ndarray,
          settings: AnalysisConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Lags, the (2L+1, U) lagged r, each unit's peak lag, and the peaks of the most mirror-like units."""
    n_steps, n_units = perform.shape[1:]
    if n_steps < 2:  # one step per trial: there is no time course to align
        return np.zeros(1, dtype=int), r[None, :], np.zeros(n_units, dtype=int), {}
    lags, lagged_r = lagged_correlation(perform, observe, min(settings.max_lag, n_steps - 2))
    peaks = peak_lags(lags, lagged_r)
    top = top_unit_indices(r, min(settings.top_units, n_units))
    return lags, lagged_r, peaks, {LAG_PEAK_AT_ZERO: float(np.mean(peaks[top] == 0)),
                                   LAG_MEAN_ABS_PEAK: float(np.mean(np.abs(peaks[top])))}


def _matching_metrics(matching: UnitMatching, settings: AnalysisConfig) -> dict[str, float]:
    matched = threshold_fractions(
        matching.matched_r, settings.mirror_threshold, settings.abs_threshold, settings.anti_mirror_threshold
    )
    return {
        MATCHING_MEAN_R: float(matching.matched_r.mean()),
        MATCHING_MEAN_ABS_R: float(np.abs(matching.matched_r).mean()),
        MATCHING_FRACTION_MIRROR: matched[FRACTION_MIRROR],
        MATCHING_FRACTION_ABS: matched[FRACTION_ABS],
        MATCHING_SELF_MATCHED: matching.fraction_self_matched,
    }


def _cka_metrics(perform: np.ndarray, observe: np.ndarray, settings: AnalysisConfig,
                 rng: np.random.Generator) -> dict[str, float]:
    n_units = perform.shape[-1]
    cka = linear_cka(perform.reshape(-1, n_units), observe.reshape(-1, n_units))
    cka_null = cka_sequence_null(perform, observe, settings.cka_permutations, rng)
    return {CKA: cka, CKA_NULL_MEAN: float(cka_null.mean()),
            CKA_P_VALUE: float((1 + np.sum(cka_null >= cka)) / (len(cka_null) + 1))}


CHANCE_STREAM = 3
"""The random re-pairings of the chance reference draw from their own stream of the analysis seed, so the
other measures' draws are the same with or without it."""
CHANCE_PAIRINGS = 100
"""Random re-pairings whose mean extremes are the chance level of max and min r."""


def unit_correlations(perform: np.ndarray, observe: np.ndarray) -> np.ndarray:
    """C[u, v]: perform unit u's r with observe unit v over every trial and step of (trials, steps, units) activity."""
    n_units = perform.shape[-1]
    return cross_correlation_matrix(perform.reshape(-1, n_units), observe.reshape(-1, n_units))


NULL_P_COLUMNS = {"sequence": "p_sequence_null", "same_unit": "p_same_unit"}
"""Each null of the specification grid (mirror.vocabulary.NULLS) -> the column of its per-unit p in ``units.csv``."""


def off_diagonal(correlations: np.ndarray) -> np.ndarray:
    """Every perform unit's r with another unit's observe activity (C[u, v], u != v): the pairs of chance."""
    return correlations[~np.eye(len(correlations), dtype=bool)]


def chance_reference(correlations: np.ndarray, settings: AnalysisConfig) -> dict[str, float]:
    """The network's own chance level of the per-unit r statistics: each perform unit paired with another unit's
    observe activity (C[u, v], u != v). Every such pair is equally likely under a random re-pairing without fixed
    points, so the threshold fractions' chance level is their fraction over the off-diagonal of C, exactly; the
    extremes' is their mean over :data:`CHANCE_PAIRINGS` random re-pairings."""
    n_units = len(correlations)
    if n_units < 2:
        return {}
    fractions = threshold_fractions(off_diagonal(correlations), settings.mirror_threshold, settings.abs_threshold,
                                    settings.anti_mirror_threshold)
    rng = np.random.default_rng([settings.seed, CHANCE_STREAM])
    pairings = np.array([rng.permutation(n_units) for _ in range(4 * CHANCE_PAIRINGS)])
    pairings = pairings[(pairings != np.arange(n_units)).all(axis=1)][:CHANCE_PAIRINGS]  # no unit with itself
    paired = correlations[np.arange(n_units), pairings]
    highest = np.where(np.isnan(paired), -np.inf, paired).max(axis=1)  # an undefined r is no extreme
    lowest = np.where(np.isnan(paired), np.inf, paired).min(axis=1)
    return {**{chance_metric(name): fractions[name] for name in (FRACTION_MIRROR, FRACTION_ABS, FRACTION_ANTI_MIRROR)},
            chance_metric(MAX_R): float(highest[np.isfinite(highest)].mean()) if np.isfinite(highest).any() else np.nan,
            chance_metric(MIN_R): float(lowest[np.isfinite(lowest)].mean()) if np.isfinite(lowest).any() else np.nan}


def specification_grid(r_by_kind: dict[str, np.ndarray], correlations: np.ndarray, p_values: dict[str, np.ndarray],
                       settings: AnalysisConfig) -> dict[str, float]:
    """The analysis-only choices a claim's specification curve ranges over, each logged by the run: the threshold
    counts at every threshold of :data:`SPECIFICATION_THRESHOLDS` on centred, raw and chance r (the chance level
    over the off-diagonal of C, as :func:`chance_reference`), and the units each null calls significant under each
    FDR method (``p_values``: null -> per-unit p)."""
    kinds = {**r_by_kind, "chance": off_diagonal(correlations)}
    grid = {}
    for kind, r in kinds.items():
        defined = r[np.isfinite(r)]
        for threshold in SPECIFICATION_THRESHOLDS:
            counts = {FRACTION_MIRROR: defined > threshold, FRACTION_ABS: np.abs(defined) > threshold}
            grid.update({specification_metric(kind, name, threshold): float(above.mean()) if defined.size else np.nan
                         for name, above in counts.items()})
    for null, p in p_values.items():
        for method in FDR_METHODS:
            grid[significance_metric(null, method)] = float((fdr_adjust(p, method) <= settings.fdr_alpha).sum())
    return grid


def specification_grid_of(activity: MirrorActivity, p_values: dict[str, np.ndarray],
                          settings: AnalysisConfig) -> dict[str, float]:
    """The specification grid from a run's saved activity and per-unit p (its ``units.csv``): what a run made
    before the grid existed would have logged."""
    correlations = unit_correlations(centre_over_trials(activity.perform), centre_over_trials(activity.observe))
    return specification_grid(per_unit_r(activity), correlations, p_values, settings)


def _same_unit(correlations: np.ndarray, settings: AnalysisConfig,
               rng: np.random.Generator) -> tuple[SameUnitResult | None, np.ndarray, dict[str, float]]:
    """The same-unit test (None for a single unit, which has no other to be compared with), its q-values
    and metrics."""
    n_units = len(correlations)
    same_unit = same_unit_test(correlations, settings.n_permutations, rng) if n_units >= 2 else None
    q_same_unit = fdr_adjust(same_unit.p, settings.fdr_method) if same_unit else np.ones(n_units)
    significant = q_same_unit <= settings.fdr_alpha
    return same_unit, q_same_unit, {
        SAME_UNIT_SIGNIFICANT: float(significant.sum()),
        SAME_UNIT_FRACTION_SIGNIFICANT: float(significant.mean()),
        SAME_UNIT_STATISTIC: same_unit.statistic if same_unit else float("nan"),
        SAME_UNIT_NULL_MEAN: float(same_unit.null.mean()) if same_unit else float("nan"),
        SAME_UNIT_P_VALUE: same_unit.p_population if same_unit else float("nan"),
    }


def _geometry(perform: np.ndarray, observe: np.ndarray, activity: MirrorActivity, settings: AnalysisConfig,
              ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], dict[str, float]]:
    """Each mode's 2-D PCA embedding and the silhouette of its actions."""
    n_units = perform.shape[-1]
    embeddings, metrics = {}, {}
    for mode, states, labels in (
        ("perform", perform, activity.perform_labels.ravel()),
        ("observe", observe, activity.observe_labels.ravel()),
    ):
        flat = states.reshape(-1, n_units)
        scores, explained = pca_embedding(flat)
        embeddings[mode] = (scores, explained, labels)
        metrics[silhouette_metric(mode)] = action_silhouette(flat, labels, settings.silhouette_samples, settings.seed)
    joint = joint_silhouettes(perform.reshape(-1, n_units), observe.reshape(-1, n_units),
                              activity.perform_labels.ravel(), activity.observe_labels.ravel(),
                              settings.silhouette_samples, settings.seed)
    metrics.update({joint_silhouette_metric(mode): value for mode, value in joint.items()})
    return embeddings, metrics


def _congruence_metrics(congruence: Congruence) -> dict[str, float]:
    both = congruence.selective_perform & congruence.selective_observe
    agreement, chance = preferred_agreement(congruence.preferred_perform[both], congruence.preferred_observe[both])
    counts = {
        "n_selective_perform": congruence.selective_perform.sum(),
        "n_selective_observe": congruence.selective_observe.sum(),
        "n_strictly_congruent": congruence.strictly_congruent.sum(),
        "n_broadly_congruent": congruence.broadly_congruent.sum(),
        "fraction_strictly_congruent": congruence.strictly_congruent.mean(),
        "fraction_broadly_congruent": congruence.broadly_congruent.mean(),
        "preferred_agreement": agreement,
        "preferred_agreement_chance": chance,
    }
    return {congruence_metric(name): float(value) for name, value in counts.items()}


def _rotation_metrics(perform: np.ndarray, observe: np.ndarray, settings: AnalysisConfig,
                      rng: np.random.Generator) -> dict[str, float]:
    n_units = perform.shape[-1]
    r = rotated_r(perform.reshape(-1, n_units), observe.reshape(-1, n_units), settings.rotations, rng)
    with np.errstate(invalid="ignore"):
        fraction = (r > settings.mirror_threshold).mean(axis=1)
    return {ROTATED_FRACTION_MIRROR: float(fraction.mean()), ROTATED_MEAN_R: float(np.nanmean(r))}


def _units_table(r_by_kind: dict[str, np.ndarray], settings: AnalysisConfig, significant: _SignificantUnits,
                 peaks: np.ndarray, matching: UnitMatching, same_unit: SameUnitResult | None,
                 q_same_unit: np.ndarray, congruence: Congruence) -> pd.DataFrame:
    """One row per unit: its r, its classes and every per-unit test (``units.csv``)."""
    n_units = len(peaks)
    permutation = significant.permutation
    return pd.DataFrame(
        {
            "unit": np.arange(n_units),
            "r_centred": r_by_kind["centred"],
            "r_raw": r_by_kind["raw"],
            "mirror": r_by_kind[settings.headline] > settings.mirror_threshold,
            "anti_mirror": r_by_kind[settings.headline] < settings.anti_mirror_threshold,
            NULL_P_COLUMNS["sequence"]: permutation.p_positive,
            "q_sequence_null": significant.q_positive,
            "sequence_null_significant": significant.positive,
            "p_sequence_null_negative": permutation.p_negative,
            "q_sequence_null_negative": significant.q_negative,
            "sequence_null_significant_negative": significant.negative,
            "peak_lag": peaks,
            "matched_partner": matching.partner,
            "matched_r": matching.matched_r,
            NULL_P_COLUMNS["same_unit"]: same_unit.p if same_unit else np.ones(n_units),
            "q_same_unit": q_same_unit,
            "same_unit_significant": q_same_unit <= settings.fdr_alpha,
            "q_selective_perform": congruence.q_perform,
            "q_selective_observe": congruence.q_observe,
            "selective_perform": congruence.selective_perform,
            "selective_observe": congruence.selective_observe,
            "preferred_perform": congruence.preferred_perform,
            "preferred_observe": congruence.preferred_observe,
            "strictly_congruent": congruence.strictly_congruent,
            "broadly_congruent": congruence.broadly_congruent,
        }
    )


BATTERY_STREAM = 5
"""The battery's nulls draw from their own stream of the analysis seed, so runs made before can get them later."""


def battery(trials: ContextTrials, settings: AnalysisConfig) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """What experimentalists measure in recordings, on each context's single trials (docs/measures.md 3.4):
    modulation with its sign per context, the population correlation and the alignment index both ways with their
    nulls, and time-resolved cross-context decoding (its curves beside the metrics)."""
    means = [condition_bin_means(values, labels, trials.n_classes) for values, labels in
             ((trials.perform, trials.perform_labels), (trials.observe, trials.observe_labels))]
    decoding, curves = time_decoding(trials)
    return {**modulation(trials, settings.fdr_method, settings.fdr_alpha),
            **subspace_measures(*means, settings.alignment_components, settings.n_permutations,
                                np.random.default_rng([settings.seed, BATTERY_STREAM])), **decoding}, curves


def analyse(activity: MirrorActivity, settings: AnalysisConfig, trials: ContextTrials | None = None) -> AnalysisResult:
    """Score one model's matched activity with the shared mirror metrics, and ``trials`` (the activity's own trials
    unless given: a recording's single trials) with the battery.

    The measures that draw from ``rng`` (the sequence null, the CKA null, the same-unit null) are
    taken in this order, so adding a measure after them leaves every earlier number unchanged.
    """
    for mode, values in zip(activity.condition_names, (activity.perform, activity.observe)):
        if not np.isfinite(values).all():
            raise ValueError(f"the {mode} activity has {np.size(values) - np.isfinite(values).sum()} values that are "
                             f"not finite (of {np.size(values)}): the model that produced it diverged or was fed "
                             "non-finite inputs, and no measure of it would mean anything")
    rng = np.random.default_rng(settings.seed)
    perform = centre_over_trials(activity.perform)
    observe = centre_over_trials(activity.observe)
    n_trials, _, n_units = perform.shape
    r_by_kind = per_unit_r(activity)
    r = r_by_kind["centred"]
    metrics: dict[str, float] = {N_UNITS: float(n_units), N_TRIALS: float(n_trials),
                                 **_r_fractions(r_by_kind, settings)}
    significant = _against_the_sequence_null(perform, observe, settings, rng)
    metrics.update(significant.metrics())
    decoding = cross_condition_decoding(
        perform, observe, activity.perform_labels, activity.observe_labels, settings.decoder_folds, settings.seed
    )
    metrics.update({decoding_metric(name): value for name, value in decoding.items()})
    lags, lagged_r, peaks, lag_metrics = _lags(perform, observe, r, settings)
    correlations = unit_correlations(perform, observe)
    matching = match_units(correlations)
    metrics.update({**lag_metrics, **_matching_metrics(matching, settings),
                    **_cka_metrics(perform, observe, settings, rng)})
    same_unit, q_same_unit, same_unit_metrics = _same_unit(correlations, settings, rng)
    embeddings, geometry_metrics = _geometry(perform, observe, activity, settings)
    metrics.update({**same_unit_metrics, **geometry_metrics, **chance_reference(correlations, settings)})
    # What experimentalists measure (docs/measures.md 3.2), drawn after every earlier use of rng.
    congruence = congruent_selectivity(
        perform.reshape(-1, n_units), observe.reshape(-1, n_units), activity.perform_labels.ravel(),
        activity.observe_labels.ravel(), activity.n_classes, settings.n_permutations, settings.fdr_alpha,
        settings.fdr_method, rng)
    metrics.update({**_congruence_metrics(congruence), **_rotation_metrics(perform, observe, settings, rng)})
    p_values = {"sequence": significant.permutation.p_positive, **({"same_unit": same_unit.p} if same_unit else {})}
    metrics.update(specification_grid(r_by_kind, correlations, p_values, settings))
    metrics.update(self_other(activity, r, settings.anti_mirror_threshold, settings.seed))
    battery_metrics, time_curves = battery(activity.trials() if trials is None else trials, settings)
    metrics.update(battery_metrics)

    units = _units_table(r_by_kind, settings, significant, peaks, matching, same_unit, q_same_unit, congruence)
    return AnalysisResult(
        metrics=metrics,
        units=units,
        permutation=significant.permutation,
        lags=lags,
        lagged_r=lagged_r,
        decoding=decoding,
        matching=matching,
        same_unit=same_unit,
        embeddings=embeddings,
        time_decoding=time_curves,
    )
