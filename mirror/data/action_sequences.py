"""LightningDataModule over the sensorimotor environment.

Every batch is ``(perform_actions, perform_sensations, observe_actions, observe_sensations)``.
With ``pairing='matched'`` (the default and the only valid science) the observe pair *is*
the perform pair: both come from one roll-out of one action sequence. ``'independent'``
is a named control that reproduces the known silent error of drawing separate action
sequences for the forward and the inverse objective: in training, while the test split the
analysis scores stays matched unless ``pair_test`` is false.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
)

from mirror.config.hooks import FamilyDataModule
from mirror.data.batches import NamedTensorDataset
from mirror.data.sensorimotor import Episodes, SensorimotorEnvironment

SPLITS = ("train", "val", "test")


class SequenceBatch(NamedTuple):
    """Matched sequences of both modes, (B, T) actions and (B, T, D) sensations each."""

    perform_actions: Tensor
    perform_sensations: Tensor
    observe_actions: Tensor
    observe_sensations: Tensor


class ActionSequenceDataModule(FamilyDataModule, pl.LightningDataModule):
    """Train/val/test splits of paired (actions, sensations) sequences, all seeded from ``seed``."""

    def __init__(
        self,
        n_actions: int,
        sensory_dim: int,
        seq_len: int,
        decay: float,
        noise_std: float,
        effect_scale: float,
        effect_redraw: float,
        observe_noise_std: float,
        persistence: float,
        pairing: str,
        pair_test: bool,
        n_train: int,
        n_val: int,
        n_test: int,
        batch_size: int,
        seed: int,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        # One child stream per use, so changing n_train never changes the test set.
        env_seed, *split_seeds = np.random.SeedSequence(seed).spawn(1 + len(SPLITS))
        self.environment = SensorimotorEnvironment.draw(
            np.random.default_rng(env_seed), n_actions, sensory_dim, decay, noise_std, effect_scale, effect_redraw
        )
        self._split_seeds = dict(zip(SPLITS, split_seeds))
        self.splits: dict[str, tuple[Episodes, Episodes]] = {}

    def model_kwargs(self) -> dict[str, int]:
        """What a model must know about the data to be built."""
        return {"n_actions": self.hparams.n_actions, "sensory_dim": self.hparams.sensory_dim}

    def split_episodes(self, split: str) -> tuple[Episodes, Episodes]:
        """The (perform, observe) episodes of one split; the same object twice when the split is matched (always,
        but under the pairing error, which unpairs the training splits and, without ``pair_test``, the test)."""
        if split not in self.splits:
            hp = self.hparams
            rng = np.random.default_rng(self._split_seeds[split])
            size = getattr(hp, f"n_{split}")
            perform = self.environment.episodes(rng, size, hp.seq_len, hp.persistence)
            unpaired = hp.pairing == "independent" and (split != "test" or not hp.pair_test)
            observe = self.environment.episodes(rng, size, hp.seq_len, hp.persistence) if unpaired else perform
            self.splits[split] = (perform, observe)
        return self.splits[split]

    def setup(self, stage: str | None = None) -> None:
        for split in SPLITS:
            self.split_episodes(split)

    def observed_sensations(self, split: str) -> np.ndarray:
        """What the observer senses of a split's observe episodes: their sensations, plus noise of its own where
        ``observe_noise_std`` says the observer sees less well (the performer's own sensations stay as they were)."""
        observe = self.split_episodes(split)[1]
        if self.hparams.observe_noise_std == 0.0:
            return observe.sensations
        rng = np.random.default_rng(np.random.SeedSequence(self._split_seeds[split].entropy,
                                                           spawn_key=(*self._split_seeds[split].spawn_key, 1)))
        noise = self.hparams.observe_noise_std * rng.standard_normal(observe.sensations.shape)
        return (observe.sensations + noise).astype(np.float32)

    def _loader(self, split: str, shuffle: bool) -> DataLoader:
        perform, observe = self.split_episodes(split)
        dataset = NamedTensorDataset(
            SequenceBatch,
            torch.from_numpy(perform.actions),
            torch.from_numpy(perform.sensations),
            torch.from_numpy(observe.actions),
            torch.from_numpy(self.observed_sensations(split)),
        )
        order = (
            RandomSampler(dataset, generator=torch.Generator().manual_seed(self.hparams.seed))
            if shuffle
            else SequentialSampler(dataset)
        )
        # The sampler yields whole batches of indices and the tensors are indexed once per batch,
        # instead of once per sequence and then collated. In-memory tensors need no worker
        # processes (which would also fail inside loky workers).
        batches = BatchSampler(order, batch_size=self.hparams.batch_size, drop_last=False)
        return DataLoader(dataset, sampler=batches, batch_size=None, num_workers=0)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)
