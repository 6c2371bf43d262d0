"""The lesion test on planted populations: the effect-absent and effect-present references of the claim that
mirror units are what action recognition uses (D14; docs/calibration.md)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pytorch_lightning as pl

from mirror.analysis.callback import FamilyCallback
from mirror.analysis.lesions import LESION_STREAM, lesion_metrics, read_out_costs
from mirror.analysis.summary import per_unit_r
from mirror.config.planted import PlantedAnalysisConfig
from mirror.models.planted import PlantedPopulationModel
from mirror.tracking.lightning_logger import log_artifact_folder

log = logging.getLogger(__name__)


class PlantedLesionCallback(FamilyCallback):
    """After the shared analysis: the lesion test of the most mirror-like units against random ones, each lesion
    read by a linear read-out of the action fitted on the intact activity (``lesion/...``, observe accuracy only:
    a planted population has no forward model)."""

    def __init__(self, settings: PlantedAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        """``figures`` is every family callback's switch; the lesion test draws none."""
        super().__init__()
        self.settings = settings
        self.output_dir = Path(output_dir) / "controls"

    def on_fit_end(self, trainer: pl.Trainer, pl_module: PlantedPopulationModel) -> None:
        started = time.perf_counter()
        log.info("controls: lesions of the most mirror-like units against random ones, read by a linear read-out")
        activity = pl_module.mirror_activity(trainer.datamodule.test_dataloader())
        rng = np.random.default_rng([self.settings.seed, LESION_STREAM])
        metrics = lesion_metrics(per_unit_r(activity)["centred"], read_out_costs(activity, self.settings.seed),
                                 self.settings.lesion_fractions, self.settings.lesion_draws, rng)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        (self.output_dir / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True))
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=trainer.global_step)
        log_artifact_folder(trainer, self.output_dir, "controls")
        self.seconds = time.perf_counter() - started
        log.info("controls done in %.1f s", self.seconds)
