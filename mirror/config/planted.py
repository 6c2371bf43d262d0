"""The planted populations' family: activity with a known property, no training, scored by the shared analysis
(docs/calibration.md). Its data are the GRUs' action sequences, so a planted population and a trained network
are scored on the same test set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from mirror.config.analysis import LesionAnalysisConfig
from mirror.config.checks import check, check_choice
from mirror.config.hooks import ModelSchema
from mirror.config.memory import DOUBLE, analysis_bytes


@dataclass
class PlantedAnalysisConfig(LesionAnalysisConfig):
    """The shared analysis and the lesion test, whose references planted populations are: with no network behind
    them, a lesion silences units where a linear read-out of the action reads them (mirror.analysis.lesions)."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {}
    """None of its own: the reports lead with the shared analysis's."""

    _target_: str = "mirror.analysis.planted.PlantedControlsCallback"
    power_populations: int = 0
    """Planted populations drawn at each point of the power grid (mirror.analysis.power); 0 measures no power."""
    power_prevalences: list[float] = field(default_factory=lambda: [0.05, 0.1, 0.28])
    """Prevalences of mirror units the power grid plants: a few, a tenth, the draft's 28 %."""
    power_units: list[int] = field(default_factory=lambda: [10, 25, 50, 100, 200, 400])
    """Recorded units the power grid draws: from a handful of electrodes to a wide imaging field."""

    def validate(self) -> None:
        super().validate()
        check(self.power_populations >= 0, "power_populations", "must be non-negative", self.power_populations)
        check(bool(self.power_prevalences) and all(0.0 < p <= 1.0 for p in self.power_prevalences),
              "power_prevalences", "values must be in (0, 1]", self.power_prevalences)
        check(bool(self.power_units) and all(u >= 2 for u in self.power_units), "power_units",
              "values must be at least 2 units", self.power_units)


OBSERVER_SEES = ACTIONS, CONSEQUENCES = ("actions", "consequences")
"""What a planted observer's code is of: the observed action itself, or a linear estimate of it from its sensory
consequences (mirror.data.planted), which randomised sensory dynamics take away."""

OTHERS = PERMUTED, UNTUNED = ("permuted", "untuned")
"""What the units that are neither mirror nor anti-mirror carry in observe mode (mirror.data.planted)."""


@dataclass
class PlantedPopulationConfig(ModelSchema):
    """A population of units whose mirroring is planted (mirror.data.planted)."""

    SECONDS_PER_JOB: ClassVar[float] = 6.0
    """Mean wall seconds of one job at two jobs at a time: the shared analysis alone, nothing is trained."""

    _target_: str = "mirror.models.planted.PlantedPopulationModel"
    units: int = 96
    """How many units, as many as the GRUs' hidden size."""
    mirror_fraction: float = 0.0
    """Fraction of units whose observe code is their own perform code."""
    anti_mirror_fraction: float = 0.0
    """Fraction of units whose observe code is the negative of their perform code."""
    others: str = PERMUTED
    """What every other unit carries in observe mode: 'permuted' (another unit's perform code: the same code in other
    units, r at its chance level) or 'untuned' (noise alone)."""
    lag: int = 0
    """Steps by which every observe code follows the action."""
    perform_noise: float = 0.1
    """Sd of the perform-mode noise, in units of the tuning's sd."""
    observe_noise: float = 0.1
    """Sd of the observe-mode noise, in units of the tuning's sd."""
    observer_sees: str = ACTIONS
    """'actions' (the observe code is of the action itself) or 'consequences' (of a linear estimate of the action
    from the sensations: the reference whose mirroring the randomised sensory dynamics of D11 take away)."""
    seed: int = 0
    """Seeds the tunings, the noise and the unit order (follows the run's seed)."""

    def validate(self) -> None:
        check(self.units >= 2, "units", "must be at least 2 to correlate units", self.units)
        for name in ("mirror_fraction", "anti_mirror_fraction"):
            check(0.0 <= getattr(self, name) <= 1.0, name, "must be in [0, 1]", getattr(self, name))
        check(self.mirror_fraction + self.anti_mirror_fraction <= 1.0, "anti_mirror_fraction",
              "plus mirror_fraction must be at most 1", self.anti_mirror_fraction)
        check_choice("others", self.others, OTHERS)
        check(self.lag >= 0, "lag", "must be non-negative", self.lag)
        check_choice("observer_sees", self.observer_sees, OBSERVER_SEES)
        check(self.lag == 0 or self.observer_sees == ACTIONS, "lag", "must be 0 for an observer of consequences",
              self.lag)
        for name in ("perform_noise", "observe_noise"):
            check(getattr(self, name) >= 0.0, name, "must be non-negative", getattr(self, name))
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores."""
        return self.units


def planted_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a planted population's job: its activity and the shared analysis of it."""
    activity = 2 * data.n_test * data.seq_len * model.units * DOUBLE * 3  # both modes, code and noise
    return {"model.units": activity, **analysis_bytes(analysis, data.n_test, data.seq_len, model.units)}
