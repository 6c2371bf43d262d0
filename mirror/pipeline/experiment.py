"""Compose -> instantiate -> fit -> analyse -> log, for one validated config.

Holds every heavy import, so ``python -m mirror.run --help`` and config errors answer
before torch, Lightning or MLflow load.
"""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from mlflow.entities import RunTag
from omegaconf import DictConfig, OmegaConf

from mirror.analysis.callback import measuring_callbacks
from mirror.config.execution import draws_figures
from mirror.pipeline.outcome import ExperimentOutcome
from mirror.pipeline.progress import progress
from mirror.pipeline.threads import BLAS_THREADS, reset_process_state
from mirror.tracking.job_context import JobContext
from mirror.tracking.job_run import job_run
from mirror.tracking.tags import BLAS_THREADS_TAG, TORCH_THREADS_TAG
from mirror.vocabulary import JOB_SECONDS, TIME

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

# Printed into every run's log and nothing a user can act on: Lightning's own use of a deprecated
# torch API, its note that the Hebbian and associative models (which learn without gradients)
# have no optimiser, and that a planted population (which learns nothing) has no validation step.
warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)")
warnings.filterwarnings("ignore", message=r".*configure_optimizers. returned .None., this fit will run with no optimizer")
warnings.filterwarnings("ignore", message=r".*You passed in a .val_dataloader. but have no .validation_step")


def run_experiment(cfg: DictConfig, job: JobContext, client: MlflowClient, experiment_id: str, started: float,
                   threads: int) -> ExperimentOutcome:
    """Train and analyse one validated config into the job's open store; ``started`` is the
    process's perf_counter at launch."""
    reset_process_state(cfg.seed, threads)
    datamodule = instantiate(cfg.data)
    # "object": typed nodes (VisionConfig, MirrorLayerConfig) reach the model as dataclasses.
    model = instantiate(cfg.model, _convert_="object", **datamodule.model_kwargs())
    with job_run(cfg, job, client, experiment_id) as logger:
        logger.experiment.log_batch(logger.run_id, tags=[RunTag(TORCH_THREADS_TAG, str(threads)),
                                                         RunTag(BLAS_THREADS_TAG, str(BLAS_THREADS))])
        callbacks = measuring_callbacks(OmegaConf.to_object(cfg.analysis), job.output_dir,
                                        f"{job.model_name}, seed {cfg.seed}",
                                        draws_figures(cfg.figures, in_a_sweep=job.sweep is not None))
        arguments = OmegaConf.to_object(cfg.trainer).trainer_arguments()
        arguments["enable_progress_bar"], reporters = progress(arguments["enable_progress_bar"])
        trainer = pl.Trainer(
            **arguments,
            logger=logger,
            callbacks=callbacks + reporters,
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
        # The measuring done: the shared analysis's, and a family's where its callback times it.
        analysis_seconds = sum(callback.seconds for callback in callbacks)
        seconds = dict(zip(JOB_SECONDS, (fit_started - started, fit_seconds - analysis_seconds, analysis_seconds)))
        logger.log_metrics({f"{TIME}/{name}": value for name, value in seconds.items()})
    metrics = {name: value for callback in callbacks for name, value in callback.logged.items()}
    return ExperimentOutcome(run_id=logger.run_id, metrics=metrics, seconds=seconds,
                             headline=cfg.analysis.get("headline"), end_recorded=logger.end_recorded,
                             experiment_id=experiment_id)
