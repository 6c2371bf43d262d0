"""Modulation with its sign (Kraskov et al. 2009; docs/measures.md 3.4): is a unit's activity in a context above
(facilitation) or below (suppression) its baseline? A quarter of F5 corticospinal mirror neurons were suppressed
during observation, so a battery that counts only facilitation misses them.

Each trial is read against its own baseline (one-sample t of the paired differences over trials, BH FDR across units
per context). A recording's baseline is a named window before the event. A model's sequences start from rest, with
no window before the event, so a model trial's baseline is its first step and its epoch the steps after: each
context against itself, so a unit may be facilitated in both, suppressed in both or either in one. (A baseline
pooled over both contexts, as this measure once had, forces a unit above it in one context below it in the other:
the share of execution-facilitated units suppressed in observation was then near 1 whatever the units did.) Trials of
one step have no baseline: skipped, not logged (the Hebbian network and the associative model).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from mirror.analysis.permutation import fdr_adjust
from mirror.protocol import ContextTrials
from mirror.vocabulary import modulation_metric

FACILITATED, UNMODULATED, SUPPRESSED = 1, 0, -1


def signed_classes(epochs: np.ndarray, baseline: np.ndarray | float, fdr_method: str, alpha: float) -> np.ndarray:
    """(trials, U) epoch means against a baseline (U,) or (trials, U) -> (U,) classes: +1 facilitated, -1 suppressed,
    0 neither."""
    differences = epochs - baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        p = stats.ttest_1samp(differences, 0.0, axis=0).pvalue
    q = fdr_adjust(np.nan_to_num(p, nan=1.0), fdr_method)
    return np.where(q <= alpha, np.sign(differences.mean(axis=0)), UNMODULATED).astype(int)


def epochs_and_baseline(activity: np.ndarray, baseline: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(N, T, U) trials -> (N, U) epoch means and (N, U) baselines: the window and the given baseline, or, with none,
    the steps after the first and the first."""
    if baseline is not None:
        return activity.mean(axis=1), baseline
    return activity[:, 1:].mean(axis=1), activity[:, 0]


def modulation(trials: ContextTrials, fdr_method: str, alpha: float) -> dict[str, float]:
    """The share of units facilitated and suppressed in each context, and, of the units facilitated in execution, the
    share suppressed in observation; nothing for model trials of one step."""
    if trials.perform_baseline is None and trials.perform.shape[1] < 2:
        return {}
    classes = {context: signed_classes(*epochs_and_baseline(activity, baseline), fdr_method, alpha)
               for context, activity, baseline in (("perform", trials.perform, trials.perform_baseline),
                                                   ("observe", trials.observe, trials.observe_baseline))}
    metrics = {modulation_metric(f"{context}_{name}"): float(np.mean(values == sign))
               for context, values in classes.items() for name, sign in (("facilitated", FACILITATED),
                                                                         ("suppressed", SUPPRESSED))}
    facilitated = classes["perform"] == FACILITATED
    metrics[modulation_metric("observe_suppressed_of_perform_facilitated")] = (
        float(np.mean(classes["observe"][facilitated] == SUPPRESSED)) if facilitated.any() else float("nan"))
    return metrics
