"""Associative Sequence Learning (Heyes; docs/models/associative.md 5.1-5.2) as a LightningModule.

Sensory units S_1..S_n (seeing action i), with ``signalled`` an extra cue g present on exactly the
unpaired trials, and a context unit c, active on every trial, project to motor units M_1..M_n (doing
action i) through W (n x (n + 1), or n x (n + 2) with the cue). A trial presents x = [s; (g;) 1]
(s one-hot for the action seen, or zero) and m (one-hot for the action done, or zero):

    Hebb:               W <- W + eta m x^T, then each row scaled to unit length when it exceeds it
    covariance:         W <- W + eta (m - mbar)(x - xbar)^T, then mbar <- mbar + rho (m - mbar) and
                        xbar <- xbar + rho (x - xbar)   (Sejnowski 1977: running means over ~1/rho trials)
    Rescorla-Wagner:    W <- W + eta (lambda m - W x) x^T

With ``sounds`` auditory units A (Heyes' indirect route), x = [s; a; (g;) 1] with a the sound heard, and the auditory
units learn from what is seen by the same rule, a <- V [s; 1]: at test, seeing i evokes a = V [s; 1] and through it
W x, so the effective map from seeing to doing is W_S + W_A V_S (:attr:`sensory_weights`), which every measure reads.

Hebb sees contiguity only (its normalisation weakens S_i -> M_i when M_i's row grows on other inputs);
the covariance rule depresses a weight when either side is active without the other (Hebb with LTD,
Keysers, Perrett & Gazzola 2014); Rescorla-Wagner learns from prediction error, so cues compete.
Seeing alone evokes W x in the motor units. No gradients: learning is the rule, applied trial by trial
(in order) within each batch of consecutive trials.
"""

from __future__ import annotations

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor

from mirror.data.sensorimotor_pairings import PairingBatch
from mirror.models import TrainingDiverged
from mirror.protocol import MirrorActivity


def one_hot_or_zero(actions: Tensor, n_actions: int) -> Tensor:
    """(B,) actions, negative for none -> (B, n) one-hot rows, all zero for none."""
    return (actions[:, None] == torch.arange(n_actions)).float()


def hebb_update(weights: Tensor, inputs: Tensor, motor: Tensor, learning_rate: float) -> Tensor:
    """W + eta m x^T, rows longer than 1 scaled to unit length: contiguity alone."""
    updated = weights + learning_rate * torch.outer(motor, inputs)
    return updated / updated.norm(dim=1, keepdim=True).clamp_min(1.0)


def covariance_update(weights: Tensor, inputs: Tensor, motor: Tensor, learning_rate: float, mean_inputs: Tensor,
                      mean_motor: Tensor) -> Tensor:
    """W + eta (m - mbar)(x - xbar)^T: potentiation when both sides are above their means, depression
    when one is active and the other is not."""
    return weights + learning_rate * torch.outer(motor - mean_motor, inputs - mean_inputs)


def rescorla_wagner_update(weights: Tensor, inputs: Tensor, motor: Tensor, learning_rate: float,
                           asymptote: float) -> Tensor:
    """W + eta (lambda m - W x) x^T: learning by prediction error, so contingency matters."""
    return weights + learning_rate * torch.outer(asymptote * motor - weights @ inputs, inputs)


