"""The life of the process a job runs in: when its clock starts, and, in a sweep's worker, the watch on the
launching process (a worker whose launcher is gone stops its job, its run KILLED, and starts no other)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from mirror.termination import Terminated
from mirror.tracking.liveness import LauncherWatch, process_start_ticks
from mirror.tracking.sweep import Sweep

log = logging.getLogger("mirror")

_jobs_run_here = 0
"""Jobs this process has started: the first pays for the imports, later ones (a launcher reusing
the process) start their clock when they start."""
_launcher_watch: LauncherWatch | None = None
"""In a sweep's worker process, the one watch on the launching process, for the worker's whole life."""
_job_in_progress = threading.Event()
_sweep: Sweep | None = None
"""In a sweep's worker process, the sweep it works for (its parent run is ended here if the launcher dies)."""


def seconds_since_process_start() -> float:
    """How long this process has been running (0 where /proc cannot say)."""
    ticks = process_start_ticks(os.getpid())
    if ticks is None:
        return 0.0
    return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - int(ticks) / os.sysconf("SC_CLK_TCK"))


def job_clock_start() -> float:
    """``time.perf_counter()`` at which this job's start-up began: the process's start for its first job."""
    global _jobs_run_here
    started = time.perf_counter() - (seconds_since_process_start() if _jobs_run_here == 0 else 0.0)
    _jobs_run_here += 1
    return started


def _exit_with_the_launcher() -> NoReturn:
    """End a worker whose sweep's launcher is gone: nobody waits for its jobs any more. The launcher, killed, could
    not end the sweep's parent run: the worker marks it KILLED."""
    log.warning("the sweep's launching process is gone: this worker ends")
    if _sweep is not None:
        _sweep.end_orphaned()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(Terminated.exit_status)


def _launcher_gone() -> None:
    """Stop the job in progress (its run is closed KILLED, then the worker ends), or end an idle worker."""
    if _job_in_progress.is_set():
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        _exit_with_the_launcher()


@contextmanager
def working_for(sweep: Sweep | None) -> Iterator[None]:
    """Run one job in this process; in a sweep's worker on the launcher's host, end the worker when the
    launching process is gone (at once if it already is)."""
    global _launcher_watch, _sweep
    _sweep = sweep
    watch = sweep.launcher_watch() if sweep is not None else None
    if watch is not None and watch.gone():
        _exit_with_the_launcher()
    if watch is not None and _launcher_watch is None:
        _launcher_watch = watch.start(_launcher_gone)
    _job_in_progress.set()
    try:
        yield
    except Terminated:
        if _launcher_watch is not None and _launcher_watch.fired:
            _exit_with_the_launcher()
        raise
    finally:
        _job_in_progress.clear()


class _JobTag(logging.Filter):
    """Prefixes every record with the job it comes from, so two workers' lines can be told apart."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "job_tagged", False):
            record.msg, record.job_tagged = f"[{self.label}] {record.msg}", True
        return True


@contextmanager
def job_log_tag(label: str) -> Iterator[None]:
    """Name the job in every log line written while it runs (none for an empty ``label``: a single run)."""
    if not label:
        yield
        return
    tag, handlers = _JobTag(label), list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(tag)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(tag)
