"""A planted population as a model: nothing to train, its activity generated (mirror.data.planted) on the test
sequences, so that it reaches the shared analysis, MLflow and the claims page by the path every model takes."""

from __future__ import annotations

from collections.abc import Iterable

import pytorch_lightning as pl
import torch

from mirror.data.action_sequences import SequenceBatch
from mirror.config.planted import CONSEQUENCES
from mirror.data.planted import Population, estimate_from_consequences, plant
from mirror.protocol import MirrorActivity
from mirror.seeding import NamedStreams


class PlantedPopulationModel(pl.LightningModule):
    """Activity with a known property. It has no parameters and learns nothing (its trainer runs zero epochs)."""

    def __init__(self, units: int, mirror_fraction: float, anti_mirror_fraction: float, others: str, lag: int,
                 perform_noise: float, observe_noise: float, observer_sees: str, seed: int, n_actions: int,
                 sensory_dim: int) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.population = Population(units, mirror_fraction, anti_mirror_fraction, others, lag, perform_noise,
                                     observe_noise)
        self.streams = NamedStreams(seed, ["population"])

    def training_step(self, batch: SequenceBatch, batch_index: int) -> None:
        """Nothing to learn: an epoch, if one is asked for, changes nothing."""
        return None

    def configure_optimizers(self) -> None:
        return None

    def mirror_activity(self, dataloader: Iterable[SequenceBatch]) -> MirrorActivity:
        """The population on the test sequences: the same activity on every call."""
        batches = list(dataloader)
        perform = torch.cat([batch.perform_actions for batch in batches]).numpy()
        observe = torch.cat([batch.observe_actions for batch in batches]).numpy()
        estimate = (estimate_from_consequences(torch.cat([batch.observe_sensations for batch in batches]).numpy(),
                                               observe, self.hparams.n_actions)
                    if self.hparams.observer_sees == CONSEQUENCES else None)
        return plant(self.population, perform, observe, self.hparams.n_actions, self.streams.rng("population"),
                     estimate)
