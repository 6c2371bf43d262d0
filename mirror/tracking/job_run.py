"""One MLflow run per Hydra job, opened before training and closed with the job's true status."""

from __future__ import annotations

import subprocess
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlflow.entities import Param
from omegaconf import DictConfig, OmegaConf

from mirror.config import is_execution_field
from mirror.job_context import JobContext
from mirror.termination import Terminated
from mirror.tracking.lightning_logger import JobRunLogger
from mirror.tracking.liveness import Heartbeat, owner_tags
from mirror.tracking.resume import CONFIG_HASH_TAG, config_hash

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

# Overrides that add nothing to a run's name: in every name already, or a preset.
_NAME_KEYS_SKIPPED = ("model", "seed", "experiment")


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested config -> {'model.hidden_size': 96, ...}."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


GIT_COMMIT_TAG = "mlflow.source.git.commit"


def git_state(directory: Path) -> dict[str, str]:
    """Commit and dirtiness of the checkout the code runs from (empty outside git)."""
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        return {
            GIT_COMMIT_TAG: git("rev-parse", "HEAD"),
            "mirror.git_dirty": str(bool(git("status", "--porcelain", "--untracked-files=no"))).lower(),
        }
    except (OSError, subprocess.SubprocessError):
        return {}


def run_name(cfg: DictConfig, job: JobContext) -> str:
    """'<model>-seed<seed>', plus the values a sweep varies (or a single run overrides):
    readable in the MLflow run list."""
    if cfg.tracking.run_name:
        return cfg.tracking.run_name
    extra = [
        f"{key.rsplit('.', 1)[-1]}={value}"
        for key, _, value in (o.partition("=") for o in job.overrides)
        if (job.sweep is None or key in job.sweep.swept)
        and key.lstrip("+~") not in _NAME_KEYS_SKIPPED
        and not key.startswith("hydra")
        and not is_execution_field(key.lstrip("+~"))
    ]
    return "-".join([f"{job.model_name}-seed{cfg.seed}", *extra])


@contextmanager
def job_run(cfg: DictConfig, job: JobContext, client: MlflowClient, experiment_id: str) -> Iterator[JobRunLogger]:
    """Open the job's run in the store the job opened, log its config, and close the run
    FINISHED, FAILED (with the traceback) or KILLED."""
    tags = {
        "mirror.model": job.model_name,
        "mirror.overrides": " ".join(job.overrides),
        "mirror.output_dir": str(job.output_dir),
        "mlflow.source.name": "mirror.run",
        CONFIG_HASH_TAG: config_hash(cfg),
        **owner_tags(),
        **git_state(Path(__file__).resolve().parent),
    }
    if job.sweep is not None:
        tags["mirror.sweep_id"] = job.sweep.sweep_id
        tags["mlflow.parentRunId"] = job.sweep.parent_run_id
    run = client.create_run(experiment_id, run_name=run_name(cfg, job), tags=tags)
    run_id = run.info.run_id
    try:
        resolved = OmegaConf.to_container(cfg, resolve=True)
        params = [Param(key, str(value)) for key, value in flatten(resolved).items()]
        for start in range(0, len(params), 100):
            client.log_batch(run_id, params=params[start : start + 100])
        client.log_text(run_id, OmegaConf.to_yaml(cfg, resolve=True), "config.yaml")
        with Heartbeat(client, run_id):
            yield JobRunLogger(tracking_uri=client.tracking_uri, run_id=run_id,
                               write_patience_s=cfg.tracking.write_patience_s)
    except Terminated as stopped:
        client.set_tag(run_id, "mirror.error", f"terminated: {stopped}")
        client.set_terminated(run_id, "KILLED")
        raise
    except (KeyboardInterrupt, SystemExit):
        # Lightning turns Ctrl-C into SystemExit(1) after its own clean-up.
        client.set_tag(run_id, "mirror.error", "interrupted")
        client.set_terminated(run_id, "KILLED")
        raise
    except BaseException as error:
        client.set_tag(run_id, "mirror.error", f"{type(error).__name__}: {error}"[:5000])
        client.log_text(run_id, traceback.format_exc(), "error.txt")
        client.set_terminated(run_id, "FAILED")
        raise
    else:
        client.set_terminated(run_id, "FINISHED")
