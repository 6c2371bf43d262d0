"""One function that scores a :class:`MirrorActivity`: the metrics every model is judged by."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mirror.analysis.metrics import centre_over_trials, pearson_per_unit, threshold_fractions
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity

R_KINDS = ("centred", "raw")


@dataclass(frozen=True)
class AnalysisResult:
    """Flat metrics (``analysis/centred/fraction_mirror``, ...) and a per-unit table."""

    metrics: dict[str, float]
    units: pd.DataFrame


def per_unit_r(activity: MirrorActivity) -> dict[str, np.ndarray]:
    """Per-unit r, time-centred (the headline) and raw (as in the draft paper)."""
    return {
        "centred": pearson_per_unit(centre_over_trials(activity.perform), centre_over_trials(activity.observe)),
        "raw": pearson_per_unit(activity.perform, activity.observe),
    }


def classify_units(r: np.ndarray, settings: AnalysisConfig) -> np.ndarray:
    """'mirror', 'anti-mirror' or 'other' for each unit, by the configured thresholds."""
    return np.select(
        [r > settings.mirror_threshold, r < settings.anti_mirror_threshold], ["mirror", "anti-mirror"], "other"
    )


def analyse(activity: MirrorActivity, settings: AnalysisConfig) -> AnalysisResult:
    """Score one model's matched activity with the shared mirror metrics."""
    r_by_kind = per_unit_r(activity)
    metrics: dict[str, float] = {
        "analysis/n_units": float(activity.n_units),
        "analysis/n_trials": float(activity.perform.shape[0]),
    }
    for kind, r in r_by_kind.items():
        fractions = threshold_fractions(
            r, settings.mirror_threshold, settings.abs_threshold, settings.anti_mirror_threshold
        )
        metrics.update({f"analysis/{kind}/{name}": value for name, value in fractions.items()})
    units = pd.DataFrame(
        {
            "unit": np.arange(activity.n_units),
            "r_centred": r_by_kind["centred"],
            "r_raw": r_by_kind["raw"],
            "class": classify_units(r_by_kind[settings.headline], settings),
        }
    )
    return AnalysisResult(metrics=metrics, units=units)
