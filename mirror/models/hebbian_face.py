"""The Hebbian facial-expression network (docs/models/hebbian.md) as a LightningModule.

A pre-trained VisNet sees the parent's face; a binary motor pattern carries the infant's
expression; both converge on a competitive mirror layer trained by the Hebb rule with
weight normalisation. No gradients anywhere: ``training_step`` applies the local rule.
The model only models: it exposes its rates in the four test conditions and its matched
activity, and :mod:`mirror.analysis.hebbian.callback` measures, draws and logs them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import pickle
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor, nn

from mirror.config import MirrorLayerConfig, VisionConfig
from mirror.config.hebbian import HEBB, INDEPENDENT
from mirror.data.face_interaction import InteractionBatch
from mirror.models.competition import CompetitiveSheet, hebbian_update, normalise_rows
from mirror.models.visnet import VisNet
from mirror.protocol import MirrorActivity
from mirror.seeding import NamedStreams
from mirror.vocabulary.hebbian import CONDITIONS, EXPRESSIONS, MODALITIES

log = logging.getLogger(__name__)

_CACHE_CODE = hashlib.sha256(b"".join(
    (Path(__file__).parents[1] / name).read_bytes()
    for name in ("models/visnet.py", "models/competition.py", "data/faces.py", "data/face_interaction.py")
)).hexdigest()[:16]
"""The source of pre-training, its competition and its faces: part of the cache key, so weights
cached by another version of the code are never reused (a hand-bumped format number can be
forgotten, and runs would then load weights the code can no longer produce)."""
RANDOM_STREAMS = ("architecture", "pretraining", "selectivity", "shuffled_pairing")
"""One random stream per use, so loading cached vision weights (which skips pre-training and
its draws) cannot change the connections, the permutations or anything else downstream.
'selectivity' is the analysis's (its permutation tests); it is spawned here with the others
so that every stream keeps its place. 'shuffled_pairing' is the control network's motor noise."""


def random_streams(seed: int) -> dict[str, np.random.Generator]:
    """The model's independent random streams, one per name of :data:`RANDOM_STREAMS`."""
    streams = NamedStreams(seed, RANDOM_STREAMS)
    return {name: streams.rng(name) for name in RANDOM_STREAMS}


def _unit_rows(inputs: Tensor) -> Tensor:
    """Each input vector scaled to unit length (a zero vector stays zero)."""
    return inputs / inputs.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def _by_condition(by_modality: dict[str, np.ndarray], trials: int) -> dict[str, np.ndarray]:
    """Responses of each modality's test (happy trials first, then sad) split into the four conditions."""
    responses = {
        f"{modality}_{expression}": by_modality[modality][code * trials : (code + 1) * trials]
        for modality in MODALITIES for code, expression in enumerate(EXPRESSIONS)
    }
    return {name: responses[name] for name in CONDITIONS}


