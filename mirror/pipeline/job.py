"""One Hydra job: validate, skip if already done (copy if done in another experiment by the same code),
else train, analyse and record.

Kept apart from the entry point so that launchers which ship the task function to
worker processes (joblib, submitit) find this module by name: a reused worker then keeps
its own state rather than copies pickled from the launching process.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from mirror.config import validate
from mirror.pipeline.outcome import ExperimentOutcome
from mirror.termination import Terminated, stop_on_sigterm
from mirror.tracking.job_context import JobContext
from mirror.tracking.liveness import LauncherWatch, fail_abandoned_runs, process_start_ticks, running_owner
from mirror.tracking.resume import config_hash, finished_elsewhere, finished_run
from mirror.tracking.store import bound_server_requests, prepare_experiment
from mirror.tracking.sweep import Sweep
from mirror.tracking.tags import COPIED_FROM_TAG, code_digest

log = logging.getLogger("mirror")

_jobs_run_here = 0
"""Jobs this process has started: the first pays for the imports, later ones (a launcher reusing
the process) start their clock when they start."""


def seconds_since_process_start() -> float:
    """How long this process has been running (0 where /proc cannot say)."""
    ticks = process_start_ticks(os.getpid())
    if ticks is None:
        return 0.0
    return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - int(ticks) / os.sysconf("SC_CLK_TCK"))


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


class ConfigAlreadyRunning(RuntimeError):
    """A resumed sweep's job whose config another live process is running now."""


_launcher_watch: LauncherWatch | None = None
"""In a sweep's worker process, the one watch on the launching process, for the worker's whole life."""
_job_in_progress = threading.Event()


def _exit_with_the_launcher() -> NoReturn:
    """End a worker whose sweep's launcher is gone: nobody waits for its jobs any more."""
    log.warning("the sweep's launching process is gone: this worker ends")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(Terminated.exit_status)


def _launcher_gone() -> None:
    """Stop the job in progress (its run is closed KILLED, then the worker ends), or end an idle worker."""
    if _job_in_progress.is_set():
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        _exit_with_the_launcher()


def run_job(cfg: DictConfig) -> ExperimentOutcome:
    """Validate, then train, analyse and record one Hydra job; print where the results are.

    In a multirun with ``tracking.resume`` (the default), a config that already has a
    FINISHED run is reported from that run instead of being run again, and one that a live
    process is running now is not started a second time. A worker process of a sweep ends
    (its job's run KILLED) when the sweep's launching process is gone.
    """
    global _jobs_run_here, _launcher_watch
    started = time.perf_counter() - (seconds_since_process_start() if _jobs_run_here == 0 else 0.0)
    _jobs_run_here += 1
    hydra_cfg = HydraConfig.get()
    sweep = Sweep.of_job(hydra_cfg)
    watch = sweep.launcher_watch() if sweep is not None else None
    if watch is not None and watch.gone():
        _exit_with_the_launcher()
    if watch is not None and _launcher_watch is None:
        _launcher_watch = watch.start(_launcher_gone)
    _job_in_progress.set()
    try:
        with stop_on_sigterm():
            return _run_job(cfg, started, sweep)
    except Terminated:
        if _launcher_watch is not None and _launcher_watch.fired:
            _exit_with_the_launcher()
        raise
    finally:
        _job_in_progress.clear()


RUN_AGAIN_AFTER_A_CRASH = "MIRROR_RUN_AGAIN_AFTER_A_CRASH"
"""Set (by :mod:`mirror.pipeline.launch`) in a worker running jobs again after another worker died."""
DYING_HOLDER_GRACE_S = 10.0
"""How long such a job waits for the process holding its config RUNNING to end before refusing to start."""


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
    fail_abandoned_runs(client, experiment_id, tracking.heartbeat_timeout_s)  # before deciding what to skip
    resuming = job.sweep is not None and cfg.tracking.resume
    previous = finished_run(client, experiment_id, job.config_hash) if resuming else None
    holder = running_owner(client, experiment_id, job.config_hash) if resuming and previous is None else None
    waited = 0.0
    while holder is not None and os.environ.get(RUN_AGAIN_AFTER_A_CRASH) and waited < DYING_HOLDER_GRACE_S:
        # A job run again after a worker died can start while the worker that held it, killed with the
        # broken executor, is still being terminated: give that process time to end.
        time.sleep(0.5)
        waited += 0.5
        fail_abandoned_runs(client, experiment_id, tracking.heartbeat_timeout_s)
        holder = running_owner(client, experiment_id, job.config_hash)
    if holder is not None:
        raise ConfigAlreadyRunning(f"this config is already RUNNING ({holder}): not started a second time; a later "
                                   "resume of the sweep skips it once that run has FINISHED")
    elsewhere = (finished_elsewhere(client, experiment_id, job.config_hash, code_digest())
                 if resuming and previous is None else None)
    if previous is not None:
        job.sweep.mark_done(hydra_cfg.job.num, "SKIPPED")
        outcome = ExperimentOutcome.recorded(previous, cfg.analysis.get("headline"))
    elif elsewhere is not None:
        from mirror.tracking.reuse import copy_finished_run  # its run's logger loads Lightning

        copied = client.get_run(copy_finished_run(cfg, job, client, experiment_id, elsewhere))
        job.sweep.mark_done(hydra_cfg.job.num, "COPIED")
        outcome = ExperimentOutcome.recorded(copied, cfg.analysis.get("headline"), copied.data.tags[COPIED_FROM_TAG])
    else:
        # The boundary: torch and Lightning load here, after a config was validated and not skipped.
        from mirror.pipeline.experiment import run_experiment

        outcome = run_experiment(cfg, job, client, experiment_id, started=started,
                                 threads=threads_per_job(cfg.threads, hydra_cfg.launcher))
    log.info(outcome.describe(job, cfg))  # the console and the job's own .log file
    return outcome
