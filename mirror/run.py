"""The Hydra entry point: ``python -m mirror.run [overrides] [-m]``."""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from mirror.config import register_schemas
from mirror.job import run_job
from mirror.termination import Terminated, stop_on_sigterm

register_schemas()


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Returns the headline fraction of mirror units, for sweepers that optimise."""
    return run_job(cfg).headline_fraction


if __name__ == "__main__":
    try:
        with stop_on_sigterm():  # the launching process of a sweep too, between its jobs
            main()
    except Terminated as stopped:
        print(f"mirror: stopped: {stopped}", file=sys.stderr, flush=True)
        sys.exit(Terminated.exit_status)