class AssociativeSequenceLearning(pl.LightningModule):
    """Sensory -> motor associations of ASL, learnt by a Hebb, covariance or Rescorla-Wagner rule."""

    def __init__(self, n_actions: int, seed: int, signalled: bool, sounds: int, rule: str, learning_rate: float,
                 asymptote: float, mean_rate: float, initial_weight: float, response_noise: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        rng = np.random.default_rng(seed)
        initial = rng.uniform(0.0, initial_weight, (n_actions, n_actions + 1))
        if signalled:  # a novel cue: no association yet, so fraction 0 learns exactly as unsignalled
            initial = np.insert(initial, n_actions, 0.0, axis=1)
        if sounds:  # drawn after W's, so that a run without sounds keeps its weights
            initial = np.insert(initial, [n_actions] * sounds, rng.uniform(0.0, initial_weight, (n_actions, sounds)),
                                axis=1)
        auditory = rng.uniform(0.0, initial_weight, (sounds, n_actions + 1))
        self.register_buffer("weights", torch.from_numpy(initial.astype(np.float32)))
        self.register_buffer("auditory_weights", torch.from_numpy(auditory.astype(np.float32)))
        self.register_buffer("mean_inputs", torch.zeros(initial.shape[1]))
        self.register_buffer("mean_motor", torch.zeros(n_actions))
        self.register_buffer("mean_seen", torch.zeros(n_actions + 1))
        self.register_buffer("mean_heard", torch.zeros(sounds))
        self._noise = torch.Generator().manual_seed(seed)
        self._trials = 0

    @property
    def sensory_weights(self) -> Tensor:
        """The effective map from seeing to doing (n x n): row j, how seeing S_1..S_n drives M_j, directly and,
        with sounds, through the auditory units seeing evokes (W_S + W_A V_S)."""
        n = self.hparams.n_actions
        direct = self.weights[:, :n]
        if not self.hparams.sounds:
            return direct
        return direct + self.weights[:, n : n + self.hparams.sounds] @ self.auditory_weights[:, :n]

    def seen_inputs(self, seen: Tensor) -> Tensor:
        """[s; 1], what the auditory units learn from and are evoked by: (B,) -> (B, n + 1)."""
        return torch.cat([one_hot_or_zero(seen, self.hparams.n_actions), torch.ones(len(seen), 1)], dim=1)

    def inputs(self, seen: Tensor, signal: Tensor | None = None, heard: Tensor | None = None) -> Tensor:
        """x = [s; (a;) (g;) 1] for each trial: (B,) -> (B, n + 1) and more with sounds and the cue (absent at
        test). With sounds and no ``heard``, a is what seeing evokes in the auditory units."""
        hp = self.hparams
        parts = [one_hot_or_zero(seen, hp.n_actions)]
        if hp.sounds:
            parts.append(self.seen_inputs(seen) @ self.auditory_weights.T if heard is None
                         else one_hot_or_zero(heard, hp.sounds))
        if hp.signalled:
            parts.append((torch.zeros(len(seen)) if signal is None else signal.float())[:, None])
        return torch.cat([*parts, torch.ones(len(seen), 1)], dim=1)

    def _rule(self, weights: Tensor, x: Tensor, target: Tensor, means: tuple[Tensor, Tensor]) -> tuple[Tensor, tuple]:
        """One trial of the model's rule on one layer: its weights and (for the covariance rule) running means."""
        hp = self.hparams
        if hp.rule == "hebb":
            return hebb_update(weights, x, target, hp.learning_rate), means
        if hp.rule == "covariance":
            mean_x, mean_target = means
            weights = covariance_update(weights, x, target, hp.learning_rate, mean_x, mean_target)
            return weights, (mean_x + hp.mean_rate * (x - mean_x), mean_target + hp.mean_rate * (target - mean_target))
        return rescorla_wagner_update(weights, x, target, hp.learning_rate, hp.asymptote), means

    def learn(self, seen: Tensor, done: Tensor, signal: Tensor | None = None, heard: Tensor | None = None) -> None:
        """Apply the rule to each trial in order (to the auditory layer too, with sounds); stop the run if the
        weights stop being finite."""
        hp = self.hparams
        inputs, motor = self.inputs(seen, signal, heard if hp.sounds else None), one_hot_or_zero(done, hp.n_actions)
        weights, means = self.weights, (self.mean_inputs, self.mean_motor)
        auditory, auditory_means = self.auditory_weights, (self.mean_seen, self.mean_heard)
        sounds = zip(self.seen_inputs(seen), one_hot_or_zero(heard, hp.sounds)) if hp.sounds else ()
        for x, m in zip(inputs, motor):
            weights, means = self._rule(weights, x, m, means)
        for s, a in sounds:
            auditory, auditory_means = self._rule(auditory, s, a, auditory_means)
        self._trials += len(inputs)
        if not (torch.isfinite(weights).all() and torch.isfinite(auditory).all()):
            raise TrainingDiverged(
                f"learning diverged: the weights are not finite after {self._trials} trials (model.rule = {hp.rule}, "
                f"model.learning_rate = {hp.learning_rate:g}, model.initial_weight = {hp.initial_weight:g})"
            )
        for buffer, value in zip((self.weights, self.mean_inputs, self.mean_motor, self.auditory_weights,
                                  self.mean_seen, self.mean_heard), (weights, *means, auditory, *auditory_means)):
            buffer.copy_(value)

    def configure_optimizers(self) -> None:
        """No optimiser: learning is the associative rule."""

    @torch.no_grad()
    def training_step(self, batch: PairingBatch, batch_idx: int) -> None:
        self.learn(batch.seen, batch.done, batch.signal, batch.heard)

    @torch.no_grad()
    def evoked_by_seeing(self, seen: Tensor) -> Tensor:
        """Motor activity W x evoked by seeing each action alone (no cue; with sounds, through the auditory
        units seeing evokes): (B,) -> (B, n)."""
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
