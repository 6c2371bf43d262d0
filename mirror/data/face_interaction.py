"""Faces and the infant-parent interaction that trains the Hebbian mirror layer (docs/models/hebbian.md).

The infant's expression follows a two-state Markov chain. At every step the motor module
shows the infant's expression and the vision module sees the parent's face, which shows:

- the infant's expression (simulation 1, perfect mimicry),
- its opposite on a fraction ``mismatch`` of steps (simulation 2),
- the infant's expression from ``lag`` steps ago (simulation 3),
- always the opposite during ``counter_mirror_steps`` after development, then the normal
  rule again for ``repair_steps``.

Batches of the training loader are consecutive steps (:class:`InteractionBatch`); test batches are
``(expression, test_face_index)``, one matched motor/visual trial pair per row.
"""

from __future__ import annotations

import math

from functools import cached_property
from typing import NamedTuple

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from mirror.config.hooks import FamilyDataModule
from mirror.data.batches import NamedTensorDataset
from mirror.config.hebbian import EXPRESSION_MORPH, IDENTITY_MORPH, PARENT, POSTER
from mirror.data.faces import HAPPY, SAD, Identity, Transform, draw_face, morph
from mirror.data.retinal_positions import position_sweep
from mirror.seeding import NamedStreams
from mirror.vocabulary import PHASES

# One stream per draw of the interaction, each drawn step by step, so a phase's steps do not
# depend on how many steps follow it: with counter-mirror training and repair added,
# development is exactly simulation 1.
_STREAMS = ("parent", "parent_faces", "pretrain", "vision_test", "infant", "mimicry", "parent_transforms",
            "shuffled_pairing")


def infant_expressions(rng: np.random.Generator, n_steps: int, switch_probability: float) -> np.ndarray:
    """A two-state Markov chain of expressions (0 happy, 1 sad) starting at random; a longer
    chain from the same generator state extends a shorter one."""
    start = rng.random() < 0.5
    switches = rng.random(n_steps) < switch_probability
    switches[0] = start
    return (np.cumsum(switches) % 2).astype(np.int64)


def parent_expressions(
    rng: np.random.Generator, infant: np.ndarray, phase: np.ndarray, mismatch: float, lag: int
) -> np.ndarray:
    """What the parent shows at each step, given the infant's expressions and the phase."""
    lagged = np.concatenate([np.full(lag, infant[0]), infant[: len(infant) - lag]])
    flipped = rng.random(len(infant)) < mismatch
    normal = np.where(flipped, 1 - lagged, lagged)
    return np.where(phase == PHASES.index("counter_mirror"), 1 - infant, normal).astype(np.int64)


class InteractionBatch(NamedTuple):
    """Consecutive interaction steps, (B,) each: the infant's and the parent's expressions, the parent
    face shown (an index into the interaction's faces) and the training phase."""

    infant: Tensor
    parent: Tensor
    face_index: Tensor
    phase: Tensor


