"""A recording's own record beside the shared analysis and the battery: the file's provenance, what it was, where
it came from (recorded, or planted or exported by this project) and what was kept of it."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl

from mirror.analysis.callback import FamilyCallback
from mirror.config.recording import RecordingAnalysisConfig
from mirror.data.recording import content_hash
from mirror.tracking.tags import RECORDING_IDENTIFIER_TAG, RECORDING_ORIGIN_TAG


class RecordingProvenanceCallback(FamilyCallback):
    """Logs the session's counts (units kept, silent units dropped, trials per context) as metrics and its identity
    (file path, size, SHA-256, NWB identifier, origin) as tags."""

    def __init__(self, settings: RecordingAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        """``figures`` is every family callback's switch; this one draws none."""
        super().__init__()
        self.settings = settings

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        datamodule = trainer.datamodule
        session, path = datamodule.session, Path(datamodule.settings.path).expanduser().resolve()
        metrics = {"recording/n_units": float(session.perform.shape[-1]), "recording/n_silent_units_dropped":
                   float(session.silent_units), "recording/n_trials_execution": float(len(session.perform)),
                   "recording/n_trials_observation": float(len(session.observe)),
                   "recording/n_conditions": float(len(session.conditions))}
        tags = {"recording.path": str(path), "recording.bytes": str(path.stat().st_size),
                "recording.sha256": content_hash(path), RECORDING_IDENTIFIER_TAG: session.identifier,
                RECORDING_ORIGIN_TAG: session.origin}
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=trainer.global_step)
            if hasattr(logger, "run_id") and hasattr(logger, "experiment"):
                for key, value in tags.items():
                    logger.experiment.set_tag(logger.run_id, key, value)
