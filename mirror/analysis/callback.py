"""The one analysis callback every model is scored by, through the MirrorActivity protocol."""

from __future__ import annotations

import time
from pathlib import Path

import pytorch_lightning as pl

from mirror.analysis.figures import sorted_unit_r
from mirror.analysis.summary import AnalysisResult, analyse
from mirror.config import AnalysisConfig


class MirrorAnalysisCallback(pl.Callback):
    """After fitting (zero epochs included), score the model on the test set and log the results.

    Writes ``analysis/units.csv`` and figures under ``output_dir`` and hands them to every
    logger that accepts artifacts; the metrics go to every logger.
    """

    def __init__(self, settings: AnalysisConfig, output_dir: Path | str, title: str = "") -> None:
        self.settings = settings
        self.output_dir = Path(output_dir) / "analysis"
        self.title = title
        self.result: AnalysisResult | None = None
        self.seconds: float = float("nan")

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        started = time.perf_counter()
        activity = pl_module.mirror_activity(trainer.datamodule.test_dataloader())
        self.result = analyse(activity, self.settings)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.result.units.to_csv(self.output_dir / "units.csv", index=False)
        sorted_unit_r(self.result.units, self.settings, self.title, self.output_dir / "per_unit_r_sorted.png")
        for logger in trainer.loggers:
            logger.log_metrics(self.result.metrics, step=trainer.global_step)
            if hasattr(logger, "log_artifacts"):
                logger.log_artifacts(self.output_dir, "analysis")
        self.seconds = time.perf_counter() - started
