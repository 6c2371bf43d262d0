"""Hydra callback that turns a multirun into one sweep in MLflow."""

from __future__ import annotations

import atexit
import logging
from typing import TYPE_CHECKING, Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from mirror.termination import stop_requested
from mirror.tracking.liveness import Heartbeat, fail_abandoned_runs
from mirror.tracking.store import bound_server_requests, prepare_experiment
from mirror.tracking.sweep import Sweep

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)


class SweepTracking(Callback):
    """Prepare the store, open the sweep's parent run, report progress, close the parent.

    ``on_multirun_start`` runs in the launching process before any job fans out: a fresh
    sqlite store created by several processes at once is corrupted. Hydra's basic sweeper
    re-raises on the first failed job and then skips ``on_multirun_end``, so the parent
    run is also closed at interpreter exit, with a status that says how its jobs ended.
    """

    def __init__(self) -> None:
        self._sweep: Sweep | None = None
        self._client: MlflowClient | None = None
        self._heartbeat: Heartbeat | None = None
        self._heartbeat_timeout_s = 0.0

    def __getstate__(self) -> dict[str, Any]:
        # Launchers ship the callbacks to their workers, which need none of the launching
        # process's sweep state (each job reads the sweep from its folder); a thread cannot travel.
        return {**self.__dict__, "_heartbeat": None, "_sweep": None, "_client": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        tracking = config.tracking
        bound_server_requests(tracking.request_timeout_s, tracking.request_retries)
        self._client, experiment_id = prepare_experiment(tracking.uri, tracking.experiment, tracking.artifact_root,
                                                         tracking.write_patience_s)
        fail_abandoned_runs(self._client, experiment_id, tracking.heartbeat_timeout_s)
        self._heartbeat_timeout_s = tracking.heartbeat_timeout_s
        self._sweep = Sweep.open(config, self._client, experiment_id)
        self._heartbeat = Heartbeat(self._client, self._sweep.parent_run_id).start()
        jobs = "an open number of" if self._sweep.n_jobs is None else self._sweep.n_jobs
        log.info(
            f"sweep {self._sweep.sweep_id}: {jobs} jobs into MLflow experiment '{tracking.experiment}' "
            f"(parent run {self._sweep.parent_run_id})"
        )
        atexit.register(self._close)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._close()

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep = Sweep.of_job(config.hydra)
        if sweep is not None:
            log.info(sweep.progress(config.hydra.job.num, list(config.hydra.overrides.task)))

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        sweep = Sweep.of_job(config.hydra)
        if sweep is None:
            return
        sweep.mark_done(config.hydra.job.num, "FAILED" if job_return.status == JobStatus.FAILED else "COMPLETED")

    def _close(self) -> None:
        if self._sweep is None:
            return
        sweep, self._sweep = self._sweep, None
        self._heartbeat.stop()
        try:
            status, summary = sweep.close(self._client, self._heartbeat_timeout_s, stopped=stop_requested())
        except Exception as unrecorded:  # the store died with the sweep (a tracking server killed): one line
            reason = str(unrecorded).splitlines()[0][:200] if str(unrecorded) else ""
            log.warning("sweep %s: the tracking store did not record its end (%s: %s); its parent run may show "
                        "RUNNING until the next run of the experiment marks it FAILED, and a resume repeats nothing "
                        "that FINISHED", sweep.sweep_id, type(unrecorded).__name__, reason)
            return
        log.info("\n".join([f"sweep {sweep.sweep_id}: {status}; across seeds, mean [95 % interval]:", *summary]))

