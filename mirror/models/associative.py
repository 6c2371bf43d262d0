"""Associative Sequence Learning (Heyes; SCIENCE.md 5.1) as a LightningModule.

Sensory units S_1..S_n (seeing action i) and a context unit c, active on every trial, project
to motor units M_1..M_n (doing action i) through W (n x (n + 1)). A trial presents
x = [s; 1] (s one-hot for the action seen, or zero) and m (one-hot for the action done, or zero):

    Hebb:               W <- W + eta m x^T, then each row scaled to unit length when it exceeds it
    Rescorla-Wagner:    W <- W + eta (lambda m - W x) x^T

Seeing alone evokes W x in the motor units. No gradients: learning is the rule, applied
trial by trial (in order) within each batch of consecutive trials.
"""

from __future__ import annotations

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor

from mirror.data.sensorimotor_pairings import PairingBatch
from mirror.protocol import MirrorActivity


def one_hot_or_zero(actions: Tensor, n_actions: int) -> Tensor:
    """(B,) actions, negative for none -> (B, n) one-hot rows, all zero for none."""
    return (actions[:, None] == torch.arange(n_actions)).float()


def hebb_update(weights: Tensor, inputs: Tensor, motor: Tensor, learning_rate: float) -> Tensor:
    """W + eta m x^T, rows longer than 1 scaled to unit length: contiguity alone."""
    updated = weights + learning_rate * torch.outer(motor, inputs)
    return updated / updated.norm(dim=1, keepdim=True).clamp_min(1.0)


def rescorla_wagner_update(weights: Tensor, inputs: Tensor, motor: Tensor, learning_rate: float,
                           asymptote: float) -> Tensor:
    """W + eta (lambda m - W x) x^T: learning by prediction error, so contingency matters."""
    return weights + learning_rate * torch.outer(asymptote * motor - weights @ inputs, inputs)


class AssociativeSequenceLearning(pl.LightningModule):
    """Sensory -> motor associations of ASL, learnt by a Hebb or a Rescorla-Wagner rule."""

    def __init__(self, n_actions: int, seed: int, rule: str, learning_rate: float, asymptote: float,
                 initial_weight: float, response_noise: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        initial = np.random.default_rng(seed).uniform(0.0, initial_weight, (n_actions, n_actions + 1))
        self.register_buffer("weights", torch.from_numpy(initial.astype(np.float32)))
        self._noise = torch.Generator().manual_seed(seed)

    @property
    def sensory_weights(self) -> Tensor:
        """W's sensory part (n x n): row j, the weights from S_1..S_n to M_j."""
        return self.weights[:, :-1]

    def inputs(self, seen: Tensor) -> Tensor:
        """x = [s; 1] for each trial: (B,) -> (B, n + 1)."""
        seen_code = one_hot_or_zero(seen, self.hparams.n_actions)
        return torch.cat([seen_code, torch.ones(len(seen), 1)], dim=1)

    def learn(self, seen: Tensor, done: Tensor) -> None:
        """Apply the rule to each trial in order."""
        hp = self.hparams
        inputs, motor = self.inputs(seen), one_hot_or_zero(done, hp.n_actions)
        weights = self.weights
        for x, m in zip(inputs, motor):
            if hp.rule == "hebb":
                weights = hebb_update(weights, x, m, hp.learning_rate)
            else:
                weights = rescorla_wagner_update(weights, x, m, hp.learning_rate, hp.asymptote)
        self.weights.copy_(weights)

    def configure_optimizers(self) -> None:
        """No optimiser: learning is the associative rule."""

    @torch.no_grad()
    def training_step(self, batch: PairingBatch, batch_idx: int) -> None:
        self.learn(batch.seen, batch.done)

    @torch.no_grad()
    def evoked_by_seeing(self, seen: Tensor) -> Tensor:
        """Motor activity W x evoked by seeing each action alone: (B,) -> (B, n)."""
        return self.inputs(seen) @ self.weights.T

    @torch.no_grad()
    def mirror_activity(self, dataloader) -> MirrorActivity:
        """The shared protocol: motor activity while doing each action ('perform') and evoked by
        seeing it alone ('observe'), matched by action, with the test's response noise."""
        (actions,) = (torch.cat(parts) for parts in zip(*dataloader))
        n_actions = self.hparams.n_actions
        perform = one_hot_or_zero(actions, n_actions)
        observe = self.evoked_by_seeing(actions)
        noise = self.hparams.response_noise
        perform = perform + noise * torch.randn(perform.shape, generator=self._noise)
        observe = observe + noise * torch.randn(observe.shape, generator=self._noise)
        labels = actions.numpy()[:, None]
        return MirrorActivity(
            perform=perform.numpy()[:, None].astype(np.float64), observe=observe.numpy()[:, None].astype(np.float64),
            perform_labels=labels, observe_labels=labels, trial_ids=np.arange(len(actions)), n_classes=n_actions,
            condition_names=("doing", "seeing"),
        )
