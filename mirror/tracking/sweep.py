"""A multirun as one unit: a parent run in MLflow, a sweep id on every job, progress and ETA.

The launching process writes ``<sweep dir>/.mirror/sweep.json``; each job reads it (the
sweep directory is shared by every launcher, SLURM included) and marks itself done in
``<sweep dir>/.mirror/done/`` so any job can say how far the sweep has got.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from mirror.tracking.liveness import LauncherWatch, fail_abandoned_runs, owner_tags, process_start_ticks
from mirror.tracking.tags import (
    CONFIG_HASH_TAG,
    ERROR_TAG,
    LAUNCHER_TAG,
    NOTE_TAG,
    OVERRIDES_TAG,
    REPORT_COMMAND_TAG,
    ROLE_TAG,
    SOURCE_NAME_TAG,
    SWEEP_DIR_TAG,
    SWEEP_ID_TAG,
    SWEEP_PARAMS_TAG,
    SWEEP_ROLE,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

_STATE = Path(".mirror")
SWEEP_FILE = _STATE / "sweep.json"
DONE_DIR = _STATE / "done"


def planned_jobs(config: DictConfig) -> list[list[str]] | None:
    """Every job's overrides, expanded exactly as Hydra's basic sweeper will expand them.

    ``None`` for another sweeper (an optimiser decides its jobs as it goes).
    """
    sweeper = config.hydra.sweeper
    if sweeper.get("_target_") != f"{BasicSweeper.__module__}.{BasicSweeper.__name__}":
        return None
    params = [f"{key}={value}" for key, value in (sweeper.get("params") or {}).items()]
    overrides = OverridesParser.create().parse_overrides([*params, *config.hydra.overrides.task])
    return BasicSweeper.split_arguments(overrides, None)[0]


def swept_keys(jobs: list[list[str]]) -> list[str]:
    """Keys that take more than one value across the jobs."""
    values: dict[str, set[str]] = {}
    for job in jobs:
        for override in job:
            key, _, value = override.partition("=")
            values.setdefault(key, set()).add(value)
    return sorted(key for key, seen in values.items() if len(seen) > 1)


def format_seconds(seconds: float) -> str:
    """'42 s', '3 min 05 s', '2 h 07 min': readable at a glance in a log line."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


