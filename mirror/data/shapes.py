"""VisNet's positive control's stimuli: a few line-drawn shapes, each swept through a grid of positions.

The regime VisNet was published on (Wallis & Rolls 1997; Rolls & Milward 2000): a few distinct
stimuli, each shown at a small grid of positions in consecutive frames, the trace reset between
stimuli. The new positions lie half-way between trained ones, for testing generalisation.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from mirror.config.hooks import FamilyDataModule
from mirror.data.retinal_positions import position_sweep
from mirror.vocabulary.visnet import SHAPES

_STROKES: dict[str, list[tuple[float, float, float, float]]] = {
    "T": [(-1, -1, 1, -1), (0, -1, 0, 1)],
    "L": [(-1, -1, -1, 1), (-1, 1, 1, 1)],
    "+": [(-1, 0, 1, 0), (0, -1, 0, 1)],
    "X": [(-1, -1, 1, 1), (-1, 1, 1, -1)],
    "square": [(-1, -1, 1, -1), (1, -1, 1, 1), (1, 1, -1, 1), (-1, 1, -1, -1)],
    "V": [(-1, -1, 0, 1), (0, 1, 1, -1)],
    "Z": [(-1, -1, 1, -1), (1, -1, -1, 1), (-1, 1, 1, 1)],
}
"""Each shape's line segments (x0, y0, x1, y1) in units of its half-size."""
assert tuple(_STROKES) == SHAPES


def draw_shape(name: str, size: int, centre_x: float, centre_y: float, half_size: float,
               stroke_width: float) -> np.ndarray:
    """A (size, size) float32 image in [0, 1]: the shape's anti-aliased white strokes on black."""
    y, x = np.mgrid[0:size, 0:size] + 0.5
    image = np.zeros((size, size))
    for x0, y0, x1, y1 in _STROKES[name]:
        x0, x1 = centre_x + half_size * x0, centre_x + half_size * x1
        y0, y1 = centre_y + half_size * y0, centre_y + half_size * y1
        dx, dy = x1 - x0, y1 - y0
        along = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        distance = np.hypot(x - (x0 + along * dx), y - (y0 + along * dy))
        image = np.maximum(image, np.exp(-0.5 * (distance / stroke_width) ** 2))
    return image.astype(np.float32)


class ShapeStimuliDataModule(FamilyDataModule, pl.LightningDataModule):
    """The shapes at the trained positions (one sequence each, in sweep order) and at new ones."""

    def __init__(self, image_size: int, stimuli: list[str], grid_side: int, spacing: float, half_size: float,
                 stroke_width: float, seed: int) -> None:
        super().__init__()
        self.save_hyperparameters()

    def model_kwargs(self) -> dict[str, int]:
        """What the model must know about the data to be built."""
        return {"image_size": self.hparams.image_size, "seed": self.hparams.seed}

    def _sequences(self, side: int, extent: float) -> torch.Tensor:
        hp = self.hparams
        centre = hp.image_size / 2
        return torch.from_numpy(np.stack([
            np.stack([draw_shape(name, hp.image_size, centre + dx, centre + dy, hp.half_size, hp.stroke_width)
                      for dx, dy in position_sweep(side, extent)])
            for name in hp.stimuli
        ]))

    @cached_property
    def sequences(self) -> torch.Tensor:
        """(stimuli, positions, H, W): each stimulus swept through the trained grid, in training order."""
        hp = self.hparams
        return self._sequences(hp.grid_side, hp.spacing * (hp.grid_side - 1) / 2)

    @cached_property
    def new_position_sequences(self) -> torch.Tensor:
        """(stimuli, (side - 1)^2, H, W): each stimulus at the centres of the trained grid's cells."""
        hp = self.hparams
        return self._sequences(hp.grid_side - 1, hp.spacing * (hp.grid_side - 2) / 2)

    def train_dataloader(self) -> DataLoader:
        """Stimulus indices: VisNet trains on :attr:`sequences` bottom-up in the model's setup."""
        return DataLoader(TensorDataset(torch.arange(len(self.hparams.stimuli))), batch_size=1)
