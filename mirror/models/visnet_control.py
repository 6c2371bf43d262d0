"""VisNet's positive control (docs/models/hebbian.md, "Validating the vision module") as a LightningModule.

The same :class:`mirror.models.visnet.VisNet` the face network sees with, trained bottom-up on a few
shapes swept through positions, so that a failure on faces can be told apart from a broken
implementation or regime. No gradients: training is VisNet's own layer-by-layer trace learning,
done in ``setup`` as the face network pre-trains its vision; Lightning's loop has nothing left to do.
"""

from __future__ import annotations

import time

import pytorch_lightning as pl
import torch

from mirror.config import VisionConfig
from mirror.models.visnet import VisNet
from mirror.seeding import NamedStreams

RANDOM_STREAMS = ("architecture", "training")
"""One random stream per use: the connections and initial weights, and the order of training."""


class VisNetControl(pl.LightningModule):
    """VisNet alone, trained on the control's stimuli."""

    def __init__(self, image_size: int, seed: int, vision: VisionConfig) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.streams = NamedStreams(seed, RANDOM_STREAMS)
        self.vision = VisNet(image_size, vision, self.streams.rng("architecture"))
        self.train_seconds: float | None = None
        self.updates_per_layer: int | None = None

    def setup(self, stage: str) -> None:
        """Train every layer in turn on the stimuli's position sweeps, the trace reset between stimuli."""
        started = time.perf_counter()
        self.updates_per_layer = self.vision.pretrain(self.trainer.datamodule.sequences, self.streams.rng("training"))
        self.train_seconds = time.perf_counter() - started

    def configure_optimizers(self) -> None:
        """No optimiser: learning is VisNet's local trace (or Hebb) rule."""

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
        """Nothing: the network was trained in :meth:`setup`."""
