"""The Hydra entry point: ``python -m mirror.run [overrides] [-m]``."""

from __future__ import annotations

import time

# The first job in a process pays for the imports; later jobs (a launcher reusing the
# process) start their clock when they start.
_PROCESS_STARTED: float | None = time.perf_counter()

from typing import TYPE_CHECKING  # noqa: E402

import hydra  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from mirror.config import register_schemas, validate  # noqa: E402

if TYPE_CHECKING:
    from mirror.experiment import ExperimentOutcome

register_schemas()


def run_job(cfg: DictConfig) -> ExperimentOutcome:
    """Validate, then train, analyse and record one Hydra job; print where the results are."""
    global _PROCESS_STARTED
    started, _PROCESS_STARTED = _PROCESS_STARTED or time.perf_counter(), None
    validate(cfg)
    from pathlib import Path

    from mirror.experiment import run_experiment
    from mirror.tracking.job_run import JobContext

    hydra_cfg = HydraConfig.get()
    job = JobContext(
        model_name=hydra_cfg.runtime.choices["model"],
        output_dir=Path(hydra_cfg.runtime.output_dir),
        overrides=list(hydra_cfg.overrides.task),
    )
    outcome = run_experiment(cfg, job, started=started)
    print(outcome.describe(job, cfg))
    return outcome


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Returns the headline fraction of mirror units, for sweepers that optimise."""
    return run_job(cfg).headline_fraction


if __name__ == "__main__":
    main()
