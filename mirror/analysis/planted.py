"""Planted populations' own measures: the lesion test, whose references they are (D14; docs/calibration.md), and
the power of the same-unit test over a grid of prevalences and unit counts (M3, mirror.analysis.power)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytorch_lightning as pl

from mirror.analysis.callback import FamilyCallback
from mirror.analysis.lesions import LESION_STREAM, lesion_metrics, read_out_costs
from mirror.analysis.power import power_curve
from mirror.analysis.summary import per_unit_r
from mirror.config.planted import PlantedAnalysisConfig
from mirror.models.planted import PlantedPopulationModel

log = logging.getLogger(__name__)

POWER_STREAM = 3
"""The power grid's populations draw from their own stream of the analysis seed."""


class PlantedControlsCallback(FamilyCallback):
    """After the shared analysis: the lesion test of the most mirror-like units against random ones, each lesion
    read by a linear read-out of the action fitted on the intact activity (``lesion/...``, observe accuracy only:
    a planted population has no forward model), and, where asked, the power curve (``power/...``)."""

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
        settings = self.settings
        metrics = lesion_metrics(per_unit_r(activity)["centred"], read_out_costs(activity, settings.seed),
                                 settings.lesion_fractions, settings.lesion_draws, rng) if settings.lesion_fractions else {}
        if settings.power_populations:
            log.info("power: %d populations at each of %d prevalences x %d unit counts", settings.power_populations,
                     len(settings.power_prevalences), len(settings.power_units))
            metrics.update(power_curve(pl_module.population, settings.power_prevalences, settings.power_units,
                                       activity.perform_labels, activity.n_classes, settings.power_populations,
                                       settings.fdr_method, settings.fdr_alpha,
                                       np.random.default_rng([settings.seed, POWER_STREAM])))
        self.record(trainer, metrics, self.output_dir, "controls")
        self.seconds = time.perf_counter() - started
        log.info("controls done in %.1f s", self.seconds)