class MirrorLayer(nn.Module):
    """The competitive layer on which vision layer 4 and the motor pool converge.

    Both pathways' inputs are scaled to unit length; ``normalisation='separate'`` keeps a
    unit-length weight vector per pathway, ``'joint'`` one over both.
    """

    def __init__(self, n_visual: int, n_motor: int, config: MirrorLayerConfig, rng: np.random.Generator) -> None:
        super().__init__()
        self.n_visual, self.config = n_visual, config
        self.sheet = CompetitiveSheet(config.sheet_size, config.sparseness, config.slope, config.inhibition_sigma,
                                      config.inhibition_delta)
        initial = rng.uniform(0.0, 1.0, (config.sheet_size**2, n_visual + n_motor)).astype(np.float32)
        self.register_buffer("weights", torch.from_numpy(initial))
        # Each neuron's conscience: raised while it fires more often than the sparseness, lowered while less.
        self.register_buffer("threshold", torch.zeros(config.sheet_size**2))
        # How often each neuron won (rate above one half) while learning: one that never won kept its random weights.
        self.register_buffer("wins", torch.zeros(config.sheet_size**2))
        self._normalise()

    def _pathways(self) -> tuple[Tensor, Tensor]:
        return self.weights[:, : self.n_visual], self.weights[:, self.n_visual :]

    def _normalise(self) -> None:
        if self.config.normalisation == "joint":
            normalise_rows(self.weights)
        else:
            for pathway in self._pathways():
                normalise_rows(pathway)

    def drive(self, visual: Tensor, motor: Tensor) -> Tensor:
        """The feed-forward drive before any competition: (B, n_visual), (B, n_motor) -> (B, n_neurons)."""
        visual_weights, motor_weights = self._pathways()
        return _unit_rows(visual) @ visual_weights.T + self.config.motor_gain * _unit_rows(motor) @ motor_weights.T

    def compete(self, drive: Tensor) -> Tensor:
        """Drive (B, n_neurons) -> rates after the competition (each neuron's conscience included)."""
        return self.sheet(drive - self.threshold)

    def forward(self, visual: Tensor, motor: Tensor) -> Tensor:
        """(B, n_visual), (B, n_motor) -> rates (B, n_neurons) after the competition."""
        return self.compete(self.drive(visual, motor))

    @torch.no_grad()
    def memorise(self, visual: Tensor, motor: Tensor) -> None:
        """A planted layer (``wiring`` other than 'hebb'): each presentation's inputs become the next neuron's
        weights, the neurons in turn, so the layer holds the latest pairs it was shown; each copy counts as a win
        (the neuron is counted as learnt), which also says whose turn is next."""
        inputs = torch.cat([_unit_rows(visual), _unit_rows(motor)], dim=1)
        for row in inputs:
            neuron = int(self.wins.sum()) % len(self.wins)
            self.weights[neuron] = row
            self.wins[neuron] += 1
        self._normalise()

    @torch.no_grad()
    def learn(self, visual: Tensor, motor: Tensor, rates: Tensor) -> None:
        """Hebb rule on both pathways, then the configured normalisation; the conscience follows."""
        self.wins += (rates > 0.5).sum(dim=0)
        if self.config.competition == "conscience":
            self.threshold += self.config.conscience_rate * (rates.mean(dim=0) - self.config.sparseness)
        inputs = torch.cat([_unit_rows(visual), _unit_rows(motor)], dim=1)
        if self.config.normalisation == "joint":
            hebbian_update(self.weights, rates, inputs, self.config.learning_rate)
        else:
            for pathway, pathway_inputs in zip(self._pathways(), inputs.split([self.n_visual, inputs.shape[1] - self.n_visual], 1)):
                hebbian_update(pathway, rates, pathway_inputs, self.config.learning_rate)


