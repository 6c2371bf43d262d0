"""What one job produced, readable without importing torch or Lightning."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from mirror.job_context import JobContext
from mirror.vocabulary import (
    FRACTION_MIRROR,
    HEBBIAN_CEILING,
    MAX_R,
    MIRROR_INDEX,
    N_ANTI_MIRROR,
    N_MIRROR,
    N_UNITS,
    PARENT_CODE_COSINE,
    READ_OUT_PARENT,
    SAME_UNIT_SIGNIFICANT,
    SEQUENCE_NULL_NEGATIVE,
    SEQUENCE_NULL_POSITIVE,
    associative_metric,
    hebbian_metric,
    r_metric,
    vision_metric,
)

if TYPE_CHECKING:
    from mlflow.entities import Run


@dataclass(frozen=True)
class ExperimentOutcome:
    """What one job produced: its MLflow run, its metrics and where the time went."""

    run_id: str
    metrics: dict[str, float]
    headline: str
    """Which per-unit r leads the summary ('centred' or 'raw')."""
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: bool = False
    """True when a resumed sweep found this config already FINISHED and did not run it."""

    @classmethod
    def recorded(cls, run: Run, headline: str) -> ExperimentOutcome:
        """The outcome of an earlier FINISHED run, for a job a resumed sweep skips."""
        return cls(run_id=run.info.run_id, metrics=dict(run.data.metrics), headline=headline, skipped=True)

    @property
    def headline_fraction(self) -> float:
        return self.metrics[r_metric(self.headline, FRACTION_MIRROR)]

    def _vision_warning(self, cfg: DictConfig) -> str:
        """A line for a Hebbian run whose vision cannot tell the parent's expressions apart."""
        read_out = self.metrics.get(vision_metric("trained", READ_OUT_PARENT))
        threshold = cfg.analysis.get("min_vision_read_out")
        if read_out is None or threshold is None or read_out >= threshold:
            return ""
        cosine = self.metrics.get(vision_metric("trained", PARENT_CODE_COSINE), float("nan"))
        return (f"warning: vision cannot carry the expression for seed {cfg.seed}: layer 4 reads the parent's "
                f"happy vs sad faces at {read_out:.2f} (below analysis.min_vision_read_out = {threshold:g}), "
                f"the cosine of their mean codes is {cosine:.3f}; mirror neurons cannot develop from it\n")

    def _model_test(self) -> str:
        """The line of a model family's own test, under its own name (the Hebbian study's mirror
        neurons, ASL's mirror index), apart from the shared analysis's mirror units."""
        metrics = self.metrics
        if hebbian_metric(N_MIRROR) in metrics:
            return (f"  Hebbian test (selective for the same expression seen and made): "
                    f"{metrics[hebbian_metric(N_MIRROR)]:.0f} mirror neurons, "
                    f"{metrics[hebbian_metric(N_ANTI_MIRROR)]:.0f} anti-mirror, of {metrics[N_UNITS]:.0f} "
                    f"(the test can find at most {metrics[HEBBIAN_CEILING]:.0f})\n")
        if associative_metric(MIRROR_INDEX) in metrics:
            return f"  mirror index of the sensory-to-motor weights: {metrics[associative_metric(MIRROR_INDEX)]:.3f}\n"
        return ""

    def describe(self, job: JobContext, cfg: DictConfig) -> str:
        """A few lines that say what came out and where to find it, each count named for its test."""
        seconds, metrics = self.seconds, self.metrics
        if self.skipped:
            how = "  not run again: this config already FINISHED (tracking.resume=false runs it again)\n"
        else:
            how = (
                f"  time: start-up {seconds['startup_s']:.1f} s, training {seconds['train_s']:.1f} s, "
                f"analysis {seconds['analysis_s']:.1f} s\n"
            )
        n_units = metrics[N_UNITS]
        return (
            f"{self._vision_warning(cfg)}"
            f"{job.model_name} seed {cfg.seed}: {self.headline_fraction * n_units:.0f} mirror units of {n_units:.0f} "
            f"({self.headline} r > {cfg.analysis.mirror_threshold}: {self.headline_fraction:.1%}), "
            f"max r {metrics[r_metric(self.headline, MAX_R)]:.2f}\n"
            f"  r against the sequence null: {metrics[SEQUENCE_NULL_POSITIVE]:.0f} units significantly above, "
            f"{metrics[SEQUENCE_NULL_NEGATIVE]:.0f} below; same-unit null: "
            f"{metrics[SAME_UNIT_SIGNIFICANT]:.0f} units significant\n"
            f"{self._model_test()}"
            f"{how}"
            f"  outputs: {job.output_dir}\n"
            f"  MLflow run {self.run_id} in experiment '{cfg.tracking.experiment}' at {cfg.tracking.uri}"
            " (browse with `make ui`)"
        )
