"""Resumable sweeps: a job whose identical config already FINISHED is not run again (in another
experiment of the store, it is copied: :mod:`mirror.tracking.reuse`)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from omegaconf import DictConfig, OmegaConf

from mirror.config import EXECUTION_FIELDS
from mirror.tracking.tags import CODE_DIGEST_TAG, CONFIG_HASH_TAG, is_job_run

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient


def config_hash(cfg: DictConfig) -> str:
    """A digest of everything in the resolved config that can change a result."""
    tree = OmegaConf.to_container(cfg, resolve=True)
    for dotted in EXECUTION_FIELDS:
        *parents, leaf = dotted.split(".")
        node = tree
        for key in parents:
            node = node.get(key, {})
        node.pop(leaf, None)
    return hashlib.sha256(json.dumps(tree, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _newest_finished(client: MlflowClient, experiment_ids: list[str], digest: str, also: str = "") -> Run | None:
    """The newest FINISHED job run with this config hash in these experiments (and matching ``also``)."""
    runs = client.search_runs(
        experiment_ids,
        filter_string=f"tags.`{CONFIG_HASH_TAG}` = '{digest}' and attributes.status = 'FINISHED'{also}",
        order_by=["attributes.start_time DESC"],
        max_results=10,
    )
    return next((run for run in runs if is_job_run(run.data.tags)), None)


def finished_run(client: MlflowClient, experiment_id: str, digest: str) -> Run | None:
    """The newest FINISHED run of this experiment with this config hash, if any."""
    return _newest_finished(client, [experiment_id], digest)


def finished_elsewhere(client: MlflowClient, experiment_id: str, digest: str, code: str) -> Run | None:
    """The newest FINISHED job run with this config hash in any other experiment of the store, computed by
    the same code (``code``, :func:`mirror.tracking.tags.code_digest`)."""
    others = [experiment.experiment_id for experiment in client.search_experiments()
              if experiment.experiment_id != experiment_id]
    return _newest_finished(client, others, digest, f" and tags.`{CODE_DIGEST_TAG}` = '{code}'") if others else None
