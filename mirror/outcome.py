"""What one job produced, readable without importing torch or Lightning."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omegaconf import DictConfig

from mirror.job_context import JobContext
from mirror.vocabulary import (
    FRACTION_MIRROR,
    MAX_R,
    N_UNITS,
    SIGNIFICANT_ANTI_MIRROR,
    SIGNIFICANT_MIRROR,
    r_metric,
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

    def describe(self, job: JobContext, cfg: DictConfig) -> str:
        """A few lines that say what came out and where to find it."""
        seconds = self.seconds
        if self.skipped:
            how = "  not run again: this config already FINISHED (tracking.resume=false runs it again)\n"
        else:
            how = (
                f"  time: start-up {seconds['startup_s']:.1f} s, training {seconds['train_s']:.1f} s, "
                f"analysis {seconds['analysis_s']:.1f} s\n"
            )
        return (
            f"\n{job.model_name} seed {cfg.seed}: fraction of units with {self.headline} r > "
            f"{cfg.analysis.mirror_threshold}: {self.headline_fraction:.3f}, "
            f"max r {self.metrics[r_metric(self.headline, MAX_R)]:.3f}; significant mirror units "
            f"{self.metrics[SIGNIFICANT_MIRROR]:.0f}, anti-mirror "
            f"{self.metrics[SIGNIFICANT_ANTI_MIRROR]:.0f} "
            f"of {self.metrics[N_UNITS]:.0f}\n"
            f"{how}"
            f"  outputs: {job.output_dir}\n"
            f"  MLflow run {self.run_id} in experiment '{cfg.tracking.experiment}' at {cfg.tracking.uri}"
            " (browse with `make ui`)"
        )