@dataclass(frozen=True)
class Sweep:
    """What every job of a multirun shares."""

    sweep_id: str
    parent_run_id: str
    experiment_id: str
    n_jobs: int | None
    swept: list[str]
    """The keys whose values differ between jobs: what a progress line needs to name a job."""
    started: float
    """Wall-clock time (``time.time()``) at which the sweep started."""
    directory: str
    launcher_host: str = ""
    launcher_pid: int = 0
    launcher_start: str = ""
    """The launching process (host, pid and start in ticks since boot): its workers on the same host
    stop when it is gone (:class:`~mirror.tracking.liveness.LauncherWatch`)."""
    tracking_uri: str = ""
    """The store the parent run is in: a worker that outlives its launcher ends the parent there."""

    def launcher_watch(self) -> LauncherWatch | None:
        """A watch on the launching process, for a job that runs in another process on its host."""
        if not self.launcher_pid or self.launcher_pid == os.getpid() or self.launcher_host != socket.gethostname():
            return None
        return LauncherWatch(self.launcher_pid, self.launcher_start)

    @classmethod
    def open(cls, config: DictConfig, client: MlflowClient, experiment_id: str) -> Sweep:
        """Create the sweep's parent run and its state file (in the launching process)."""
        directory = Path(str(config.hydra.sweep.dir)).resolve()
        jobs = planned_jobs(config)
        sweep_id = uuid.uuid4().hex[:12]
        preset = config.hydra.runtime.choices.get("experiment") or "sweep"
        params = config.hydra.sweeper.get("params")
        params = {} if params is None else OmegaConf.to_container(params)
        parent = client.create_run(
            experiment_id,
            run_name=f"{preset}-{directory.parent.name}-{directory.name}",
            tags={
                ROLE_TAG: SWEEP_ROLE,
                SWEEP_ID_TAG: sweep_id,
                SWEEP_DIR_TAG: str(directory),
                OVERRIDES_TAG: " ".join(config.hydra.overrides.task),
                SWEEP_PARAMS_TAG: json.dumps(params),
                LAUNCHER_TAG: str(config.hydra.launcher.get("_target_", "")),
                SOURCE_NAME_TAG: "mirror.run",
                **owner_tags(),
            },
        )
        sweep = cls(
            sweep_id=sweep_id,
            parent_run_id=parent.info.run_id,
            experiment_id=experiment_id,
            n_jobs=None if jobs is None else len(jobs),
            swept=swept_keys(jobs or []),
            started=time.time(),
            directory=str(directory),
            launcher_host=socket.gethostname(),
            launcher_pid=os.getpid(),
            launcher_start=process_start_ticks(os.getpid()) or "",
            tracking_uri=client.tracking_uri,
        )
        (directory / DONE_DIR).mkdir(parents=True, exist_ok=True)
        (directory / SWEEP_FILE).write_text(json.dumps(asdict(sweep), indent=2))
        if sweep.n_jobs is not None:
            client.log_param(sweep.parent_run_id, "planned_jobs", sweep.n_jobs)
        return sweep

    @classmethod
    def of_job(cls, hydra: DictConfig) -> Sweep | None:
        """The sweep a job belongs to, from its ``hydra`` config node (None for a single run)."""
        if hydra.mode != RunMode.MULTIRUN:
            return None
        path = Path(str(hydra.sweep.dir)).resolve() / SWEEP_FILE
        return cls(**json.loads(path.read_text())) if path.exists() else None

    def end_orphaned(self) -> None:
        """Mark the parent run KILLED when its launching process died without ending it (a SIGKILL): called by a
        worker that saw the launcher go, so the parent is not left RUNNING until the next run of the experiment
        reaps it. Never raises: the worker is on its way out."""
        if not self.tracking_uri:
            return
        try:
            from mlflow.tracking import MlflowClient

            client = MlflowClient(tracking_uri=self.tracking_uri)
            if client.get_run(self.parent_run_id).info.status == "RUNNING":
                client.set_tag(self.parent_run_id, ERROR_TAG, "the sweep's launching process died without ending it "
                                                              "(killed); its workers stopped their jobs")
                client.set_terminated(self.parent_run_id, "KILLED")
        except Exception as unrecorded:  # noqa: BLE001 - the store may be what failed
            log.warning("the sweep's parent run could not be marked KILLED (%s)", type(unrecorded).__name__)

    def mark_done(self, job_num: int, status: str, run_id: str = "") -> None:
        """Record how a job ended, and for a job that ran nothing the run it stands for (a skipped job's run
        belongs to an earlier sweep); the first mark stands (a job marks itself SKIPPED before the callback
        would mark it COMPLETED)."""
        marker = Path(self.directory) / DONE_DIR / str(job_num)
        if not marker.exists():
            marker.write_text(f"{status} {run_id}".strip())

    def _marks(self) -> list[list[str]]:
        return [path.read_text().split() for path in (Path(self.directory) / DONE_DIR).iterdir()]

    def done(self) -> Counter[str]:
        """How many jobs ended so far, by status ('COMPLETED', 'SKIPPED', 'COPIED', 'FAILED')."""
        return Counter(mark[0] for mark in self._marks())

    def skipped_runs(self) -> list[str]:
        """The earlier runs this sweep's skipped jobs stand for."""
        return [mark[1] for mark in self._marks() if mark[0] == "SKIPPED" and len(mark) > 1]

    def job_label(self, job_num: int, overrides: list[str]) -> str:
        """'job 4/10 seed=3': the job's number and its swept values, what its log lines are tagged with."""
        total = "?" if self.n_jobs is None else str(self.n_jobs)
        named = " ".join(o for o in overrides if o.partition("=")[0] in self.swept)
        return f"job {job_num + 1}/{total} {named}".strip()

    def progress(self, job_num: int, overrides: list[str]) -> str:
        """'job 4 of 10 (seed=3): 3 done, about 1 min 20 s left' from the jobs done so far."""
        n_done = sum(self.done().values())
        total = "?" if self.n_jobs is None else str(self.n_jobs)
        named = " ".join(o for o in overrides if o.partition("=")[0] in self.swept)
        line = f"sweep {self.sweep_id}: job {job_num + 1} of {total} ({named}): {n_done} done"
        elapsed = time.time() - self.started
        if n_done and self.n_jobs is not None:
            line += f", about {format_seconds(elapsed / n_done * (self.n_jobs - n_done))} left"
        return line + f" ({format_seconds(elapsed)} so far)"

    def close(self, client: MlflowClient, heartbeat_timeout_s: float, stopped: bool) -> tuple[str, list[str]]:
        """Give the parent run a status that says how its jobs ended, its job counts, and the across-seed
        summary of the headline metrics (its metrics and description); return the status and the summary's
        lines for the console, the report's command last.

        A run whose process died (a killed worker) is marked FAILED first, as the next run would, and
        each config counts by its newest run (a job run again after its worker died counts once).
        FINISHED only when every planned job ended well; KILLED when the sweep was stopped
        (``stopped``, or a job was interrupted); FAILED when a job failed or crashed for good, or
        jobs never ran for any other reason.
        """
        fail_abandoned_runs(client, self.experiment_id, heartbeat_timeout_s)
        jobs = client.search_runs(
            [self.experiment_id], filter_string=f"tags.`{SWEEP_ID_TAG}` = '{self.sweep_id}'", max_results=50000
        )
        # A config's newest run says how its job ended: a job run again after its worker died counts once.
        newest: dict[str, Any] = {}
        for run in sorted(jobs, key=lambda run: run.info.start_time):
            if run.info.run_id != self.parent_run_id:
                newest[run.data.tags.get(CONFIG_HASH_TAG, run.info.run_id)] = run
        runs = Counter(run.info.status for run in newest.values())
        done = self.done()
        n_done = sum(done.values())
        if runs["KILLED"] or stopped:
            status = "KILLED"
        elif runs["FAILED"] or done["FAILED"] or (self.n_jobs is not None and n_done < self.n_jobs):
            status = "FAILED"
        else:
            status = "FINISHED"
        metrics = {
            "sweep/jobs_done": n_done,
            "sweep/jobs_skipped": done["SKIPPED"],
            "sweep/jobs_copied": done["COPIED"],
            "sweep/jobs_failed": done["FAILED"],
            "sweep/runs_finished": runs["FINISHED"],
            "sweep/runs_failed": runs["FAILED"],
            "sweep/runs_killed": runs["KILLED"],
            "sweep/wall_s": time.time() - self.started,
        }
        from mlflow.entities import Metric, RunTag

        from mirror.tracking.sweep_summary import across_seeds, console_lines, description, parent_metrics

        summaries, report = [], ""
        try:  # the summary is read from the store: whatever happens, the parent ends with its status
            experiment = client.get_experiment(self.experiment_id).name
            report = (f"python -m mirror.report --experiment {experiment}"
                      + ("" if done["SKIPPED"] else f" --sweep {self.sweep_id}"))  # a skipped job's run is older
            skipped = self.skipped_runs()
            finished = [run for run in newest.values() if run.info.status == "FINISHED"]
            if skipped:
                quoted = ", ".join(f"'{run_id}'" for run_id in skipped)
                finished += client.search_runs([self.experiment_id], f"attributes.run_id IN ({quoted})",
                                               max_results=len(skipped))
            summaries = across_seeds(finished, self.swept)
            metrics.update(parent_metrics(summaries))
            now = int(time.time() * 1000)
            client.log_batch(self.parent_run_id, metrics=[Metric(key, value, now, 0) for key, value in metrics.items()],
                             tags=[RunTag(REPORT_COMMAND_TAG, report),
                                   RunTag(NOTE_TAG, description(summaries, status, report))])
        finally:
            client.set_terminated(self.parent_run_id, status)
        return status, [*console_lines(summaries), f"  next: {report}"]
