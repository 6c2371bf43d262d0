"""Runs whose process died without a word (SIGKILL, a lost node) must not stay RUNNING for ever.

Every job run and sweep parent carries the host and process that own it and a heartbeat tag,
refreshed while the process lives. Before a run or a sweep decides what to skip, it marks FAILED
every RUNNING run of its experiment whose process is gone from this host, or (on another host)
whose heartbeat is older than ``tracking.heartbeat_timeout_s``, and says why in its error tag.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

from mirror.config.execution import HEARTBEAT_EVERY_S
from mirror.tracking.tags import (
    CONFIG_HASH_TAG,
    ERROR_TAG,
    HEARTBEAT_TAG,
    HOST_TAG,
    PID_TAG,
    PROCESS_START_TAG,
)

log = logging.getLogger(__name__)


def process_start_ticks(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in ticks since boot); None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return None


def owner_tags() -> dict[str, str]:
    """Tags that name this process as a run's owner, with a first heartbeat."""
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid()), HEARTBEAT_TAG: f"{time.time():.0f}"}
    start = process_start_ticks(os.getpid())
    if start is not None:
        tags[PROCESS_START_TAG] = start
    return tags


def owner_gone(tags: dict[str, str]) -> bool | None:
    """True when the owner ran on this host and its process no longer exists; None when that
    cannot be told here (another host, or a run from before these tags)."""
    if tags.get(HOST_TAG) != socket.gethostname() or PID_TAG not in tags:
        return None
    start = process_start_ticks(int(tags[PID_TAG]))
    if start is None:
        return True
    return PROCESS_START_TAG in tags and start != tags[PROCESS_START_TAG]


class Heartbeat:
    """Refreshes a run's heartbeat from a daemon thread until stopped (a context manager too)."""

    def __init__(self, client: MlflowClient, run_id: str, every_s: float = HEARTBEAT_EVERY_S) -> None:
        self._client, self._run_id, self._every_s = client, run_id, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id[:8]}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._client.set_tag(self._run_id, HEARTBEAT_TAG, f"{time.time():.0f}")
            except Exception as error:  # a missed beat is not worth failing the job for
                log.debug("heartbeat of run %s not written: %s", self._run_id, error)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def fail_abandoned_runs(client: MlflowClient, experiment_id: str, timeout_s: float) -> list[str]:
    """Mark FAILED every RUNNING run of the experiment whose owner is gone; returns their ids."""
    now = time.time()
    failed = []
    for run in client.search_runs([experiment_id], filter_string="attributes.status = 'RUNNING'",
                                  max_results=50000):
        tags = run.data.tags
        gone = owner_gone(tags)
        last_sign = float(tags.get(HEARTBEAT_TAG, run.info.start_time / 1000))
        if gone:
            reason = f"abandoned: its process {tags[PID_TAG]} on {tags[HOST_TAG]} ended without closing the run"
        elif gone is None and now - last_sign > timeout_s:
            reason = (f"abandoned: no heartbeat for {now - last_sign:.0f} s "
                      f"(tracking.heartbeat_timeout_s = {timeout_s:g})")
        else:
            continue
        client.set_tag(run.info.run_id, ERROR_TAG, reason)
        client.set_terminated(run.info.run_id, "FAILED")
        log.warning("run %s (%s) marked FAILED: %s", run.info.run_id, run.info.run_name, reason)
        failed.append(run.info.run_id)
    return failed


class LauncherWatch:
    """In a worker process of a sweep launched on this host: calls ``on_gone`` once, from a daemon thread,
    as soon as the sweep's launching process is gone. A launcher killed with SIGKILL cannot stop its
    workers; without this they would go on starting jobs nobody waits for (a resume started meanwhile
    could run the same config twice), or sit idle holding their memory."""

    def __init__(self, pid: int, start_ticks: str, every_s: float = 1.0) -> None:
        self.pid, self.start_ticks, self.every_s = pid, start_ticks, every_s
        self.fired = False

    def gone(self) -> bool:
        """True when the launcher's process no longer exists (or its pid now belongs to another)."""
        return process_start_ticks(self.pid) != self.start_ticks

    def start(self, on_gone: Callable[[], None]) -> LauncherWatch:
        def watch() -> None:
            while not self.gone():
                time.sleep(self.every_s)
            self.fired = True
            log.warning("the sweep's launching process %d is gone", self.pid)
            on_gone()

        threading.Thread(target=watch, name="launcher-watch", daemon=True).start()
        return self


def running_owner(client: MlflowClient, experiment_id: str, digest: str) -> str | None:
    """Who holds this config RUNNING now ('run <id>, process <pid> on <host>'), or None. Called after
    :func:`fail_abandoned_runs`, so a RUNNING run left is one whose owner is alive (or, on another host,
    still beating)."""
    runs = client.search_runs(
        [experiment_id], filter_string=f"tags.`{CONFIG_HASH_TAG}` = '{digest}' and attributes.status = 'RUNNING'",
        max_results=1,
    )
    if not runs:
        return None
    tags = runs[0].data.tags
    return f"run {runs[0].info.run_id}, process {tags.get(PID_TAG, '?')} on {tags.get(HOST_TAG, '?')}"