class FaceInteractionDataModule(FamilyDataModule, pl.LightningDataModule):
    """Pre-training faces, the parent's faces, and the interaction, all drawn from ``seed``."""

    def __init__(
        self,
        image_size: int,
        n_steps: int,
        switch_probability: float,
        mismatch: float,
        lag: int,
        counter_mirror_steps: int,
        repair_steps: int,
        batch_size: int,
        parent_transforms: int,
        test_trials: int,
        pretrain_identities: int,
        pretrain_transforms: int,
        sequence_length: int,
        pretrain_order: str,
        parent_views: str,
        test_identities: int,
        max_shift: float,
        scale_range: float,
        pixel_noise: float,
        seed: int,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self._streams = NamedStreams(seed, _STREAMS)

    def model_kwargs(self) -> dict[str, int]:
        """What the model must know about the data to be built."""
        return {"image_size": self.hparams.image_size, "seed": self.hparams.seed}

    def _transform(self, rng: np.random.Generator) -> Transform:
        hp = self.hparams
        return Transform.draw(rng, hp.max_shift, hp.scale_range, hp.pixel_noise)

    def _faces(self, rng: np.random.Generator, identities: list[Identity], expressions: np.ndarray,
               poster: bool = False) -> torch.Tensor:
        """One face per identity and expression, each under a transform drawn from ``rng``; with ``poster``, the
        same centred face at scale 1 every time, only its pixel noise fresh."""
        hp = self.hparams
        transform = (lambda: Transform(noise_std=hp.pixel_noise)) if poster else (lambda: self._transform(rng))
        return torch.from_numpy(
            np.stack([draw_face(i, int(e), transform(), hp.image_size, rng) for i, e in zip(identities, expressions)])
        )

    @cached_property
    def parent(self) -> Identity:
        """The one parent the infant interacts with."""
        return Identity.draw(self._streams.rng("parent"))

    @cached_property
    def parent_faces(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(interaction faces (2P, H, W), test faces (2 * test_trials, H, W)); the first half of each is happy.

        With ``parent_views='poster'`` every face is one of the parent's two images (centred, at scale 1) with
        its own draw of pixel noise; with 'transforms', each its own transform, the test's never seen during
        the interaction.
        """
        rng = self._streams.rng("parent_faces")
        banks = []
        for count in (self.hparams.parent_transforms, self.hparams.test_trials):
            expressions = np.repeat([HAPPY, SAD], count)
            banks.append(self._faces(rng, [self.parent] * len(expressions), expressions,
                                     poster=self.hparams.parent_views == POSTER))
        return banks[0], banks[1]

    @cached_property
    def pretraining_sequences(self) -> torch.Tensor:
        """(S, L, H, W) faces of random identities, one expression per sequence. With
        ``pretrain_order='expression'`` a sequence shows that expression across identities and
        transforms, so the trace rule binds the expression into one 'object'; with 'identity' it
        shows one face across consecutive transforms, VisNet's classic object; with 'sweep' one face
        (identity, expression, scale) swept through a grid of positions spanning +-max_shift in
        consecutive frames, the regime in which VisNet's own positive control learns invariance
        (``experiment=visnet_control``)."""
        hp = self.hparams
        rng = self._streams.rng("pretrain")
        identities = [Identity.draw(rng) for _ in range(hp.pretrain_identities)]
        if hp.pretrain_order == "sweep":
            return self._swept_faces(rng, identities)
        if hp.pretrain_order in (IDENTITY_MORPH, EXPRESSION_MORPH):
            return self._morphed_faces(rng, identities)
        if hp.pretrain_order == PARENT:
            identities = [self.parent] * hp.pretrain_identities
        sequences = []
        for expression in (HAPPY, SAD):
            shown = [identity for identity in identities for _ in range(hp.pretrain_transforms)]
            order = rng.permutation(len(shown)) if hp.pretrain_order == "expression" else np.arange(len(shown))
            faces = self._faces(rng, [shown[k] for k in order], np.full(len(shown), expression),
                                poster=hp.pretrain_order == PARENT)
            usable = len(faces) - len(faces) % hp.sequence_length
            sequences.append(faces[:usable].view(-1, hp.sequence_length, *faces.shape[1:]))
        return torch.cat(sequences)

    def _swept_faces(self, rng: np.random.Generator, identities: list[Identity]) -> torch.Tensor:
        """``pretrain_transforms`` sweeps of every identity with each expression, each at its own scale."""
        hp = self.hparams
        positions = position_sweep(math.isqrt(hp.sequence_length), hp.max_shift)
        sequences = []
        for expression in (HAPPY, SAD):
            for identity in identities:
                for _ in range(hp.pretrain_transforms):
                    scale = self._transform(rng).scale
                    sequences.append(np.stack([
                        draw_face(identity, expression, Transform(dx, dy, scale, hp.pixel_noise), hp.image_size, rng)
                        for dx, dy in positions
                    ]))
        return torch.from_numpy(np.stack(sequences))

    def _morphed_faces(self, rng: np.random.Generator, identities: list[Identity]) -> torch.Tensor:
        """Continuous morphs (continuous-transformation learning, Stringer et al. 2006), ``pretrain_transforms``
        per identity and expression, each at its own scale: 'identity_morph' holds the expression while the
        face morphs in even steps into the next identity; 'expression_morph' holds the face while its
        expression morphs from the sequence's expression to the other."""
        hp = self.hparams
        weights = np.linspace(0.0, 1.0, hp.sequence_length)
        sequences = []
        for expression in (HAPPY, SAD):
            for index, identity in enumerate(identities):
                following = identities[(index + 1) % len(identities)]
                for _ in range(hp.pretrain_transforms):
                    transform = self._transform(rng)  # one for the whole sequence: only the morph moves
                    frames = [(morph(identity, following, w), expression) if hp.pretrain_order == IDENTITY_MORPH
                              else (identity, abs(expression - w)) for w in weights]
                    sequences.append(np.stack([draw_face(face, shown, transform, hp.image_size, rng)
                                               for face, shown in frames]))
        return torch.from_numpy(np.stack(sequences))

    @cached_property
    def vision_test_set(self) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
        """Held-out identities: (faces (n, H, W), expressions (n,), identity ids (n,))."""
        hp = self.hparams
        rng = self._streams.rng("vision_test")
        identities = [Identity.draw(rng) for _ in range(hp.test_identities)]
        ids = np.repeat(np.arange(hp.test_identities), 2 * hp.pretrain_transforms)
        expressions = np.tile(np.repeat([HAPPY, SAD], hp.pretrain_transforms), hp.test_identities)
        return self._faces(rng, [identities[i] for i in ids], expressions), expressions, ids

    @cached_property
    def interaction(self) -> dict[str, np.ndarray]:
        """Per step: infant and parent expressions, the parent's face index and the phase."""
        hp = self.hparams
        lengths = (hp.n_steps, hp.counter_mirror_steps, hp.repair_steps)
        phase = np.repeat(np.arange(len(PHASES)), lengths)
        infant = infant_expressions(self._streams.rng("infant"), len(phase), hp.switch_probability)
        parent = parent_expressions(self._streams.rng("mimicry"), infant, phase, hp.mismatch, hp.lag)
        transform = self._streams.rng("parent_transforms").integers(0, hp.parent_transforms, len(phase))
        face_index = parent * hp.parent_transforms + transform
        return {"infant": infant, "parent": parent, "face_index": face_index, "phase": phase}

    @cached_property
    def shuffled_pairing(self) -> InteractionBatch:
        """The shuffled-pairing control's interaction, every step of :attr:`interaction`'s length: the
        infant's expressions as there, the parent's an independent chain with the same switch statistics,
        so sight and action are never correlated (its faces drawn as the interaction's)."""
        hp = self.hparams
        steps = self.interaction
        rng = self._streams.rng("shuffled_pairing")
        parent = infant_expressions(rng, len(steps["infant"]), hp.switch_probability)
        face_index = parent * hp.parent_transforms + rng.integers(0, hp.parent_transforms, len(parent))
        return InteractionBatch(*(torch.from_numpy(values) for values in
                                  (steps["infant"], parent, face_index, steps["phase"])))

    @property
    def phases(self) -> np.ndarray:
        """The phase (an index into PHASES) of every interaction step, in training order."""
        return self.interaction["phase"]

    def setup(self, stage: str | None = None) -> None:
        self.interaction  # noqa: B018 - draw everything before training starts

    def train_dataloader(self) -> DataLoader:
        steps = self.interaction
        dataset = NamedTensorDataset(InteractionBatch, *(torch.from_numpy(steps[k]) for k in InteractionBatch._fields))
        return DataLoader(dataset, batch_size=self.hparams.batch_size, shuffle=False, num_workers=0)

    def test_dataloader(self) -> DataLoader:
        trials = self.hparams.test_trials
        expressions = torch.from_numpy(np.repeat([HAPPY, SAD], trials))
        return DataLoader(TensorDataset(expressions, torch.arange(2 * trials)), batch_size=len(expressions))
