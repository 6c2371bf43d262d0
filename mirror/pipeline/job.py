"""One Hydra job: validate, decide (skip what FINISHED here, copy what FINISHED elsewhere by the same code, run
the rest), run, describe.

Kept apart from the entry point so that launchers which ship the task function to
worker processes (joblib, submitit) find this module by name: a reused worker then keeps
its own state rather than copies pickled from the launching process.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from mirror.config import validate
from mirror.config.execution import machine_cores
from mirror.pipeline.outcome import ExperimentOutcome
from mirror.pipeline.worker import job_clock_start, job_log_tag, working_for
from mirror.termination import stop_on_sigterm
from mirror.tracking.decision import COPY, SKIP, ConfigAlreadyRunning, Decision, decide
from mirror.tracking.job_context import JobContext
from mirror.tracking.job_run import CONFIG_ARTIFACT
from mirror.tracking.resume import config_hash
from mirror.tracking.store import bound_server_requests, prepare_experiment
from mirror.tracking.sweep import Sweep
from mirror.tracking.tags import COPIED_FROM_TAG, NOTE_TAG, code_digest

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger("mirror")


def threads_per_job(threads: int, launcher: DictConfig) -> int:
    """Torch threads for one job: the setting, else the cores shared fairly between the
    jobs the launcher runs at once, so parallel jobs do not fight over cores."""
    if threads > 0:
        return threads
    if launcher.get("cpus_per_task"):  # submitit: what the job was allotted
        return int(launcher.cpus_per_task)
    cores = machine_cores()
    if "submitit" in str(launcher.get("_target_", "")):  # local executor starts every job at once
        return 1
    n_jobs = launcher.get("n_jobs")  # joblib; -1 means one job per core
    in_parallel = 1 if n_jobs is None else cores if n_jobs < 0 else n_jobs
    return max(1, cores // in_parallel)


def run_job(cfg: DictConfig) -> ExperimentOutcome:
    """Validate, then train, analyse and record one Hydra job; print where the results are.

    In a multirun with ``tracking.resume`` (the default), a config that already has a
    FINISHED run is reported from that run instead of being run again, and one that a live
    process is running now is not started a second time. A worker process of a sweep ends
    (its job's run KILLED) when the sweep's launching process is gone.
    """
    started = job_clock_start()
    hydra_cfg = HydraConfig.get()
    sweep = Sweep.of_job(hydra_cfg)
    label = sweep.job_label(hydra_cfg.job.num, list(hydra_cfg.overrides.task)) if sweep is not None else ""
    with working_for(sweep), job_log_tag(label), stop_on_sigterm():
        return _run_job(cfg, started, sweep)


RUN_AGAIN_AFTER_A_CRASH = "MIRROR_RUN_AGAIN_AFTER_A_CRASH"
"""Set (by :mod:`mirror.pipeline.launch`) in a worker running jobs again after another worker died."""
DYING_HOLDER_GRACE_S = 10.0
"""How long such a job waits for the process holding its config RUNNING to end before refusing to start."""


def _decided(cfg: DictConfig, job: JobContext, client: MlflowClient, experiment_id: str,
             started: float) -> tuple[Decision, ExperimentOutcome]:
    """Skip, copy or run the job; the decision and what came of it."""
    hydra_cfg = HydraConfig.get()
    tracking = cfg.tracking
    artifacts = (CONFIG_ARTIFACT, *type(OmegaConf.to_object(cfg.analysis)).ARTIFACTS)
    decision = decide(client, experiment_id, job.config_hash, resuming=job.sweep is not None and tracking.resume,
                      code=code_digest(), heartbeat_timeout_s=tracking.heartbeat_timeout_s,
                      holder_grace_s=DYING_HOLDER_GRACE_S if os.environ.get(RUN_AGAIN_AFTER_A_CRASH) else 0.0,
                      artifacts=artifacts)
    headline = cfg.analysis.get("headline")
    if decision.action == SKIP:
        job.sweep.mark_done(hydra_cfg.job.num, "SKIPPED", decision.run.info.run_id)
        return decision, ExperimentOutcome.recorded(decision.run, headline)
    if decision.action == COPY:
        from mirror.tracking.reuse import copy_finished_run  # its run's logger loads Lightning

        copied = client.get_run(copy_finished_run(cfg, job, client, experiment_id, decision.run))
        job.sweep.mark_done(hydra_cfg.job.num, "COPIED", copied.info.run_id)
        return decision, ExperimentOutcome.recorded(copied, headline, copied.data.tags[COPIED_FROM_TAG])
    # The boundary: torch and Lightning load here, after a config was validated and not skipped.
    from mirror.pipeline.experiment import run_experiment

    return decision, run_experiment(cfg, job, client, experiment_id, started=started,
                                    threads=threads_per_job(cfg.threads, hydra_cfg.launcher))


def _run_job(cfg: DictConfig, started: float, sweep: Sweep | None) -> ExperimentOutcome:
    validate(cfg)
    hydra_cfg = HydraConfig.get()
    job = JobContext(
        model_name=hydra_cfg.runtime.choices["model"],
        output_dir=Path(hydra_cfg.runtime.output_dir),
        config_hash=config_hash(cfg),
        overrides=list(hydra_cfg.overrides.task),
        sweep=sweep,
    )
    tracking = cfg.tracking
    bound_server_requests(tracking.request_timeout_s, tracking.request_retries)
    client, experiment_id = prepare_experiment(tracking.uri, tracking.experiment, tracking.artifact_root,
                                               tracking.write_patience_s)
    try:
        decision, outcome = _decided(cfg, job, client, experiment_id, started)
    except ConfigAlreadyRunning as held:  # another live process runs it: skipped, in one line
        job.sweep.mark_done(hydra_cfg.job.num, "SKIPPED")
        log.warning("%s seed %s: %s", job.model_name, cfg.seed, held)
        return ExperimentOutcome.held(str(held))
    log.info(outcome.describe(job, cfg))  # the console and the job's own .log file
    if decision.action != SKIP and outcome.end_recorded:
        client.set_tag(outcome.run_id, NOTE_TAG, outcome.description(job, cfg))  # the run's page in the UI
    return outcome
