"""Lightning's MLflow logger, bound to a run whose life :mod:`mirror.tracking.job_run` owns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.loggers import MLFlowLogger

from mirror.tracking.store import RetryingClient


class JobRunLogger(MLFlowLogger):
    """Logs metrics into an existing run and never ends it.

    Lightning marks its logger's run FINISHED when ``fit`` returns, before the analysis
    has run; the run's owner sets the true final status instead (FINISHED, FAILED, KILLED).
    """

    def __init__(self, tracking_uri: str, run_id: str, write_patience_s: float) -> None:
        super().__init__(tracking_uri=tracking_uri, run_id=run_id, log_model=False)
        self._write_patience_s = write_patience_s
        self._retrying: RetryingClient | None = None
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

    def finalize(self, status: str = "success") -> None:
        """Skipped: the run's owner sets its final status."""

    def log_artifacts(self, local_dir: Path, artifact_path: str | None = None) -> None:
        """Copy a folder of outputs into the run's artifacts."""
        self.experiment.log_artifacts(self.run_id, str(local_dir), artifact_path)


def log_artifact_folder(trainer: pl.Trainer, folder: Path, artifact_path: str) -> None:
    """Hand a folder of outputs to every logger of the trainer that keeps artifacts."""
    for logger in trainer.loggers:
        if hasattr(logger, "log_artifacts"):
            logger.log_artifacts(folder, artifact_path)