class HebbianFaceNetwork(pl.LightningModule):
    """VisNet vision + motor module + competitive mirror layer, trained by local rules only."""

    def __init__(self, image_size: int, seed: int, vision: VisionConfig, mirror: MirrorLayerConfig,
                 motor_units_per_expression: int, motor_flip_probability: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self._rngs = random_streams(seed)
        self._noise = torch.Generator().manual_seed(seed)
        self.vision = VisNet(image_size, vision, self._rngs["architecture"])
        self.mirror = MirrorLayer(vision.sheet_size**2, len(EXPRESSIONS) * motor_units_per_expression, mirror,
                                  self._rngs["architecture"])
        self.vision_loaded_from_cache = False
        self.vision_pretrain_seconds: float | None = None
        """Wall time of pre-training (None when the weights came from the cache)."""
        self.vision_updates_per_layer: int | None = None

    # ---------------------------------------------------------------- vision module

    def _cache_path(self, datamodule: pl.LightningDataModule) -> Path:
        """Pre-trained weights depend on the vision config and the pre-training faces only."""
        vision = {k: v for k, v in asdict(self.hparams.vision).items() if k != "cache_dir"}
        data = {k: datamodule.hparams[k] for k in ("image_size", "pretrain_identities", "pretrain_transforms",
                                                     "sequence_length", "pretrain_order", "max_shift", "scale_range",
                                                     "pixel_noise", "seed")}
        key = {"code": _CACHE_CODE, "vision": vision, "data": data}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]
        return Path(self.hparams.vision.cache_dir) / f"visnet-{digest}.pt"

    def pretrain_vision(self, datamodule: pl.LightningDataModule) -> None:
        """Train VisNet bottom-up on the pre-training faces, with the model's own random stream."""
        self.vision_updates_per_layer = self.vision.pretrain(datamodule.pretraining_sequences,
                                                             self._rngs["pretraining"])

    def _load_cached_vision(self, cache: Path) -> bool:
        """Load pre-trained weights from ``cache``; False when there are none, or none readable
        (a truncated or empty file from a killed job, another format), which is said with the path."""
        if not cache.exists():
            return False
        expected = self.vision.state_dict()
        try:
            state = torch.load(cache, weights_only=True)
            shapes = {name: tuple(value.shape) for name, value in state.items()}
            if shapes != {name: tuple(value.shape) for name, value in expected.items()}:
                raise ValueError("its weights do not match this configuration's network")
        except (OSError, EOFError, RuntimeError, ValueError, AttributeError, pickle.UnpicklingError) as error:
            log.warning("cached vision weights %s are unreadable (%s: %s); pre-training again and replacing them",
                        cache, type(error).__name__, error)
            return False
        self.vision.load_state_dict(state)
        return True

    def _prepare_vision(self, datamodule: pl.LightningDataModule) -> None:
        """Pre-train VisNet, or load it from the cache."""
        cache = self._cache_path(datamodule)
        self.vision_loaded_from_cache = self._load_cached_vision(cache)
        if self.vision_loaded_from_cache:
            return
        started = time.perf_counter()
        log.info("pre-training VisNet (%d layers), then caching it in %s", len(self.vision.layers), cache.parent)
        self.pretrain_vision(datamodule)
        self.vision_pretrain_seconds = time.perf_counter() - started
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        torch.save(self.vision.state_dict(), partial)
        os.replace(partial, cache)  # atomic: parallel jobs never read half a file

    def setup(self, stage: str) -> None:
        self.prepare(self.trainer.datamodule)

    def prepare(self, datamodule: pl.LightningDataModule) -> None:
        """Pre-train (or load) the vision module and see the parent's faces through it: everything before
        the interaction, with or without a Trainer (``mirror.diagnostics.same_work`` calls it)."""
        self._prepare_vision(datamodule)
        interaction_faces, test_faces = datamodule.parent_faces
        self.register_buffer("interaction_rates", self.vision(interaction_faces), persistent=False)
        self.register_buffer("test_rates", self.vision(test_faces), persistent=False)

    # ------------------------------------------------------------- motor + mirror

    def motor_pattern(self, expressions: Tensor, noise: torch.Generator | None = None) -> Tensor:
        """Binary pools, one per expression, with independent bit flips: (B,) -> (B, 2 * units); the flips
        drawn from ``noise``, by default the network's own motor noise."""
        units = self.hparams.motor_units_per_expression
        pattern = (torch.arange(len(EXPRESSIONS) * units) // units == expressions[:, None]).float()
        flips = torch.rand(pattern.shape, generator=self._noise if noise is None else noise) < \
            self.hparams.motor_flip_probability
        return torch.where(flips, 1.0 - pattern, pattern)

    def configure_optimizers(self) -> None:
        """No optimiser: learning is the local Hebb rule."""

    def on_fit_start(self) -> None:
        """Keep the untrained mirror layer's state (not a submodule: the saved weights stay the network's)."""
        self._mirror_before_training = {name: value.clone() for name, value in self.mirror.state_dict().items()}

    def training_step(self, batch: InteractionBatch, batch_idx: int) -> None:
        self._learn(self.mirror, batch.face_index, batch.infant, self._noise)

    def _learn(self, layer: MirrorLayer, face_index: Tensor, infant: Tensor, noise: torch.Generator) -> None:
        """One batch of the interaction: the parent's faces seen, the infant's expressions made (drawn at random
        instead for the 'independent' planted layer), its motor noise from ``noise``."""
        wiring = self.hparams.mirror.wiring
        if wiring == INDEPENDENT:
            infant = torch.randint(len(EXPRESSIONS), infant.shape, generator=noise)
        visual, motor = self.interaction_rates[face_index], self.motor_pattern(infant, noise)
        if wiring == HEBB:
            layer.learn(visual, motor, layer(visual, motor))
        else:
            layer.memorise(visual, motor)

    @torch.no_grad()
    def shuffled_pairing_control(self, interaction: InteractionBatch, batch_size: int) -> tuple[MirrorLayer, torch.Generator]:
        """The shuffled-pairing control (docs/models/hebbian.md): the mirror layer as it was before training, trained by
        the same rule on ``interaction`` in batches of ``batch_size`` steps, with its own motor noise (returned
        for its test), so that the network's own draws are untouched."""
        layer = copy.deepcopy(self.mirror)
        layer.load_state_dict(self._mirror_before_training)
        noise = torch.Generator().manual_seed(int(self._rngs["shuffled_pairing"].integers(2**62)))
        for start in range(0, len(interaction.infant), batch_size):
            steps = slice(start, start + batch_size)
            self._learn(layer, interaction.face_index[steps], interaction.infant[steps], noise)
        return layer, noise

    # ------------------------------------------------------------------- testing

    @torch.no_grad()
    def condition_responses(self, layer: MirrorLayer | None = None,
                            noise: torch.Generator | None = None) -> dict[str, dict[str, np.ndarray]]:
        """Responses (trials, U) of the mirror layer (or of ``layer``, with motor noise from ``noise``) in the
        four test conditions (:data:`CONDITIONS`), each modality alone: ``{'rate': ..., 'drive': ...}``, the
        rates after the competition and the drive before it, of the same trials (one draw of motor noise)."""
        layer = self.mirror if layer is None else layer
        trials = len(self.test_rates) // len(EXPRESSIONS)
        expressions = torch.arange(len(EXPRESSIONS)).repeat_interleave(trials)
        motor = self.motor_pattern(expressions, noise)
        inputs = {"visual": (self.test_rates, torch.zeros_like(motor)),
                  "motor": (torch.zeros_like(self.test_rates), motor)}
        drives = {modality: layer.drive(*inputs[modality]) for modality in MODALITIES}
        return {
            "rate": _by_condition({m: layer.compete(drive).numpy() for m, drive in drives.items()}, trials),
            "drive": _by_condition({m: drive.numpy() for m, drive in drives.items()}, trials),
        }

    @torch.no_grad()
    def mirror_activity(self, dataloader) -> MirrorActivity:
        """The shared protocol: motor-only trials as 'perform', visual-only as 'observe', matched by expression."""
        expressions, face_index = (torch.cat(parts) for parts in zip(*dataloader))
        motor = self.motor_pattern(expressions)
        perform = self.mirror(torch.zeros_like(self.test_rates[face_index]), motor)
        observe = self.mirror(self.test_rates[face_index], torch.zeros_like(motor))
        labels = expressions.numpy()[:, None]
        return MirrorActivity(
            perform=perform.numpy()[:, None].astype(np.float64),
            observe=observe.numpy()[:, None].astype(np.float64),
            perform_labels=labels, observe_labels=labels,
            trial_ids=face_index.numpy(), n_classes=len(EXPRESSIONS), condition_names=("motor", "visual"),
        )
