"""The shared mirror analysis's settings (docs/measures.md section 3), which every family's analysis extends.

Besides the fields, an analysis schema says what its run's summary and the reports lead with
(:meth:`AnalysisConfig.summary_lines`, ``HEADLINE_METRICS``), which logged properties of a run's design the
reports plot its measures against (``DESIGN_METRICS``), and names its family's own callback in
``_target_``. Both live here, not on the callback, because a resumed sweep's skipped job and the
reports describe runs without importing Lightning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from mirror.config.checks import check
from mirror.protocol import ACTIVITY_FILE, UNITS_FILE
from mirror.vocabulary import (
    CKA,
    CKA_NULL_MEAN,
    DECODING_CHANCE,
    DECODING_OBSERVE_TO_PERFORM,
    DECODING_PERFORM_TO_OBSERVE,
    FRACTION_ABS,
    FRACTION_ANTI_MIRROR,
    FRACTION_MIRROR,
    MATCHING_MEAN_ABS_R,
    MATCHING_SELF_MATCHED,
    MAX_R,
    MIN_R,
    ROTATED_FRACTION_MIRROR,
    SAME_UNIT_SIGNIFICANT,
    SAME_UNIT_STATISTIC,
    SEQUENCE_NULL_NEGATIVE,
    SEQUENCE_NULL_POSITIVE,
    chance_metric,
    congruence_metric,
    joint_silhouette_metric,
    r_metric,
)
from mirror.vocabulary.gru import VAL_OBSERVE_ACCURACY


@dataclass
class AnalysisConfig:
    """The shared mirror analysis applied to every model (docs/measures.md section 3)."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {
        r_metric("centred", FRACTION_MIRROR): "fraction mirror units (centred r > threshold)",
        chance_metric(FRACTION_MIRROR): "the same, units re-paired at random (chance)",
        r_metric("raw", FRACTION_MIRROR): "fraction mirror units (raw r > threshold)",
        r_metric("centred", FRACTION_ABS): "fraction |r| > abs threshold",
        r_metric("centred", FRACTION_ANTI_MIRROR): "fraction anti-mirror",
        r_metric("centred", MAX_R): "max r (centred)",
        r_metric("centred", MIN_R): "min r (centred)",
        SEQUENCE_NULL_POSITIVE: "units with r above the sequence null",
        SEQUENCE_NULL_NEGATIVE: "units with r below the sequence null",
        SAME_UNIT_SIGNIFICANT: "units significant against the same-unit null",
        SAME_UNIT_STATISTIC: "same-unit D",
        DECODING_PERFORM_TO_OBSERVE: "decoding perform->observe",
        DECODING_OBSERVE_TO_PERFORM: "decoding observe->perform",
        DECODING_CHANCE: "decoding chance",
        MATCHING_MEAN_ABS_R: "matched |r|",
        MATCHING_SELF_MATCHED: "fraction self-matched",
        CKA: "CKA",
        CKA_NULL_MEAN: "CKA null",
        congruence_metric("fraction_strictly_congruent"): "fraction strictly congruent units",
        congruence_metric("fraction_broadly_congruent"): "fraction broadly congruent units",
        ROTATED_FRACTION_MIRROR: "fraction mirror units after rotations of the hidden space",
        joint_silhouette_metric("perform"): "joint-embedding silhouette, perform",
        joint_silhouette_metric("observe"): "joint-embedding silhouette, observe",
        VAL_OBSERVE_ACCURACY: "observe accuracy (val)",
    }
    """The metrics a report leads with, with the labels its tables use: this family's own only
    (a family's analysis lists its own; the reports put every family's before the shared ones)."""
    DESIGN_METRICS: ClassVar[dict[str, str]] = {}
    """Logged properties of a run's design (not of what it learnt) that a report plots the headline
    metrics against, with their labels: e.g. the contingency an associative schedule programs."""

    ARTIFACTS: ClassVar[tuple[str, ...]] = (f"analysis/{ACTIVITY_FILE}", f"analysis/{UNITS_FILE}")
    """What every run of the family keeps whatever its settings (figures aside): a run that lost any of them is not
    copied into another experiment (mirror.tracking.decision), since its figures and activity could not be read."""
    SHARED_ANALYSIS: ClassVar[bool] = True
    """Whether the shared analysis scores the family: every family but VisNet's positive control, whose
    analysis schema stands alone (VisNet has no perform and observe modes)."""

    _target_: str = "mirror.analysis.callback.MirrorAnalysisCallback"
    """The family's analysis callback, run after the shared one (this one: the GRUs measure nothing more)."""

    mirror_threshold: float = 0.75
    """A unit with r above this counts as mirror-like (the draft paper's threshold)."""
    abs_threshold: float = 0.6
    """A unit with |r| above this counts as strongly (anti-)correlated."""
    anti_mirror_threshold: float = -0.6
    """A unit with r below this counts as anti-mirror."""
    headline: str = "centred"
    """Which per-unit r the summary leads with: 'centred' (time-centred) or 'raw'."""
    n_permutations: int = 1000
    """Sequence re-pairings in the permutation null of each unit's r, unit relabellings in the same-unit
    null and action-label shuffles in the congruent-selectivity test."""
    fdr_method: str = "bh"
    """'bh' (Benjamini-Hochberg) or 'by' (Benjamini-Yekutieli, valid under any dependence)."""
    fdr_alpha: float = 0.05
    """False discovery rate at which a unit counts as a significant (anti-)mirror unit."""
    decoder_folds: int = 2
    """Folds over test sequences for the cross-condition decoders."""
    max_lag: int = 3
    """Largest lag (steps) of the perform/observe cross-correlation."""
    top_units: int = 10
    """How many of the most mirror-like units the lag summary and figures describe."""
    cka_permutations: int = 200
    """Sequence re-pairings in the null of linear CKA."""
    silhouette_samples: int = 1000
    """Samples drawn to compute each mode's silhouette score (its cost is quadratic)."""
    rotations: int = 10
    """Random orthogonal rotations of the hidden space over which the rotated per-unit r is averaged."""
    alignment_components: int = 5
    """Principal axes of one context's condition-by-bin means the alignment index projects the other onto (5, as
    Jerjian et al. 2020)."""
    seed: int = 0
    """Seeds the permutations, folds and subsamples (follows the run's seed)."""

    def check_against(self, model: Any, data: Any) -> None:
        """Settings that only make sense for the test set and the units the model has (a family whose analysis
        reads other things checks those instead)."""
        n_trials, n_steps = data.test_shape()
        n_units = model.n_units(data)
        check(self.decoder_folds <= n_trials, "analysis.decoder_folds",
              f"must be at most the number of test trials ({n_trials})", self.decoder_folds)
        check(n_steps < 2 or self.max_lag <= n_steps - 2, "analysis.max_lag",
              f"must be at most data.seq_len - 2 ({n_steps - 2}): a lag needs two steps to correlate", self.max_lag)
        check(self.top_units <= n_units, "analysis.top_units",
              f"must be at most the number of units the model has ({n_units})", self.top_units)

    def validate(self) -> None:
        check(-1.0 <= self.mirror_threshold <= 1.0, "mirror_threshold", "must be in [-1, 1]", self.mirror_threshold)
        check(0.0 <= self.abs_threshold <= 1.0, "abs_threshold", "must be in [0, 1]", self.abs_threshold)
        check(
            -1.0 <= self.anti_mirror_threshold <= 0.0,
            "anti_mirror_threshold",
            "must be in [-1, 0]",
            self.anti_mirror_threshold,
        )
        check(self.headline in ("centred", "raw"), "headline", "must be 'centred' or 'raw'", self.headline)
        for name in ("n_permutations", "top_units", "cka_permutations", "silhouette_samples", "rotations",
                     "alignment_components"):
            check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        check(self.fdr_method in ("bh", "by"), "fdr_method", "must be 'bh' or 'by'", self.fdr_method)
        check(0.0 < self.fdr_alpha < 1.0, "fdr_alpha", "must be in (0, 1)", self.fdr_alpha)
        check(self.decoder_folds >= 2, "decoder_folds", "must be at least 2", self.decoder_folds)
        check(self.max_lag >= 0, "max_lag", "must be non-negative", self.max_lag)
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)



    def summary_lines(self, metrics: dict[str, float], seed: int) -> tuple[str, str]:
        """What a run's summary says of this family's own measures: a warning printed first, and
        the family's own test under its own name, after the shared analysis's lines ('' for none)."""
        return "", ""


@dataclass
class LesionAnalysisConfig(AnalysisConfig):
    """The shared analysis plus lesions of the most mirror-like units against random ones (docs/measures.md 3.2):
    the families whose units a lesion can silence (the GRUs, and planted populations as its references)."""

    lesion_fractions: list[float] = field(default_factory=lambda: [0.1])
    """Lesion sizes, as fractions of the units: the k most mirror-like (by r) and k random units are silenced. One
    tenth, the size D14 and the reports read (each size costs a GRU job about a second; ask for more, e.g.
    ``[0.05,0.1,0.2]``, to see how the cost grows); empty: no lesion test (a preset that reads none)."""
    lesion_draws: int = 100
    """Random lesions of each size: the null the mirror-unit lesion is tested against."""

    def validate(self) -> None:
        super().validate()
        check(all(0.0 < f < 1.0 for f in self.lesion_fractions), "lesion_fractions",
              "values must be in (0, 1)", self.lesion_fractions)
        check(self.lesion_draws >= 1, "lesion_draws", "must be positive", self.lesion_draws)
