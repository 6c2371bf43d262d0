"""One MLflow run per Hydra job, opened before training and closed with the job's true status."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow.entities import Param
from omegaconf import DictConfig, OmegaConf

from mirror.config import is_execution_field
from mirror.termination import Terminated
from mirror.tracking.decision import claim
from mirror.tracking.job_context import JobContext
from mirror.tracking.lightning_logger import JobRunLogger
from mirror.tracking.liveness import Heartbeat, owner_tags
from mirror.tracking.tags import (
    CODE_DIGEST_TAG,
    CONFIG_HASH_TAG,
    ERROR_TAG,
    MODEL_TAG,
    OUTPUT_DIR_TAG,
    OVERRIDES_TAG,
    PARENT_RUN_TAG,
    SOURCE_NAME_TAG,
    SWEEP_ID_TAG,
    code_digest,
    flatten,
    git_state,
)

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

CONFIG_ARTIFACT = "config.yaml"
"""The job's resolved config, beside its metrics."""

# Overrides that add nothing to a run's name: in every name already, or a preset.
_NAME_KEYS_SKIPPED = ("model", "seed", "experiment")


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
def job_run(cfg: DictConfig, job: JobContext, client: MlflowClient, experiment_id: str,
            carried_tags: Mapping[str, str] | None = None) -> Iterator[JobRunLogger]:
    """Open the job's run in the store the job opened, log its config, and close the run
    FINISHED, FAILED (with the traceback) or KILLED. ``carried_tags`` replace the job's own (a copied
    run keeps the commit that computed it). A resumed sweep's job claims its config first
    (:func:`mirror.tracking.decision.claim`: ConfigAlreadyRunning, its run deleted, when another holds it)."""
    tags = {
        MODEL_TAG: job.model_name,
        OVERRIDES_TAG: " ".join(job.overrides),
        OUTPUT_DIR_TAG: str(job.output_dir),
        SOURCE_NAME_TAG: "mirror.run",
        CONFIG_HASH_TAG: job.config_hash,
        **owner_tags(),
        CODE_DIGEST_TAG: code_digest(),
        **git_state(Path(__file__).resolve().parent),
        **(carried_tags or {}),
    }
    if job.sweep is not None:
        tags[SWEEP_ID_TAG] = job.sweep.sweep_id
        tags[PARENT_RUN_TAG] = job.sweep.parent_run_id
    run = client.create_run(experiment_id, run_name=run_name(cfg, job), tags=tags)
    run_id = run.info.run_id
    if job.sweep is not None and cfg.tracking.resume:  # a resumed sweep's job: the oldest run of its config wins
        claim(client, experiment_id, job.config_hash, run_id)
    logger: JobRunLogger | None = None
    try:
        resolved = OmegaConf.to_container(cfg, resolve=True)
        params = [Param(key, str(value)) for key, value in flatten(resolved).items()]
        for start in range(0, len(params), 100):
            client.log_batch(run_id, params=params[start : start + 100])
        client.log_text(run_id, OmegaConf.to_yaml(cfg, resolve=True), CONFIG_ARTIFACT)
        with Heartbeat(client, run_id):
            logger = JobRunLogger(tracking_uri=client.tracking_uri, run_id=run_id,
                                  write_patience_s=cfg.tracking.write_patience_s)
            yield logger
            logger.flush()
    except Terminated as stopped:
        write_what_was_logged(logger)
        close_run(client, run_id, "KILLED", job, f"terminated: {stopped}")
        raise
    except (KeyboardInterrupt, SystemExit):
        # Lightning turns Ctrl-C into SystemExit(1) after its own clean-up.
        write_what_was_logged(logger)
        close_run(client, run_id, "KILLED", job, "interrupted")
        raise
    except BaseException as error:
        write_what_was_logged(logger)
        close_run(client, run_id, "FAILED", job, f"{type(error).__name__}: {error}"[:5000], traceback.format_exc())
        raise
    else:
        recorded = close_run(client, run_id, "FINISHED", job)
        if logger is not None:
            logger.end_recorded = recorded


def write_what_was_logged(logger: JobRunLogger | None) -> None:
    """Write the metrics a failed or stopped job logged since the last write (its curves up to the end);
    never raises: the run must still be closed, whatever the store says."""
    if logger is None:
        return
    try:
        logger.flush()
    except Exception as unwritten:
        log.warning("the run's last metrics could not be written (%s: %s)", type(unwritten).__name__,
                    str(unwritten).splitlines()[0] if str(unwritten) else "")


def close_run(client: MlflowClient, run_id: str, status: str, job: JobContext, error: str | None = None,
              trace: str | None = None) -> bool:
    """Close the run with its status (the error tag and traceback first, as a courtesy); never raises, so
    that a full disk, an unwritable artifact folder or a tracking server that died cannot keep a run
    RUNNING by choice or replace the job's own ending (a stop still exits 143). Returns whether the
    store recorded the end; where it did not, says so once and where the job's metrics are."""
    if error is not None:
        try:
            client.set_tag(run_id, ERROR_TAG, error)
            if trace is not None:
                client.log_text(run_id, trace, "error.txt")
        except Exception as unrecorded:
            log.warning("the run's error could not be recorded in full (%s: %s); marking it %s",
                        type(unrecorded).__name__, str(unrecorded).splitlines()[0] if str(unrecorded) else "", status)
    try:
        client.set_terminated(run_id, status)
        return True
    except Exception as lost:
        metrics = job.output_dir / "analysis" / "metrics.json"
        where = f"its metrics are in {metrics}" if metrics.exists() else f"it ended before its analysis wrote {metrics}"
        log.warning("the tracking store did not record this run's end as %s (%s: %s): %s", status,
                    type(lost).__name__, str(lost).splitlines()[0] if str(lost) else "", where)
        return False
