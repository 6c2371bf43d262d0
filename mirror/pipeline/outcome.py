"""What one job produced, readable without importing torch or Lightning."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omegaconf import DictConfig, OmegaConf

from mirror.config import HEADLINE_METRICS
from mirror.tracking.job_context import JobContext
from mirror.tracking.store import ui_page
from mirror.vocabulary import (
    FRACTION_MIRROR,
    MAX_R,
    N_UNITS,
    ROTATED_FRACTION_MIRROR,
    SAME_UNIT_SIGNIFICANT,
    SEQUENCE_NULL_NEGATIVE,
    SEQUENCE_NULL_POSITIVE,
    congruence_metric,
    r_metric,
)

if TYPE_CHECKING:
    from mlflow.entities import Run


@dataclass(frozen=True)
class ExperimentOutcome:
    """What one job produced: its MLflow run, its metrics and where the time went."""

    run_id: str
    metrics: dict[str, float]
    headline: str | None
    """Which per-unit r leads the summary ('centred' or 'raw'); None for a family without the shared analysis."""
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: bool = False
    """True when a resumed sweep found this config already FINISHED and did not run it."""
    copied_from: str | None = None
    """Where the run was copied from when the config FINISHED in another experiment ('<run id> in <experiment>')."""
    end_recorded: bool = True
    """False when the tracking store did not record the run's end (a server that died mid-run)."""
    experiment_id: str = ""
    """The run's experiment in the store, for its page in the UI."""
    held_by: str | None = None
    """Why a job was skipped while another process held its config (no run of its own: run_id is empty)."""

    @classmethod
    def recorded(cls, run: Run, headline: str | None, copied_from: str | None = None) -> ExperimentOutcome:
        """The outcome of an earlier FINISHED run, for a job a resumed sweep skips or copies."""
        return cls(run_id=run.info.run_id, metrics=dict(run.data.metrics), headline=headline, skipped=True,
                   copied_from=copied_from, experiment_id=run.info.experiment_id)

    @classmethod
    def held(cls, why: str) -> ExperimentOutcome:
        """The outcome of a job skipped because another live process holds its config (``why`` says which run)."""
        return cls(run_id="", metrics={}, headline=None, skipped=True, held_by=why)

    @property
    def headline_fraction(self) -> float:
        """The headline fraction of mirror units; NaN for a family the shared analysis does not score."""
        return float("nan") if self.headline is None else self.metrics[r_metric(self.headline, FRACTION_MIRROR)]

    def _shared_lines(self, cfg: DictConfig) -> str:
        """What the shared analysis found, after the job's name; a line end alone for a family it does not score."""
        metrics = self.metrics
        if self.headline is None:
            return "\n"
        n_units = metrics[N_UNITS]
        return (
            f" {self.headline_fraction * n_units:.0f} mirror units of {n_units:.0f} "
            f"({self.headline} r > {cfg.analysis.mirror_threshold}: {self.headline_fraction:.1%}), "
            f"max r {metrics[r_metric(self.headline, MAX_R)]:.2f}\n"
            f"  r against the sequence null: {metrics[SEQUENCE_NULL_POSITIVE]:.0f} units significantly above, "
            f"{metrics[SEQUENCE_NULL_NEGATIVE]:.0f} below; same-unit null: "
            f"{metrics[SAME_UNIT_SIGNIFICANT]:.0f} units significant\n"
            f"{self._experimental_line()}"
        )

    def _experimental_line(self) -> str:
        """Congruent selectivity and rotated r (docs/measures.md 3.2), for runs whose analysis measured them."""
        metrics = self.metrics
        if congruence_metric("n_strictly_congruent") not in metrics:
            return ""
        return (f"  congruent action selectivity: {metrics[congruence_metric('n_strictly_congruent')]:.0f} units "
                f"strictly, {metrics[congruence_metric('n_broadly_congruent')]:.0f} broadly congruent; after rotating "
                f"the hidden space {metrics[ROTATED_FRACTION_MIRROR]:.1%} of units mirror\n")

    def describe(self, job: JobContext, cfg: DictConfig) -> str:
        """A few lines that say what came out and where to find it, each count named for its test;
        the model family's analysis adds its own (:meth:`mirror.config.AnalysisConfig.summary_lines`)."""
        seconds, metrics = self.seconds, self.metrics
        warning, family_line = OmegaConf.to_object(cfg.analysis).summary_lines(metrics, cfg.seed)
        if self.copied_from is not None:
            how = (f"  not run again: copied from run {self.copied_from}, where this config FINISHED "
                   "(tracking.resume=false runs it again)\n")
        elif self.skipped:
            how = "  not run again: this config already FINISHED (tracking.resume=false runs it again)\n"
        else:
            how = (
                f"  time: start-up {seconds['startup_s']:.1f} s, training {seconds['train_s']:.1f} s, "
                f"analysis {seconds['analysis_s']:.1f} s\n"
            )
        return (
            f"{warning}"
            f"{job.model_name} seed {cfg.seed}:{self._shared_lines(cfg)}"
            f"{family_line}"
            f"{how}"
            f"  outputs: {job.output_dir}\n"
            f"  MLflow run {self.run_id} in experiment '{cfg.tracking.experiment}' at {cfg.tracking.uri}\n"
            f"  its page: {ui_page(cfg.tracking.uri, self.experiment_id, self.run_id)}"
            + (" (after `make ui`)" if not cfg.tracking.uri.startswith(("http://", "https://")) else "")
            + ("" if self.end_recorded else
               f"\n  the tracking store lost this run's end: it may still show RUNNING (the next run of the experiment "
               f"marks it FAILED); its metrics are in {job.output_dir / 'analysis' / 'metrics.json'}")
        )

    def description(self, job: JobContext, cfg: DictConfig) -> str:
        """The run's description in MLflow's UI (Markdown): the headline metrics it logged, in the order the
        reports lead with, then the summary the console printed."""
        rows = [f"| {label} | `{name}` | {self.metrics[name]:.4g} |" for name, label in HEADLINE_METRICS.items()
                if name in self.metrics]
        table = ["| headline metric | name | value |", "|---|---|---|", *rows] if rows else []
        return "\n".join([f"**{job.model_name}, seed {cfg.seed}**", "", *table, "", "```",
                          self.describe(job, cfg), "```"])
