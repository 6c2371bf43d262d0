"""Modulation with its sign (Kraskov et al. 2009; docs/measures.md 3.4): is a unit's activity in a context above
(facilitation) or below (suppression) its baseline? A quarter of F5 corticospinal mirror neurons were suppressed
during observation, so a battery that counts only facilitation misses them.

The baseline of a recording is a named pre-event window of each trial. A model's sequences start from rest, with no
window before the event, so a model unit's baseline is stated as its condition-independent mean over both contexts:
a unit then counts as facilitated in a context where its trials' mean activity lies above that, suppressed where it
lies below (one-sample t over trials, BH FDR across units per context).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from mirror.analysis.permutation import fdr_adjust
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


def modulation(perform: np.ndarray, observe: np.ndarray, fdr_method: str, alpha: float) -> dict[str, float]:
    """(N, T, U) activity of each context -> the share of units facilitated and suppressed in each, and, of the units
    facilitated in execution, the share suppressed in observation."""
    baseline = np.concatenate([perform, observe]).reshape(-1, perform.shape[-1]).mean(axis=0)
    classes = {context: signed_classes(activity.mean(axis=1), baseline, fdr_method, alpha)
               for context, activity in (("perform", perform), ("observe", observe))}
    metrics = {modulation_metric(f"{context}_{name}"): float(np.mean(values == sign))
               for context, values in classes.items() for name, sign in (("facilitated", FACILITATED),
                                                                         ("suppressed", SUPPRESSED))}
    facilitated = classes["perform"] == FACILITATED
    metrics[modulation_metric("observe_suppressed_of_perform_facilitated")] = (
        float(np.mean(classes["observe"][facilitated] == SUPPRESSED)) if facilitated.any() else float("nan"))
    return metrics
