"""One Hydra job: validate, skip if already done, else train, analyse and record.

Kept apart from the entry point so that launchers which ship the task function to
worker processes (joblib, submitit) find this module by name: a reused worker then keeps
its own clock and state rather than copies pickled from the launching process.
"""

from __future__ import annotations

import time

# The first job in a process pays for the imports; later jobs (a launcher reusing the
# process) start their clock when they start.
_PROCESS_STARTED: float | None = time.perf_counter()

import logging  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

from hydra.core.hydra_config import HydraConfig  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from mirror.config import validate  # noqa: E402
from mirror.job_context import JobContext  # noqa: E402
from mirror.outcome import ExperimentOutcome  # noqa: E402
from mirror.termination import stop_on_sigterm  # noqa: E402
from mirror.tracking.liveness import fail_abandoned_runs  # noqa: E402
from mirror.tracking.resume import config_hash, finished_run  # noqa: E402
from mirror.tracking.store import prepare_experiment  # noqa: E402
from mirror.tracking.sweep import Sweep  # noqa: E402

log = logging.getLogger("mirror")


def threads_per_job(threads: int, launcher: DictConfig) -> int:
    """Torch threads for one job: the setting, else the cores shared fairly between the
    jobs the launcher runs at once, so parallel jobs do not fight over cores."""
    if threads > 0:
        return threads
    if launcher.get("cpus_per_task"):  # submitit: what the job was allotted
        return int(launcher.cpus_per_task)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if "submitit" in str(launcher.get("_target_", "")):  # local executor starts every job at once
        return 1
    n_jobs = launcher.get("n_jobs")  # joblib; -1 means one job per core
    in_parallel = 1 if n_jobs is None else cores if n_jobs < 0 else n_jobs
    return max(1, cores // in_parallel)


def run_job(cfg: DictConfig) -> ExperimentOutcome:
    """Validate, then train, analyse and record one Hydra job; print where the results are.

    In a multirun with ``tracking.resume`` (the default), a config that already has a
    FINISHED run is reported from that run instead of being run again.
    """
    global _PROCESS_STARTED
    started, _PROCESS_STARTED = _PROCESS_STARTED or time.perf_counter(), None
    with stop_on_sigterm():
        return _run_job(cfg, started)


def _run_job(cfg: DictConfig, started: float) -> ExperimentOutcome:
    validate(cfg)
    hydra_cfg = HydraConfig.get()
    job = JobContext(
        model_name=hydra_cfg.runtime.choices["model"],
        output_dir=Path(hydra_cfg.runtime.output_dir),
        overrides=list(hydra_cfg.overrides.task),
        sweep=Sweep.of_job(hydra_cfg),
    )
    tracking = cfg.tracking
    client, experiment_id = prepare_experiment(tracking.uri, tracking.experiment, tracking.artifact_root,
                                               tracking.write_patience_s)
    fail_abandoned_runs(client, experiment_id, tracking.heartbeat_timeout_s)  # before deciding what to skip
    resuming = job.sweep is not None and cfg.tracking.resume
    previous = finished_run(client, experiment_id, config_hash(cfg)) if resuming else None
    if previous is not None:
        job.sweep.mark_done(hydra_cfg.job.num, "SKIPPED")
        outcome = ExperimentOutcome.recorded(previous, cfg.analysis.headline)
    else:
        # The boundary: torch and Lightning load here, after a config was validated and not skipped.
        from mirror.experiment import run_experiment

        outcome = run_experiment(cfg, job, client, experiment_id, started=started,
                                 threads=threads_per_job(cfg.threads, hydra_cfg.launcher))
    log.info(outcome.describe(job, cfg))  # the console and the job's own .log file
    return outcome
