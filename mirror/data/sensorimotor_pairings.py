"""The trials of sensorimotor experience that train the associative model (docs/models/associative.md 5.1).

A trial is (seen, done, phase): the action seen (or ``NONE``), the action done (or ``NONE``)
and the phase of training. Normal development holds ``n_trials`` *paired* trials (doing and
seeing), in which what is seen is

- the action done (perfect imitation),
- the action done ``lag`` paired trials before (contiguity),
- another action on a fraction ``mismatch`` of them (imperfect imitation),

plus unpaired trials (seeing alone, doing alone) at random positions, as many as make
``unpaired_fraction`` of all development trials: the paired trials stay the same whatever the
fraction, so only contingency changes. With ``signalled`` an extra sensory cue is present on
exactly the unpaired trials (Cook, Press, Dickinson & Heyes 2010, Exp. 2). Counter-mirror training
(seeing (i + 1) mod n while doing i) and repair (normal pairing) follow. Batches are consecutive
trials, in order.

With a ``sound`` (Heyes' indirect route, docs/science.md 6), each paired trial of development is split: the action is
either done or seen, at random, never both, and a sound is heard with it: the action's own (``per_action``) or one
sound for every action (``shared``, the control: the sound carries nothing about the action).
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from mirror.config.hooks import FamilyDataModule
from mirror.data.batches import NamedTensorDataset
from mirror.seeding import NamedStreams
from mirror.vocabulary import PHASES

NONE = -1
"""The action seen or done on a trial where nothing is seen or done."""
_STREAMS = ("actions", "mismatch", "unpaired", "counter_mirror", "repair", "sound")
"""One random stream per draw, so a later phase never changes an earlier one's trials."""


def persistent_actions(rng: np.random.Generator, n_trials: int, n_actions: int, persistence: float) -> np.ndarray:
    """Actions that repeat the previous one with probability ``persistence``, else are drawn anew."""
    fresh = rng.integers(0, n_actions, n_trials)
    keep = rng.random(n_trials) < persistence
    actions = fresh.copy()
    for trial in range(1, n_trials):
        if keep[trial]:
            actions[trial] = actions[trial - 1]
    return actions


def another_action(rng: np.random.Generator, actions: np.ndarray, n_actions: int) -> np.ndarray:
    """For each action, a different one drawn uniformly from the other n - 1."""
    return (actions + rng.integers(1, n_actions, len(actions))) % n_actions


def paired_trials(rng: np.random.Generator, mismatch_rng: np.random.Generator, n_trials: int, n_actions: int,
                  persistence: float, lag: int, mismatch: float) -> tuple[np.ndarray, np.ndarray]:
    """(seen, done) of the paired trials of development."""
    done = persistent_actions(rng, n_trials, n_actions, persistence)
    seen = np.concatenate([np.full(lag, NONE), done[: n_trials - lag]])
    mismatched = (mismatch_rng.random(n_trials) < mismatch) & (seen != NONE)
    seen[mismatched] = another_action(mismatch_rng, seen[mismatched], n_actions)
    return seen, done


def unpaired_count(n_paired: int, fraction: float) -> int:
    """How many unpaired trials make ``fraction`` of all trials, beside ``n_paired`` paired ones."""
    return int(round(n_paired * fraction / (1.0 - fraction)))


