"""What a job does with its config, decided from the store alone: skip it (it FINISHED in this experiment), copy
it (it FINISHED in another experiment, computed by the same code) or run it.

One function asks the store every question a resumed sweep needs answered, in the order that makes the answer
right: abandoned runs are failed first, so a dead process never holds a config."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mirror.tracking.liveness import fail_abandoned_runs, running_owner
from mirror.tracking.resume import finished_elsewhere, finished_run

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

SKIP, COPY, RUN = "skip", "copy", "run"


class ConfigAlreadyRunning(RuntimeError):
    """A resumed sweep's job whose config another live process is running now."""


@dataclass(frozen=True)
class Decision:
    """The action, and the FINISHED run it rests on (the one skipped to, or copied from)."""

    action: Literal["skip", "copy", "run"]
    run: Run | None = None


def decide(client: MlflowClient, experiment_id: str, digest: str, *, resuming: bool, code: str,
           heartbeat_timeout_s: float, holder_grace_s: float = 0.0) -> Decision:
    """Skip, copy or run the job whose config hash is ``digest``.

    Without ``resuming`` (a single run, or ``tracking.resume=false``) the answer is always run. A config another
    live process holds RUNNING raises :class:`ConfigAlreadyRunning`, after waiting up to ``holder_grace_s`` for
    that process to end (a job run again after its worker died can start while the dying worker is still being
    terminated).
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
    return Decision(COPY, elsewhere) if elsewhere is not None else Decision(RUN)
