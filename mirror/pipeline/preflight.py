"""Checks before any work: a bad value, or a tracking server that does not answer, stops a run or
a whole sweep before anything is written.

Hydra calls ``on_run_start`` and ``on_multirun_start`` before it creates an output folder, so a
refused config leaves nothing behind: no ``outputs/`` folder, no ``.hydra/`` copy of the
config (which would keep, say, a password typed into ``tracking.uri``), no MLflow run.
A sweep composes and validates every job it will run before the first one starts.
"""

from __future__ import annotations

import sys
from typing import Any

from hydra import compose
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from mirror.config import ConfigError, validate
from mirror.tracking.store import StoreUnreachable, check_reachable
from mirror.tracking.sweep import planned_jobs

EXIT_BAD_CONFIG = 2
"""Exit status of a run or sweep refused for its config (as for a command-line usage error)."""


def refuse(message: str) -> None:
    """Print one line that says what is wrong, and stop with :data:`EXIT_BAD_CONFIG`."""
    print(f"mirror: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_BAD_CONFIG)


class Preflight(Callback):
    """Validate the run's config, or every job's config of a sweep, before Hydra starts any job."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            validate(config)
            check_reachable(config.tracking.uri)
        except (ConfigError, StoreUnreachable) as error:
            refuse(str(error))

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_reachable(config.tracking.uri)
        except (ConfigError, StoreUnreachable) as error:
            refuse(str(error))
        jobs = planned_jobs(config)
        if jobs is None:  # an optimising sweeper decides its jobs as it goes; each job validates itself
            return
        name = config.hydra.job.config_name
        for number, overrides in enumerate(jobs):
            try:
                validate(compose(config_name=name, overrides=overrides))
            except ConfigError as error:
                refuse(f"sweep job {number + 1} of {len(jobs)} ({' '.join(overrides)}): {error}")