def with_unpaired_trials(rng: np.random.Generator, seen: np.ndarray, done: np.ndarray, n_actions: int,
                         fraction: float, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert unpaired trials (seeing alone, doing alone, or half each) at random positions; the
    paired trials keep their order. Returns seen, done and which trials are the unpaired ones."""
    count = unpaired_count(len(done), fraction)
    actions = rng.integers(0, n_actions, count)
    doing_alone = {"seeing": np.zeros(count, bool), "doing": np.ones(count, bool),
                   "both": np.arange(count) % 2 == 1}[kind]
    unpaired = np.zeros(len(done) + count, dtype=bool)
    unpaired[rng.choice(len(unpaired), count, replace=False)] = True
    all_seen, all_done = np.empty(len(unpaired), np.int64), np.empty(len(unpaired), np.int64)
    all_seen[~unpaired], all_done[~unpaired] = seen, done
    all_seen[unpaired] = np.where(doing_alone, NONE, actions)
    all_done[unpaired] = np.where(doing_alone, actions, NONE)
    return all_seen, all_done, unpaired


def programmed_contingency(seen: np.ndarray, done: np.ndarray, n_actions: int) -> float:
    """Delta P = P(doing i | seeing i) - P(doing i | not seeing i), averaged over the actions i seen at
    least once (a trial of seeing nothing counts as not seeing i): 1 for perfect imitation, 0 when
    doing i is independent of seeing it. NaN when no action is ever seen."""
    contrasts = []
    for action in range(n_actions):
        seeing = seen == action
        if seeing.any() and (~seeing).any():
            contrasts.append(np.mean(done[seeing] == action) - np.mean(done[~seeing] == action))
    return float(np.mean(contrasts)) if contrasts else float("nan")


def sound_units(sound: str, n_actions: int) -> int:
    """How many auditory units a sound schedule needs: one per action, one for all, or none."""
    return {"none": 0, "per_action": n_actions, "shared": 1}[sound]


def apart_with_sounds(rng: np.random.Generator, seen: np.ndarray, done: np.ndarray,
                      sound: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each paired trial as doing alone or seeing alone (half each, at random), with the sound heard on it: the
    action's index (per_action) or 0 (shared). Returns seen, done and heard."""
    doing = rng.random(len(done)) < 0.5
    action = np.where(seen == NONE, done, seen)
    heard = action if sound == "per_action" else np.zeros_like(action)
    return np.where(doing, NONE, action), np.where(doing, action, NONE), heard


class PairingBatch(NamedTuple):
    """Consecutive trials, (B,) each: the action seen and the action done (``NONE`` for neither),
    whether the extra cue is present (1.0) or not (0.0), the training phase, and the sound heard (its
    index, ``NONE`` for silence)."""

    seen: Tensor
    done: Tensor
    signal: Tensor
    phase: Tensor
    heard: Tensor


class SensorimotorPairingsDataModule(FamilyDataModule, pl.LightningDataModule):
    """The training schedule of trials, and test trials of each action done alone and seen alone."""

    def __init__(self, n_actions: int, n_trials: int, persistence: float, lag: int, mismatch: float,
                 unpaired_fraction: float, unpaired_kind: str, signalled: bool, counter_mirror_trials: int,
                 repair_trials: int, sound: str, batch_size: int, test_trials: int, seed: int) -> None:
        super().__init__()
        self.save_hyperparameters()
        self._streams = NamedStreams(seed, _STREAMS)

    def model_kwargs(self) -> dict[str, int | bool]:
        """What the model must know about the data to be built."""
        return {"n_actions": self.hparams.n_actions, "seed": self.hparams.seed, "signalled": self.hparams.signalled,
                "sounds": sound_units(self.hparams.sound, self.hparams.n_actions)}

    @cached_property
    def schedule(self) -> dict[str, np.ndarray]:
        """Per trial: the action seen, the action done (``NONE`` for neither), the cue (1.0 on a
        signalled unpaired trial, else 0.0), the phase index and the sound heard (``NONE``: silence)."""
        hp = self.hparams
        rng = self._streams.rng
        seen, done = paired_trials(rng("actions"), rng("mismatch"), hp.n_trials, hp.n_actions, hp.persistence, hp.lag,
                                   hp.mismatch)
        seen, done, unpaired = with_unpaired_trials(rng("unpaired"), seen, done, hp.n_actions,
                                                    hp.unpaired_fraction, hp.unpaired_kind)
        heard = np.full(len(done), NONE)
        if hp.sound != "none":
            seen, done, heard = apart_with_sounds(rng("sound"), seen, done, hp.sound)
        counter_done = rng("counter_mirror").integers(0, hp.n_actions, hp.counter_mirror_trials)
        repair_done = rng("repair").integers(0, hp.n_actions, hp.repair_trials)
        parts = (done, counter_done, repair_done)
        phases = [np.full(len(part), PHASES.index(phase)) for part, phase in zip(parts, PHASES)]
        return {
            "seen": np.concatenate([seen, (counter_done + 1) % hp.n_actions, repair_done]),
            "done": np.concatenate([done, counter_done, repair_done]),
            "signal": np.concatenate([unpaired & hp.signalled, np.zeros(len(counter_done) + len(repair_done), bool)])
            .astype(np.float32),
            "phase": np.concatenate(phases),
            "heard": np.concatenate([heard, np.full(len(counter_done) + len(repair_done), NONE)]),
        }

    @property
    def delta_p(self) -> float:
        """The contingency between seeing and doing each action that development programs."""
        trials = self.schedule
        development = trials["phase"] == PHASES.index("development")
        return programmed_contingency(trials["seen"][development], trials["done"][development], self.hparams.n_actions)

    @property
    def phases(self) -> np.ndarray:
        """The phase (an index into PHASES) of every trial, in training order."""
        return self.schedule["phase"]

    def setup(self, stage: str | None = None) -> None:
        self.schedule  # noqa: B018 - draw everything before training starts

    def train_dataloader(self) -> DataLoader:
        trials = self.schedule
        dataset = NamedTensorDataset(PairingBatch, *(torch.from_numpy(trials[k]) for k in PairingBatch._fields))
        return DataLoader(dataset, batch_size=self.hparams.batch_size, shuffle=False, num_workers=0)

    def test_dataloader(self) -> DataLoader:
        actions = torch.arange(self.hparams.n_actions).repeat_interleave(self.hparams.test_trials)
        return DataLoader(TensorDataset(actions), batch_size=len(actions))
