"""The associative model's family (docs/models/associative.md 5): Associative Sequence Learning, its trials and measures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mirror.config.analysis import AnalysisConfig
from mirror.config.checks import check, check_choice
from mirror.config.hooks import ModelSchema, PairedDataSchema
from mirror.config.memory import DOUBLE, FLOAT, analysis_bytes
from mirror.vocabulary.associative import (
    ASSOCIATIVE_RULES,
    D_PRIME,
    DELTA_P,
    EVOKED_RESPONSE,
    FRACTION_SELF_PREFERRING,
    MIRROR_INDEX,
    SELECTIVE_RESPONSE,
    associative_metric,
)

UNPAIRED_KINDS = ("seeing", "doing", "both")
SOUNDS = ("none", "per_action", "shared")
"""What is heard with an action on the trials of the indirect route: no sound (normal development), the action's own
sound, or one sound shared by every action (the route's control)."""
FLOAT32_MAX = 3.4028234663852886e38
"""The largest float32, the weights' type."""


@dataclass
class AssociativeModelConfig(ModelSchema):
    """Associative Sequence Learning (docs/models/associative.md 5.1): sensory -> motor weights learnt trial by trial."""

    SECONDS_PER_JOB: ClassVar[float] = 0.16
    """Wall seconds of one job at the presets' settings on a 2-core machine (see GRUModelConfig)."""

    _target_: str = "mirror.models.associative.AssociativeSequenceLearning"
    rule: str = "rescorla_wagner"
    """'hebb' (W += eta m x^T, rows capped at unit length: contiguity is all it sees), 'covariance'
    (W += eta (m - mbar)(x - xbar)^T with running means: Hebb with depression, Sejnowski 1977) or
    'rescorla_wagner' (W += eta (lambda m - W x) x^T: prediction error, so contingency matters)."""
    learning_rate: float = 0.05
    """eta, the step of every weight change."""
    asymptote: float = 1.0
    """lambda, the motor activity a Rescorla-Wagner association grows towards."""
    mean_rate: float = 0.02
    """rho, the covariance rule's running means' step: mbar += rho (m - mbar), so they average the last
    ~1/rho = 50 trials (about six of each action); they start at 0. Used by rule=covariance only."""
    initial_weight: float = 0.01
    """Initial weights are uniform in [0, initial_weight]: small and unsystematic."""
    response_noise: float = 0.05
    """Standard deviation of Gaussian noise on every motor unit at test, so that statistics over
    repeated test trials of one action are not degenerate; the unit of the selective response."""

    def validate(self) -> None:
        check_choice("rule", self.rule, ASSOCIATIVE_RULES)
        check(self.learning_rate > 0.0, "learning_rate",
              "must be positive (at 0 nothing is learnt; trainer.max_epochs=0 scores the untrained weights)",
              self.learning_rate)
        check(self.asymptote > 0.0, "asymptote", "must be positive", self.asymptote)
        check(0.0 < self.mean_rate <= 1.0, "mean_rate", "must be in (0, 1]", self.mean_rate)
        check(0.0 <= self.initial_weight <= FLOAT32_MAX, "initial_weight",
              f"must be in [0, {FLOAT32_MAX:.3g}] (the weights are float32)", self.initial_weight)
        check(self.response_noise > 0.0, "response_noise",
              "must be positive (it is the unit of the selective response)", self.response_noise)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores: the motor units."""
        return data.n_actions


@dataclass
class SensorimotorPairingsDataConfig(PairedDataSchema):
    """The trials that train the associative model (docs/models/associative.md 5.1): doing, seeing, both, in order."""

    _target_: str = "mirror.data.sensorimotor_pairings.SensorimotorPairingsDataModule"
    n_actions: int = 8
    """n, the actions that can be done and seen (S_1..S_n, M_1..M_n)."""
    n_trials: int = 400
    """Paired trials (doing and seeing) of normal development; unpaired trials come on top."""
    persistence: float = 0.75
    """Probability that the action done repeats the previous one, so that a lag between doing and
    seeing degrades the pairing gradually rather than all at once."""
    lag: int = 0
    """Contiguity: on a paired trial the action seen is the one done ``lag`` paired trials before
    (nothing is seen on the first ``lag``)."""
    mismatch: float = 0.0
    """Imperfect imitation: on this fraction of paired trials another action than the one done is seen."""
    unpaired_fraction: float = 0.0
    """Contingency: the fraction of all development trials that are unpaired (seeing alone or doing
    alone), added to the ``n_trials`` paired ones at random positions (0.8: four unpaired per paired)."""
    unpaired_kind: str = "both"
    """What an unpaired trial is: 'seeing' alone, 'doing' alone, or 'both' kinds, half each."""
    signalled: bool = False
    """An extra sensory cue present on exactly the unpaired trials (Cook, Press, Dickinson & Heyes
    2010, Exp. 2): under prediction-error learning it absorbs what the unpaired trials teach."""
    counter_mirror_trials: int = 0
    """After development, trials of seeing action (i + 1) mod n while doing i."""
    repair_trials: int = 0
    """After counter-mirror training, paired trials of normal imitation again."""
    sound: str = "none"
    """The indirect route (Heyes): 'per_action' or 'shared' splits each paired trial of development into doing or
    seeing alone, never both, with the action's own sound or one sound for all heard on it; 'none' leaves
    development as it is."""
    batch_size: int = 20
    """Consecutive trials per training step (the model still learns trial by trial within it)."""
    test_trials: int = 20
    """Test presentations of each action, done alone and seen alone."""
    seed: int = 42
    """Seeds the schedule (actions, mismatches, positions of unpaired trials)."""

    def validate(self) -> None:
        check(self.n_actions >= 2, "n_actions", "must be at least 2", self.n_actions)
        check(self.n_trials >= 1, "n_trials", "must be positive", self.n_trials)
        check(0.0 <= self.persistence < 1.0, "persistence", "must be in [0, 1)", self.persistence)
        check(0 <= self.lag < self.n_trials, "lag", "must be in [0, n_trials)", self.lag)
        check(0.0 <= self.mismatch <= 1.0, "mismatch", "must be in [0, 1]", self.mismatch)
        check(0.0 <= self.unpaired_fraction < 1.0, "unpaired_fraction", "must be in [0, 1)", self.unpaired_fraction)
        check_choice("unpaired_kind", self.unpaired_kind, UNPAIRED_KINDS)
        check_choice("sound", self.sound, SOUNDS)
        check(self.sound == "none" or (self.unpaired_fraction == 0.0 and not self.signalled), "sound",
              "splits paired trials into doing and seeing alone: it takes no unpaired_fraction and no signalled cue",
              self.sound)
        for name in ("counter_mirror_trials", "repair_trials"):
            check(getattr(self, name) >= 0, name, "must be non-negative", getattr(self, name))
        check(self.batch_size >= 1, "batch_size", "must be positive", self.batch_size)
        check(self.test_trials >= 2, "test_trials", "must be at least 2", self.test_trials)
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity: each action done alone and seen alone."""
        return self.n_actions * self.test_trials, 1


@dataclass
class AssociativeAnalysisConfig(AnalysisConfig):
    """The shared analysis plus the associative model's own measures of its weights."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {
        associative_metric(SELECTIVE_RESPONSE): "selective response (noise sd)",
        associative_metric(EVOKED_RESPONSE): "response to seeing i over seeing nothing (noise sd)",
        associative_metric(MIRROR_INDEX): "mirror index of W",
        associative_metric(D_PRIME): "d' of the selective response",
        associative_metric(FRACTION_SELF_PREFERRING): "self-preferring motor units",
    }

    DESIGN_METRICS: ClassVar[dict[str, str]] = {DELTA_P: "programmed Delta P"}

    _target_: str = "mirror.analysis.associative.callback.AssociativeAnalysisCallback"

    top_units: int = 4
    """How many of the most mirror-like motor units the lag summary and figures describe (of 8 by default)."""
    eval_every: int = 20
    """Trials between points of the curves of the mirror index over training."""

    def validate(self) -> None:
        super().validate()
        check(self.eval_every >= 1, "eval_every", "must be positive", self.eval_every)

    def summary_lines(self, metrics: dict[str, float], seed: int) -> tuple[str, str]:
        """The strength and the shape of the learnt weights, apart from the shared analysis's mirror units."""
        index = metrics.get(associative_metric(MIRROR_INDEX))
        strength, d = metrics.get(associative_metric(SELECTIVE_RESPONSE)), metrics.get(associative_metric(D_PRIME))
        if index is None or strength is None or d is None:
            return "", ""
        return "", (f"  sensory-to-motor weights: selective response {strength:.2f} noise sd (d' {d:.2f}), "
                    f"mirror index {index:.3f}\n")


def associative_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of an associative-model run, by the field that drives each part."""
    trials = data.n_trials / (1.0 - data.unpaired_fraction) + data.counter_mirror_trials + data.repair_trials
    return {
        "data.n_actions": data.n_actions * (data.n_actions + 1) * FLOAT * 4,
        "data.n_trials": trials * 3 * DOUBLE * 2,
        **analysis_bytes(analysis, data.n_actions * data.test_trials, 1, data.n_actions),
    }
