"""A sweep job whose config already FINISHED in another experiment of the store, computed by the same
code, is copied into its own experiment, not run again.

Presets share conditions: the ablations' trained and untrained GRUs are the readout presets' tied own
readout; the default seeds recur in the noise, lag and pairing presets. Each experiment must still hold
every run its report and the claims page read, so the job copies the finished run (its metrics with their
steps and times, its artifacts) under its own config, overrides and sweep, tagged with the run that
computed it. Same config hash and same code digest (the package's source and its libraries' versions)
say the numbers are those the job would compute; after any edit to the code nothing is copied until the
new code has computed it. ``tracking.resume=false`` runs it again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow.entities import Metric
from mlflow.environment_variables import MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR
from mlflow.utils.validation import MAX_METRICS_PER_BATCH
from omegaconf import DictConfig

from mirror.tracking.job_context import JobContext
from mirror.tracking.job_run import CONFIG_ARTIFACT, job_run
from mirror.tracking.tags import COMPUTED_BY_TAGS, COPIED_FROM_TAG

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient


def copy_finished_run(cfg: DictConfig, job: JobContext, client: MlflowClient, experiment_id: str,
                      source: Run) -> str:
    """Copy ``source`` into this job's run (closed FINISHED, or FAILED / KILLED as any job's run); its id."""
    origin = source.data.tags.get(COPIED_FROM_TAG) or (
        f"{source.info.run_id} in {client.get_experiment(source.info.experiment_id).name}")
    carried = {key: source.data.tags[key] for key in COMPUTED_BY_TAGS if key in source.data.tags}
    with job_run(cfg, job, client, experiment_id, carried_tags={**carried, COPIED_FROM_TAG: origin}) as logger:
        history = [metric for key in source.data.metrics for metric in client.get_metric_history(source.info.run_id, key)]
        for start in range(0, len(history), MAX_METRICS_PER_BATCH):
            client.log_batch(logger.run_id, metrics=[Metric(m.key, m.value, m.timestamp, m.step)
                                                     for m in history[start : start + MAX_METRICS_PER_BATCH]])
        os.environ[MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR.name] = "false"  # a progress bar per copy, in a job's log
        with tempfile.TemporaryDirectory() as folder:
            client.download_artifacts(source.info.run_id, "", folder)
            (Path(folder) / CONFIG_ARTIFACT).unlink(missing_ok=True)  # the copy's is its own config's
            if any(Path(folder).iterdir()):
                client.log_artifacts(logger.run_id, folder)
        return logger.run_id
