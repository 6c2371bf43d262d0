"""VisNet's positive control measured before and after training, at trained and at new positions."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytorch_lightning as pl

from mirror.analysis.callback import FamilyCallback, log_artifact_folder
from mirror.analysis.visnet.figures import information_per_cell
from mirror.analysis.visnet.measures import information_per_layer, labels_of, layer_measures, population_measures
from mirror.config.visnet import VisNetAnalysisConfig
from mirror.models.visnet_control import VisNetControl
from mirror.vocabulary.hebbian import VISION_UPDATES_PER_LAYER
from mirror.vocabulary.visnet import CEILING, visnet_metric


class VisNetControlCallback(FamilyCallback):
    """Measure the untrained network in ``setup`` (before the model's own setup trains it), the trained
    one when fitting starts; log both, draw information per cell, sorted, per layer."""

    def __init__(self, settings: VisNetAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        self.settings, self.figures = settings, figures
        super().__init__()
        self.output_dir = Path(output_dir) / "visnet"
        self._information: dict[str, dict[str, list[np.ndarray]]] = {}

    def _measure(self, model: VisNetControl, datamodule: pl.LightningDataModule, stage: str) -> dict[str, float]:
        started = time.perf_counter()
        settings, bins = self.settings, self.settings.information_bins
        stimuli, positions = labels_of(datamodule.sequences)
        new_stimuli, _ = labels_of(datamodule.new_position_sequences)
        ceiling = math.log2(len(datamodule.hparams.stimuli))
        rates = {where: [layer.numpy() for layer in model.vision.rates_of_every_layer(sequences.flatten(0, 1))]
                 for where, sequences in (("trained", datamodule.sequences),
                                          ("new", datamodule.new_position_sequences))}
        self._information[stage] = {
            "trained": information_per_layer(rates["trained"], stimuli, bins),
            "new": information_per_layer(rates["new"], new_stimuli, bins),
        }
        populations = population_measures(rates["trained"][-1], rates["new"][-1], (stimuli, new_stimuli), positions,
                                          settings.cell_counts, bins)
        metrics = {CEILING: ceiling}
        for where, information in self._information[stage].items():
            for name, value in {**layer_measures(information, ceiling, settings.invariance_criterion),
                                **populations[where]}.items():
                metrics[visnet_metric(stage, where, name)] = value
        self.seconds += time.perf_counter() - started
        return metrics

    def _log(self, trainer: pl.Trainer, metrics: dict[str, float]) -> None:
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=0)

    def setup(self, trainer: pl.Trainer, pl_module: VisNetControl, stage: str) -> None:
        self._log(trainer, self._measure(pl_module, trainer.datamodule, "untrained"))

    def on_fit_start(self, trainer: pl.Trainer, pl_module: VisNetControl) -> None:
        metrics = self._measure(pl_module, trainer.datamodule, "trained")
        self._log(trainer, {**metrics, VISION_UPDATES_PER_LAYER: float(pl_module.updates_per_layer)})
        if not self.figures:
            return
        vision = pl_module.hparams.vision
        self.output_dir.mkdir(parents=True, exist_ok=True)
        information_per_cell(self._information, metrics[CEILING],
                             f"VisNet control: {', '.join(trainer.datamodule.hparams.stimuli)} at "
                             f"{len(trainer.datamodule.sequences[0])} positions; trace rule '{vision.trace_rule}', "
                             f"eta {vision.trace_eta:g}", self.output_dir / "information_per_cell.png")
        log_artifact_folder(trainer, self.output_dir, "visnet")
