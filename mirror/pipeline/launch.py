"""joblib sweeps that outlive a worker that dies.

Hydra's joblib launcher hands every job to one ``joblib.Parallel`` call. When a worker process dies
(SIGKILL, the out-of-memory killer, a segfault), loky breaks its executor: the call raises, the jobs
in flight on the other workers die with it and the jobs not yet started never run. Here the jobs the
crash took with it run again, one at a time, so that a second crash can only be the crashing job's
own; a job whose worker dies while it runs alone is reported FAILED and the rest go on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra_plugins.hydra_joblib_launcher import _core, joblib_launcher

from mirror.pipeline.job import RUN_AGAIN_AFTER_A_CRASH

log = logging.getLogger(__name__)


class WorkerDied(RuntimeError):
    """The process running a job ended without a word (killed, out of memory, crashed)."""


def _numbered(number: int, again: bool, *arguments: Any) -> tuple[int, JobReturn]:
    """One job in a worker, with its number, so results can arrive in any order; ``again`` for a job run
    again after a worker died (it then waits for the dying worker that held it: see ``mirror.pipeline.job``)."""
    if again:
        os.environ[RUN_AGAIN_AFTER_A_CRASH] = "1"
    return number, _core.execute_job(number, *arguments)


def survive_dead_workers() -> None:
    """Make the joblib launcher's ``launch`` this module's. Called when a multirun starts: Hydra loads its
    plugins' modules anew when it scans them, so a class patched at import would be replaced."""
    joblib_launcher.JoblibLauncher.launch = launch


def launch(launcher: joblib_launcher.JoblibLauncher, job_overrides: Sequence[Sequence[str]],
           initial_job_idx: int) -> Sequence[JobReturn]:
    """``JoblibLauncher.launch``, with the jobs a dead worker took with it run again (see the module)."""
    from joblib import Parallel, delayed
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    settings = {**launcher.joblib, "backend": "loky"}
    _core.process_joblib_cfg(settings)
    log.info(f"Joblib.Parallel({settings}) is launching {len(job_overrides)} jobs")
    for index, overrides in enumerate(job_overrides):
        log.info(f"\t#{initial_job_idx + index} : {' '.join(filter_overrides(overrides))}")
    shared = (launcher.hydra_context, launcher.config, launcher.task_function, Singleton.get_state())
    results: dict[int, JobReturn] = {}
    todo, alone = list(range(initial_job_idx, initial_job_idx + len(job_overrides))), False
    while todo:
        jobs = (delayed(_numbered)(number, alone, job_overrides[number - initial_job_idx], *shared) for number in todo)
        try:
            # One in flight at a time still in a worker (n_jobs=1 would run the job in this process).
            one_at_a_time = {"pre_dispatch": "1", "batch_size": 1} if alone else {}
            for number, result in Parallel(**{**settings, **one_at_a_time}, return_as="generator_unordered")(jobs):
                results[number] = result
            break
        except TerminatedWorkerError as crash:
            lost = [number for number in todo if number not in results]
            if alone:  # the one job in flight was the one that crashed
                crashed, lost = lost[0], lost[1:]
                reason = f"sweep job {crashed + 1}: its worker process died while it ran alone: {crash}"
                results[crashed] = JobReturn(overrides=list(job_overrides[crashed - initial_job_idx]),
                                             status=JobStatus.FAILED, _return_value=WorkerDied(reason))
                log.warning("sweep job %d: its worker died while it ran alone: marked failed", crashed + 1)
            else:
                log.warning("a worker process died (%s); the %d job(s) it took with it run again, one at a time",
                            str(crash).splitlines()[0], len(lost))
            todo, alone = lost, True
    return [results[number] for number in range(initial_job_idx, initial_job_idx + len(job_overrides))]
