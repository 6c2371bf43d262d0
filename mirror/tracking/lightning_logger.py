"""Lightning's MLflow logger, bound to a run whose life :mod:`mirror.tracking.job_run` owns."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from mlflow.entities import Metric
from mlflow.utils.validation import MAX_METRICS_PER_BATCH
from pytorch_lightning.loggers import MLFlowLogger

from mirror.tracking.store import RetryingClient

WRITE_EVERY_S = 5.0
"""Metrics are written to the store at most this often (and whenever the job's run closes)."""


class JobRunLogger(MLFlowLogger):
    """Logs metrics into an existing run and never ends it.

    Lightning marks its logger's run FINISHED when ``fit`` returns, before the analysis
    has run; the run's owner sets the true final status instead (FINISHED, FAILED, KILLED).

    Metrics are kept and written together every :data:`WRITE_EVERY_S` seconds and when the run
    closes (:meth:`flush`), not one write per call: a write costs 5-10 ms on sqlite, and a job
    made 20-40 of them (an epoch's losses, a curve's points), a third of a short job's time.
    Only a job killed with SIGKILL loses what it logged in its last seconds.
    """

    def __init__(self, tracking_uri: str, run_id: str, write_patience_s: float) -> None:
        super().__init__(tracking_uri=tracking_uri, run_id=run_id, log_model=False)
        self._write_patience_s = write_patience_s
        self._retrying: RetryingClient | None = None
        self._pending: list[Metric] = []
        self._written_at = time.monotonic()
        self.end_recorded = True
        """False when the store did not record the run's end (set by the run's owner when it closes it)."""

    @property
    def experiment(self) -> RetryingClient:
        """MLflow's client, its writes retried while the store is locked (one wrapper for the run)."""
        if self._retrying is None:
            self._retrying = RetryingClient(super().experiment, self._write_patience_s)
        return self._retrying

    def log_hyperparams(self, params: Any) -> None:
        """Skipped: the resolved config is logged once, as params, when the run opens."""

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Keep the values (at ``step``, 0 when none) for the next write."""
        timestamp_ms = int(time.time() * 1000)
        self._pending += [Metric(key=name, value=float(value), timestamp=timestamp_ms, step=step or 0)
                          for name, value in metrics.items()]
        if time.monotonic() - self._written_at >= WRITE_EVERY_S:
            self.flush()

    def flush(self) -> None:
        """Write every metric kept so far, in logging order; what a failed write did not take stays kept."""
        while self._pending:
            self.experiment.log_batch(self.run_id, metrics=self._pending[:MAX_METRICS_PER_BATCH])
            del self._pending[:MAX_METRICS_PER_BATCH]
        self._written_at = time.monotonic()

    def finalize(self, status: str = "success") -> None:
        """Skipped: the run's owner sets its final status."""

    def log_artifacts(self, local_dir: Path, artifact_path: str | None = None) -> None:
        """Copy a folder of outputs into the run's artifacts."""
        self.experiment.log_artifacts(self.run_id, str(local_dir), artifact_path)
