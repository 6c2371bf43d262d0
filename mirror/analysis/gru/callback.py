"""The GRUs' own controls, after the shared analysis: performing in the dark and lesions."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from mirror.analysis.callback import FamilyCallback
from mirror.analysis.lesions import LESION_STREAM, lesion_metrics
from mirror.analysis.summary import analyse, per_unit_r
from mirror.config import GRUAnalysisConfig
from mirror.models.predictive_gru import PredictiveGRU
from mirror.vocabulary.gru import dark_metric, lesion_metric

log = logging.getLogger(__name__)

class GRUControlsCallback(FamilyCallback):
    """After fitting: for a model that reads its previous sensory state, the whole shared analysis again on
    perform activity in the dark (``dark/...``); for every GRU, the lesion test (``lesion/...``)."""

    def __init__(self, settings: GRUAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        """``figures`` is every family callback's switch; these controls draw none."""
        self.settings = settings
        super().__init__()
        self.output_dir = Path(output_dir) / "controls"

    def in_the_dark(self, model: PredictiveGRU, dataloader) -> dict[str, float]:
        """Every shared metric of perform activity with the state input withheld, against observe activity."""
        result = analyse(model.mirror_activity(dataloader, in_the_dark=True), self.settings)
        result.units.to_csv(self.output_dir / "units_in_the_dark.csv", index=False)
        return {dark_metric(name): value for name, value in result.metrics.items()}

    def lesions(self, model: PredictiveGRU, dataloader) -> dict[str, float]:
        """For each lesion size: the cost of silencing the most mirror-like units, the mean cost of random
        lesions of the same size and the one-sided p, for observe accuracy and the forward loss."""
        r = per_unit_r(model.mirror_activity(dataloader))["centred"]
        batches = list(dataloader)
        intact = self._performance(model, batches, np.zeros((1, len(r)), dtype=bool))

        def costs(silenced: np.ndarray) -> dict[str, np.ndarray]:
            accuracy, loss = self._performance(model, batches, silenced)
            return {"observe_accuracy_drop": intact[0][0] - accuracy, "forward_loss_rise": loss - intact[1][0]}

        return lesion_metrics(r, costs, self.settings.lesion_fractions, self.settings.lesion_draws,
                              np.random.default_rng([self.settings.seed, LESION_STREAM]))

    @staticmethod
    def _performance(model: PredictiveGRU, batches: list, silenced: np.ndarray,
                     chunk: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """Observe accuracy and forward loss over every test batch, (L,) each, for (L, U) lesions."""
        accuracy, loss, weight = np.zeros(len(silenced)), np.zeros(len(silenced)), 0
        for batch in batches:
            parts = [model.lesioned_performance(batch, torch.from_numpy(silenced[start : start + chunk]))
                     for start in range(0, len(silenced), chunk)]
            n = len(batch.perform_actions)
            accuracy += n * torch.cat([part[0] for part in parts]).numpy()
            loss += n * torch.cat([part[1] for part in parts]).numpy()
            weight += n
        return accuracy / weight, loss / weight

    def on_fit_end(self, trainer: pl.Trainer, pl_module: PredictiveGRU) -> None:
        started = time.perf_counter()
        log.info("controls: %slesions of the most mirror-like units against random ones",
                 "performing in the dark, " if pl_module.reads_previous_state else "")
        self.output_dir.mkdir(parents=True, exist_ok=True)
        was_training = pl_module.training
        pl_module.eval()
        dataloader = trainer.datamodule.test_dataloader()
        metrics = self.in_the_dark(pl_module, dataloader) if pl_module.reads_previous_state else {}
        if self.settings.lesion_fractions:  # empty where no claim or report of the preset reads a lesion
            metrics.update(self.lesions(pl_module, dataloader))
        pl_module.train(was_training)
        self.record(trainer, metrics, self.output_dir, "controls")
        self.seconds = time.perf_counter() - started
        log.info("controls done in %.1f s", self.seconds)
