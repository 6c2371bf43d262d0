"""What a job does with its config, decided from the store alone: skip it (it FINISHED in this experiment), copy
it (it FINISHED in another experiment, computed by the same code, and still holds what its family always writes) or
run it.

One function asks the store every question a resumed sweep needs answered, in the order that makes the answer
right: abandoned runs are failed first, so a dead process never holds a config. "Look, then create" is not atomic:
two sweeps started together both look, find nothing and both create a run. So a job that runs or copies then claims
its config (:func:`claim`): create the run, then check; the oldest live or finished run of the config wins and every
other ends as skipped. A rule over the store's own records, it holds for a tracking server with workers on several
machines as for one sqlite file, where a file lock would hold only on one machine."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mirror.tracking.liveness import fail_abandoned_runs, running_owner
from mirror.tracking.resume import finished_elsewhere, finished_run
from mirror.tracking.tags import CONFIG_HASH_TAG

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

SKIP, COPY, RUN = "skip", "copy", "run"


class ConfigAlreadyRunning(RuntimeError):
    """A resumed sweep's job whose config another live process is running now: the job is skipped, in one line."""


@dataclass(frozen=True)
class Decision:
    """The action, and the FINISHED run it rests on (the one skipped to, or copied from)."""

    action: Literal["skip", "copy", "run"]
    run: Run | None = None


def decide(client: MlflowClient, experiment_id: str, digest: str, *, resuming: bool, code: str,
           heartbeat_timeout_s: float, holder_grace_s: float = 0.0, artifacts: tuple[str, ...] = ()) -> Decision:
    """Skip, copy or run the job whose config hash is ``digest``.

    Without ``resuming`` (a single run, or ``tracking.resume=false``) the answer is always run. A config another
    live process holds RUNNING raises :class:`ConfigAlreadyRunning`, after waiting up to ``holder_grace_s`` for
    that process to end (a job run again after its worker died can start while the dying worker is still being
    terminated). A run FINISHED elsewhere that lost any of ``artifacts`` (what the job's family always writes) is not
    copied: the job runs.
    """
    fail_abandoned_runs(client, experiment_id, heartbeat_timeout_s)
    if not resuming:
        return Decision(RUN)
    previous = finished_run(client, experiment_id, digest)
    if previous is not None:
        return Decision(SKIP, previous)
    holder = running_owner(client, experiment_id, digest)
    waited = 0.0
    while holder is not None and waited < holder_grace_s:
        time.sleep(0.5)
        waited += 0.5
        fail_abandoned_runs(client, experiment_id, heartbeat_timeout_s)
        holder = running_owner(client, experiment_id, digest)
    if holder is not None:
        raise ConfigAlreadyRunning(f"this config is already RUNNING ({holder}): not started a second time; a later "
                                   "resume of the sweep skips it once that run has FINISHED")
    elsewhere = finished_elsewhere(client, experiment_id, digest, code)
    lost = missing_artifacts(client, elsewhere.info.run_id, artifacts) if elsewhere is not None else []
    if lost:
        log.warning("run %s FINISHED this config but lost %s: running the job, not copying it",
                    elsewhere.info.run_id, ", ".join(lost))
        return Decision(RUN)
    return Decision(COPY, elsewhere) if elsewhere is not None else Decision(RUN)


def missing_artifacts(client: MlflowClient, run_id: str, paths: tuple[str, ...]) -> list[str]:
    """Those of ``paths`` (artifact paths, e.g. 'analysis/activity.npz') the run does not hold."""
    held: dict[str, set[str]] = {}
    missing = []
    for path in paths:
        folder = path.rpartition("/")[0]
        if folder not in held:
            held[folder] = {item.path for item in client.list_artifacts(run_id, folder or None)}
        if path not in held[folder]:
            missing.append(path)
    return missing


def claim(client: MlflowClient, experiment_id: str, digest: str, run_id: str) -> None:
    """After creating ``run_id`` for config ``digest``: keep it when it is the oldest live or finished run of the
    config in the experiment (by start time, then id: every process computes the same order), else delete it (it
    holds nothing yet) and raise :class:`ConfigAlreadyRunning` naming the run that holds the config."""
    runs = [run for run in client.search_runs([experiment_id], filter_string=f"tags.`{CONFIG_HASH_TAG}` = '{digest}'",
                                              max_results=1000)
            if run.info.status in ("RUNNING", "FINISHED")]
    winner = min(runs, key=lambda run: (run.info.start_time, run.info.run_id), default=None)
    if winner is None or winner.info.run_id == run_id:
        return
    client.delete_run(run_id)
    raise ConfigAlreadyRunning(f"this config is already {winner.info.status} in run {winner.info.run_id}, started "
                               "first by another process: skipped, not run a second time")
