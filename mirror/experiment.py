"""Compose -> instantiate -> fit -> analyse -> log, for one validated config.

Holds every heavy import, so ``python -m mirror.run --help`` and config errors answer
before torch, Lightning or MLflow load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from mirror.analysis.callback import MirrorAnalysisCallback
from mirror.tracking.job_run import JobContext, job_run


@dataclass(frozen=True)
class ExperimentOutcome:
    """What one job produced: its MLflow run, its metrics and where the time went."""

    run_id: str
    metrics: dict[str, float]
    seconds: dict[str, float]
    headline: str
    """Which per-unit r leads the summary ('centred' or 'raw')."""

    @property
    def headline_fraction(self) -> float:
        return self.metrics[f"analysis/{self.headline}/fraction_mirror"]

    def describe(self, job: JobContext, cfg: DictConfig) -> str:
        """A few lines that say what came out and where to find it."""
        seconds = self.seconds
        return (
            f"\n{job.model_name} seed {cfg.seed}: fraction of units with {self.headline} r > "
            f"{cfg.analysis.mirror_threshold}: {self.headline_fraction:.3f}, "
            f"max r {self.metrics[f'analysis/{self.headline}/max_r']:.3f}; significant mirror units "
            f"{self.metrics['analysis/permutation/n_significant_mirror']:.0f}, anti-mirror "
            f"{self.metrics['analysis/permutation/n_significant_anti_mirror']:.0f} "
            f"of {self.metrics['analysis/n_units']:.0f}\n"
            f"  time: start-up {seconds['startup_s']:.1f} s, training {seconds['train_s']:.1f} s, "
            f"analysis {seconds['analysis_s']:.1f} s\n"
            f"  outputs: {job.output_dir}\n"
            f"  MLflow run {self.run_id} in experiment '{cfg.tracking.experiment}' at {cfg.tracking.uri}"
            " (browse with `make ui`)"
        )


def seed_and_pin(seed: int) -> None:
    """Seed every generator and pin algorithms: the same command gives the same numbers.

    Called per job, because launcher workers are reused across jobs.
    """
    pl.seed_everything(seed, workers=True, verbose=False)
    torch.use_deterministic_algorithms(True)


def run_experiment(cfg: DictConfig, job: JobContext, started: float) -> ExperimentOutcome:
    """Train and analyse one validated config; ``started`` is the process's perf_counter at launch."""
    seed_and_pin(cfg.seed)
    datamodule = instantiate(cfg.data)
    model = instantiate(cfg.model, _convert_="all", **datamodule.model_kwargs())
    with job_run(cfg, job) as logger:
        analysis = MirrorAnalysisCallback(
            OmegaConf.to_object(cfg.analysis), job.output_dir, title=f"{job.model_name}, seed {cfg.seed}"
        )
        trainer = pl.Trainer(
            **OmegaConf.to_container(cfg.trainer),
            logger=logger,
            callbacks=[analysis],
            default_root_dir=job.output_dir,
            enable_checkpointing=False,
            enable_model_summary=False,
        )
        fit_started = time.perf_counter()
        trainer.fit(model, datamodule=datamodule)
        fit_seconds = time.perf_counter() - fit_started
        weights = job.output_dir / "model.pt"
        torch.save(model.state_dict(), weights)
        logger.experiment.log_artifact(logger.run_id, str(weights))
        seconds = {
            "startup_s": fit_started - started,
            "train_s": fit_seconds - analysis.seconds,
            "analysis_s": analysis.seconds,
        }
        logger.log_metrics({f"time/{name}": value for name, value in seconds.items()})
    return ExperimentOutcome(
        run_id=logger.run_id, metrics=analysis.result.metrics, seconds=seconds, headline=cfg.analysis.headline
    )
