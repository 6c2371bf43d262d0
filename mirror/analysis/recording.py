"""A recording's own measures beside the shared analysis: modulation with its sign on single trials against each
trial's pre-event baseline (Kraskov et al. 2009), which a model, with no window before its event, cannot have; and the
file's provenance, what it was, where it came from (recorded, or planted or exported by this project) and what was
kept of it."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl

import numpy as np

from mirror.analysis.callback import FamilyCallback
from mirror.analysis.modulation import FACILITATED, SUPPRESSED, signed_classes
from mirror.config.recording import RecordingAnalysisConfig
from mirror.data.recording import Session, content_hash
from mirror.tracking.tags import RECORDING_IDENTIFIER_TAG, RECORDING_ORIGIN_TAG


def modulation_against_baseline(session: Session, fdr_method: str, alpha: float) -> dict[str, float]:
    """Each trial's mean rate in the window against its own baseline window, per context (one-sample t of the paired
    differences over trials, BH FDR across units): the share of units facilitated and suppressed, and of the units
    facilitated in execution the share suppressed in observation."""
    classes = {name: signed_classes(trials.mean(axis=1), baseline, fdr_method, alpha) for name, trials, baseline
               in (("execution", session.perform, session.perform_baseline),
                   ("observation", session.observe, session.observe_baseline))}
    metrics = {f"recording/modulation/{name}_{kind}": float(np.mean(values == sign))
               for name, values in classes.items()
               for kind, sign in (("facilitated", FACILITATED), ("suppressed", SUPPRESSED))}
    facilitated = classes["execution"] == FACILITATED
    metrics["recording/modulation/observation_suppressed_of_execution_facilitated"] = (
        float(np.mean(classes["observation"][facilitated] == SUPPRESSED)) if facilitated.any() else float("nan"))
    return metrics


class RecordingProvenanceCallback(FamilyCallback):
    """Logs the session's modulation against its baseline, its counts (units kept, silent units dropped, trials per
    context) as metrics and its identity (file path, size, SHA-256, NWB identifier) as tags."""

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
                   "recording/n_conditions": float(len(session.conditions)),
                   **modulation_against_baseline(session, self.settings.fdr_method, self.settings.fdr_alpha)}
        tags = {"recording.path": str(path), "recording.bytes": str(path.stat().st_size),
                "recording.sha256": content_hash(path), RECORDING_IDENTIFIER_TAG: session.identifier,
                RECORDING_ORIGIN_TAG: session.origin}
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=trainer.global_step)
            if hasattr(logger, "run_id") and hasattr(logger, "experiment"):
                for key, value in tags.items():
                    logger.experiment.set_tag(logger.run_id, key, value)
