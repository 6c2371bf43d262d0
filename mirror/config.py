"""Typed schemas for every config group.

Each YAML file under ``conf/`` names its schema in its defaults list, so Hydra checks
types while composing; :func:`validate` then checks ranges. Both happen before any
heavy import or training, and every error names the offending field (``model.hidden_size``).

This module must stay light (no torch, no mlflow): it is imported to answer ``--help``.
"""

from __future__ import annotations

import math
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from mirror.memory import associative_bytes, available_bytes, gru_bytes, hebbian_bytes
from mirror.tracking.liveness import HEARTBEAT_EVERY_S


class ConfigError(ValueError):
    """A config value is out of range; the message starts with the field's full name."""


def _check(condition: bool, name: str, message: str, value: Any) -> None:
    if not condition:
        raise ConfigError(f"{name} {message} (got {value!r})")


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, name, f"must be one of {', '.join(allowed)}", value)


def _check_finite(part: Any) -> None:
    """Every float field (and every float in a list field) is a number: inf and nan pass every
    range check written as a comparison, and fail much later, far from the field."""
    for field_ in fields(part):
        value = getattr(part, field_.name)
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, float) and not math.isfinite(item):
                raise ConfigError(f"{field_.name} must be finite (got {value!r})")


def _validate_part(name: str, part: Any) -> None:
    """Validate a nested schema, prefixing its name to the field an error names."""
    try:
        _check_finite(part)
        part.validate()
    except ConfigError as error:
        raise ConfigError(f"{name}.{error}") from None


def _writable_folder(folder: Path) -> bool:
    """Whether ``folder`` can be created and written, tried for real (``os.access`` says yes to root
    even on a read-only file system); leaves the folder, which is a cache, in place."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def constructor_arguments(config: Any) -> dict[str, Any]:
    """A schema instance as the keyword arguments of the class its ``_target_`` names.

    Constructors take every argument without a default, so the schema stays the one home
    of each default; code that builds a module by hand (tests, diagnostics) goes through this.
    """
    return {name: getattr(config, name) for name in config.__dataclass_fields__ if name != "_target_"}


# --------------------------------------------------------------------------- data


@dataclass
class ActionSequenceDataConfig:
    """The sensorimotor environment of SCIENCE.md section 1."""

    _target_: str = "mirror.data.action_sequences.ActionSequenceDataModule"
    n_actions: int = 4
    """K, the number of discrete action classes."""
    sensory_dim: int = 16
    """D, the dimension of the sensory state s_t."""
    seq_len: int = 12
    """T, steps per sequence."""
    decay: float = 0.9
    """The sensory state keeps this fraction of itself each step (A = decay * I)."""
    noise_std: float = 0.1
    """Standard deviation of the sensory noise eps_t."""
    effect_scale: float = 1.0
    """Multiplies every action's effect vector E[a] ~ N(0, I)."""
    persistence: float = 0.0
    """Probability that a_t repeats a_{t-1}; 0 draws every action i.i.d."""
    pairing: str = "matched"
    """'matched' (the only valid science) or 'independent', a named control that
    reproduces the known error of drawing separate actions for the two objectives."""
    n_train: int = 2000
    """Training sequences."""
    n_val: int = 200
    """Validation sequences (loss curves only, never used by the analysis)."""
    n_test: int = 300
    """Held-out test sequences scored by the analysis."""
    batch_size: int = 64
    """Sequences per optimisation step."""
    seed: int = 42
    """Seeds the environment (effect vectors) and every sequence draw."""

    def validate(self) -> None:
        _check(self.n_actions >= 2, "n_actions", "must be at least 2", self.n_actions)
        _check(self.sensory_dim >= 1, "sensory_dim", "must be positive", self.sensory_dim)
        _check(self.seq_len >= 2, "seq_len", "must be at least 2", self.seq_len)
        _check(0.0 <= self.decay < 1.0, "decay", "must be in [0, 1) for a stable state", self.decay)
        _check(self.noise_std >= 0.0, "noise_std", "must be non-negative", self.noise_std)
        _check(self.effect_scale > 0.0, "effect_scale", "must be positive", self.effect_scale)
        _check(0.0 <= self.persistence < 1.0, "persistence", "must be in [0, 1)", self.persistence)
        _check(
            self.pairing in ("matched", "independent"),
            "pairing",
            "must be 'matched' or 'independent'",
            self.pairing,
        )
        for name in ("n_train", "n_val", "batch_size"):
            _check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        _check(self.n_test >= 2, "n_test", "must be at least 2 to correlate units", self.n_test)
        _check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity the analysis scores."""
        return self.n_test, self.seq_len


# -------------------------------------------------------------------------- models

READOUTS = ("own", "both", "observe_on_perform", "perform_on_observe")
"""Which mode's states the GRU heads read (SCIENCE.md 2.1)."""
PERFORM_INPUTS = ("action", "action_and_previous_state")
STATE_PROJECTIONS = ("shared", "own")


@dataclass
class GRUModelConfig:
    """A predictive GRU of SCIENCE.md section 2; variants differ in cores and losses."""

    _target_: str = "mirror.models.gru_variants.SharedCoreGRU"
    hidden_size: int = 96
    """H, units in each recurrent core (the units the analysis scores)."""
    forward_weight: float = 1.0
    """Weight of the forward (perform -> sensations, MSE) loss."""
    inverse_weight: float = 1.0
    """Weight of the inverse (observe -> actions, cross-entropy) loss."""
    lr: float = 1e-3
    """Adam learning rate."""
    readout: str = "own"
    """Which mode's states each head reads (SCIENCE.md 2.1): 'own' (the draft paper's design: the
    perform head perform-mode states, the observe head observe-mode states), 'observe_on_perform'
    (the observe head also classifies a_t from perform-mode states: cross-condition decoding
    trained as a loss), 'perform_on_observe' (the perform head also predicts s_t from
    observe-mode states), 'both' (both added). Each added loss has its objective's weight."""
    perform_input: str = "action"
    """What the core reads in perform mode: 'action' (emb(a_t), as stated) or
    'action_and_previous_state' (emb(a_t) + P s_{t-1}, s_{-1} = 0: a textbook forward model)."""
    state_projection: str = "shared"
    """P of 'action_and_previous_state': 'shared' (the observe mode's sensory projection, so both
    modes receive the same sensory directions) or 'own' (a separate linear map)."""
    divergence_factor: float = 100.0
    """Training stops, FAILED, when the loss is not finite or grows to this multiple of its first
    value (a learning rate far too large reaches 1e12 and would otherwise FINISH)."""

    def validate(self) -> None:
        _check(self.hidden_size >= 1, "hidden_size", "must be positive", self.hidden_size)
        _check(self.forward_weight >= 0.0, "forward_weight", "must be non-negative", self.forward_weight)
        _check(self.inverse_weight >= 0.0, "inverse_weight", "must be non-negative", self.inverse_weight)
        _check(self.lr > 0.0, "lr", "must be positive", self.lr)
        _check(self.forward_weight + self.inverse_weight > 0.0, "forward_weight",
               "and inverse_weight are both 0: nothing would be trained", self.forward_weight)
        _check(self.divergence_factor > 1.0, "divergence_factor", "must be above 1", self.divergence_factor)
        _check_choice("readout", self.readout, READOUTS)
        _check_choice("perform_input", self.perform_input, PERFORM_INPUTS)
        _check_choice("state_projection", self.state_projection, STATE_PROJECTIONS)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores."""
        return self.hidden_size


TRACE_RULES = ("current", "previous")
ACTIVATIONS = ("rescaled", "raw")
UPDATES = ("online", "batch")
RETINAS = ("none", "dog")
COMPETITIONS = ("conscience", "quantile")
PRETRAIN_ORDERS = ("expression", "identity")
HEBBIAN_RESPONSES = ("drive", "rate")


@dataclass
class VisionConfig:
    """The VisNet-style vision module (HEBBIAN.md; classic values of Rolls & Milward 2000).

    Per-layer fields are lists with one value per layer, bottom to top.
    """

    wavelengths: list[float] = field(default_factory=lambda: [2.0, 4.0, 8.0])
    """Gabor wavelengths in pixels (the classic 2/4/8/16 is for 128 px; 16 exceeds 64 px faces)."""
    orientations: int = 4
    """Gabor orientations, evenly spaced over 180 degrees (4: 0/45/90/135)."""
    sheet_size: int = 32
    """Each layer is a sheet_size x sheet_size sheet of neurons."""
    fan_in: list[int] = field(default_factory=lambda: [272, 100, 100, 100])
    """Connections per neuron, sampled from the previous layer."""
    fan_in_radius: list[float] = field(default_factory=lambda: [6.0, 6.0, 9.0, 12.0])
    """Sigma (in grid units of the previous layer) of the Gaussian cone connections are drawn from."""
    sparseness: list[float] = field(default_factory=lambda: [0.008, 0.02, 0.12, 0.09])
    """Fraction of each layer driven above the sigmoid's threshold."""
    slope: list[float] = field(default_factory=lambda: [190.0, 40.0, 75.0, 26.0])
    """Sigmoid slope beta of each layer."""
    inhibition_sigma: list[float] = field(default_factory=lambda: [1.38, 2.7, 4.0, 6.0])
    """Width of the lateral-inhibition filter of each layer."""
    inhibition_delta: list[float] = field(default_factory=lambda: [1.5, 1.5, 1.6, 1.4])
    """Contrast of the lateral-inhibition filter of each layer."""
    learning_rate: list[float] = field(default_factory=lambda: [25.0, 6.7, 5.0, 4.0])
    """Hebb/trace learning rate of each layer (the classic values, for unscaled rates and batch-averaged
    updates). Against unit-length weights and inputs (``activation='rescaled'``) a learning rate is the
    fraction by which an update moves a winner's weights: use e.g. 0.05 with ``update='online'``."""
    trace_eta: float = 0.8
    """Trace rule memory (ybar <- eta ybar + (1 - eta) y); 0 is the plain Hebb rule."""
    trace_rule: str = "previous"
    """'previous': the Rolls-Milward variant dw = lr ybar(t - 1) x(t), the default: over seeds 0-9 it
    gives the best held-out read-out of the expression and every seed develops mirror neurons;
    'current': dw = lr ybar(t) x(t), the original VisNet rule (about half the seeds develop none)."""
    activation: str = "raw"
    """'rescaled': each neuron's presynaptic rates are scaled to unit length and each layer's inhibited
    activations onto [0, 1] for each image before the sigmoid, the scale on which the published
    slopes beta give graded rates; 'raw': the unscaled sum, which spreads hundreds of times wider
    than the sigmoid and makes every layer a hard k-winner-take-all."""
    update: str = "batch"
    """'online': a weight update at every step of the pre-training sequences (``batch_sequences`` of
    them side by side), each weight vector renormalised after each update, as VisNet is trained;
    'batch': one update per batch of whole sequences."""
    retina: str = "none"
    """'dog': a centre-surround (difference-of-Gaussians) stage before the Gabor bank removes the mean
    luminance that otherwise dominates what competitive learning finds; 'none': the image as it is."""
    retina_sigma: float = 1.0
    """Centre width (pixels) of the difference of Gaussians; the surround is three times as wide."""
    epochs_per_layer: int = 5
    """Passes over the pre-training faces for each layer, trained bottom-up."""
    batch_sequences: int = 8
    """Pre-training sequences presented side by side; each update averages over them."""
    cache_dir: str = ".cache/visnet"
    """Pre-trained weights are cached here per configuration; safe to delete."""

    def validate(self) -> None:
        layers = len(self.fan_in)
        _check(layers >= 1, "fan_in", "must name at least one layer", self.fan_in)
        for name in ("fan_in_radius", "sparseness", "slope", "inhibition_sigma", "inhibition_delta", "learning_rate"):
            _check(len(getattr(self, name)) == layers, name, f"must have one value per layer ({layers})", getattr(self, name))
        _check(all(0.0 < f < 1.0 for f in self.sparseness), "sparseness", "values must be in (0, 1)", self.sparseness)
        _check(all(f >= 1 for f in self.fan_in), "fan_in", "values must be positive", self.fan_in)
        _check(all(w >= 1.0 for w in self.wavelengths) and self.wavelengths, "wavelengths", "must be >= 1 px", self.wavelengths)
        _check(self.orientations >= 1, "orientations", "must be positive", self.orientations)
        _check(self.sheet_size >= 2, "sheet_size", "must be at least 2", self.sheet_size)
        _check(0.0 <= self.trace_eta < 1.0, "trace_eta", "must be in [0, 1)", self.trace_eta)
        _check(self.epochs_per_layer >= 0, "epochs_per_layer", "must be non-negative", self.epochs_per_layer)
        _check(self.batch_sequences >= 1, "batch_sequences", "must be positive", self.batch_sequences)
        for name, allowed in (("trace_rule", TRACE_RULES), ("activation", ACTIVATIONS), ("update", UPDATES),
                              ("retina", RETINAS)):
            _check_choice(name, getattr(self, name), allowed)
        _check(self.retina_sigma > 0.0, "retina_sigma", "must be positive", self.retina_sigma)
        for name in ("fan_in_radius", "slope", "inhibition_sigma"):
            _check(all(v > 0 for v in getattr(self, name)), name, "values must be positive", getattr(self, name))
        for name in ("inhibition_delta", "learning_rate"):
            _check(all(v >= 0 for v in getattr(self, name)), name, "values must be non-negative",
                   getattr(self, name))
        _check(_writable_folder(Path(self.cache_dir).expanduser()), "cache_dir",
               "must be a folder this user can create and write (pre-trained weights are saved there)",
               self.cache_dir)


@dataclass
class MirrorLayerConfig:
    """The competitive layer where the visual and motor pathways converge."""

    sheet_size: int = 10
    """The layer is a sheet_size x sheet_size sheet (10: 100 neurons)."""
    sparseness: float = 0.5
    """Fraction of the layer driven above threshold on a trial. 0.5 matches the task (HEBBIAN.md):
    with two expressions every neuron can belong to one of two populations, and every neuron wins
    on some trials during training."""
    slope: float = 40.0
    """Sigmoid slope beta."""
    inhibition_sigma: float = 1.5
    """Width of the lateral-inhibition filter (in neurons)."""
    inhibition_delta: float = 1.5
    """Contrast of the lateral-inhibition filter."""
    learning_rate: float = 1.0
    """Hebb learning rate."""
    normalisation: str = "separate"
    """'separate': each pathway's weight vector has unit length, so neither pathway can win
    by size alone; 'joint': one unit-length vector over both, so the ~1,024 visual inputs
    outweigh the small motor pool."""
    motor_gain: float = 1.0
    """Multiplies the motor pathway's drive. Both pathways' inputs are scaled to unit length,
    so 1.0 lets a perfectly tuned motor pathway drive a neuron as strongly as a perfectly
    tuned visual one."""
    competition: str = "quantile"
    """'quantile': a fraction ``sparseness`` of the layer wins every trial; 'conscience': as well, each
    neuron carries a threshold that rises while it fires more often than ``sparseness`` and falls
    while it fires less (DeSieno 1988), so that with a small sparseness every neuron still wins, and
    learns, during training (its thresholds, tuned to both pathways at once, then bias a test that
    presents one modality at a time)."""
    conscience_rate: float = 0.05
    """How fast a neuron's threshold follows its firing (per Hebbian update)."""

    def validate(self) -> None:
        _check(self.sheet_size >= 2, "sheet_size", "must be at least 2", self.sheet_size)
        _check(0.0 < self.sparseness < 1.0, "sparseness", "must be in (0, 1)", self.sparseness)
        _check(self.learning_rate > 0.0, "learning_rate", "must be positive", self.learning_rate)
        _check(self.slope > 0.0, "slope", "must be positive", self.slope)
        _check(self.inhibition_sigma > 0.0, "inhibition_sigma", "must be positive", self.inhibition_sigma)
        _check(self.inhibition_delta >= 0.0, "inhibition_delta", "must be non-negative", self.inhibition_delta)
        _check_choice("competition", self.competition, COMPETITIONS)
        _check(self.conscience_rate >= 0.0, "conscience_rate", "must be non-negative", self.conscience_rate)
        _check(self.normalisation in ("separate", "joint"), "normalisation", "must be 'separate' or 'joint'",
               self.normalisation)
        _check(self.motor_gain >= 0.0, "motor_gain", "must be non-negative", self.motor_gain)


@dataclass
class HebbianModelConfig:
    """The Hebbian facial-expression network (HEBBIAN.md): vision + motor -> mirror layer."""

    _target_: str = "mirror.models.hebbian_face.HebbianFaceNetwork"
    vision: VisionConfig = field(default_factory=VisionConfig)
    mirror: MirrorLayerConfig = field(default_factory=MirrorLayerConfig)
    motor_units_per_expression: int = 10
    """Size of each expression's pool in the binary motor pattern."""
    motor_flip_probability: float = 0.05
    """Each motor unit's bit flips with this probability on every presentation."""

    def validate(self) -> None:
        _validate_part("vision", self.vision)
        _validate_part("mirror", self.mirror)
        _check(self.motor_units_per_expression >= 1, "motor_units_per_expression", "must be positive",
               self.motor_units_per_expression)
        _check(0.0 <= self.motor_flip_probability < 0.5, "motor_flip_probability", "must be in [0, 0.5)",
               self.motor_flip_probability)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores: the mirror layer's neurons."""
        return self.mirror.sheet_size**2


@dataclass
class FaceInteractionDataConfig:
    """Faces and the infant-parent interaction of HEBBIAN.md (simulations 1-3, counter-mirror)."""

    _target_: str = "mirror.data.face_interaction.FaceInteractionDataModule"
    image_size: int = 64
    """Face images are image_size x image_size pixels (the classic 128 is 4x slower)."""
    n_steps: int = 2000
    """Interaction steps of normal development."""
    switch_probability: float = 0.1
    """The infant's expression switches with this probability each step (mean run 1/p steps)."""
    mismatch: float = 0.0
    """Simulation 2: fraction of steps on which the parent shows the opposite expression."""
    lag: int = 0
    """Simulation 3: the parent shows the infant's expression from this many steps ago."""
    counter_mirror_steps: int = 0
    """After development, steps on which the parent always shows the opposite expression."""
    repair_steps: int = 0
    """After counter-mirror training, steps of normal mimicry again."""
    batch_size: int = 10
    """Consecutive interaction steps per Hebbian update of the mirror layer."""
    parent_transforms: int = 40
    """Transforms of the parent's face per expression seen during the interaction."""
    test_trials: int = 40
    """Trials per test condition (visual-happy, visual-sad, motor-happy, motor-sad)."""
    pretrain_identities: int = 40
    """Random identities in the vision module's pre-training faces."""
    pretrain_transforms: int = 4
    """Transforms of each pre-training identity and expression."""
    sequence_length: int = 8
    """Faces per pre-training sequence; the trace is reset between sequences."""
    pretrain_order: str = "expression"
    """What a pre-training sequence shows: 'expression' (one expression across identities and
    transforms, so the trace binds an expression) or 'identity' (one face, one expression, across
    consecutive transforms: VisNet's classic object across its transforms; a sequence holds one
    face when pretrain_transforms is a multiple of sequence_length)."""
    test_identities: int = 12
    """Held-out identities that score the vision module's expression selectivity."""
    max_shift: float = 0.0
    """Largest shift of a face, as a fraction of the image. Off by default: with shifts
    (e.g. 0.06) the vision module's layer 4 carries no expression information (measured
    with ``python -m mirror.diagnostics.vision_probe``; see the README)."""
    scale_range: float = 0.1
    """Face scale is drawn from 1 +- scale_range."""
    pixel_noise: float = 0.05
    """Standard deviation of pixel noise."""
    seed: int = 42
    """Seeds identities, transforms and the interaction."""

    def validate(self) -> None:
        _check(self.image_size >= 16, "image_size", "must be at least 16", self.image_size)
        _check(self.n_steps >= 1, "n_steps", "must be positive", self.n_steps)
        _check(0.0 < self.switch_probability <= 1.0, "switch_probability", "must be in (0, 1]", self.switch_probability)
        _check(0.0 <= self.mismatch <= 1.0, "mismatch", "must be in [0, 1]", self.mismatch)
        _check(0 <= self.lag < self.n_steps, "lag", "must be in [0, n_steps)", self.lag)
        for name in ("counter_mirror_steps", "repair_steps"):
            _check(getattr(self, name) >= 0, name, "must be non-negative", getattr(self, name))
        for name in ("batch_size", "parent_transforms", "pretrain_identities", "pretrain_transforms",
                     "sequence_length"):
            _check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        _check(self.test_identities >= 3, "test_identities",
               "must be at least 3 (the expression read-out is cross-validated over identities)", self.test_identities)
        _check(self.test_trials >= 4, "test_trials", "must be at least 4", self.test_trials)
        _check_choice("pretrain_order", self.pretrain_order, PRETRAIN_ORDERS)
        _check(0.0 <= self.max_shift < 0.5, "max_shift", "must be in [0, 0.5)", self.max_shift)
        _check(0.0 <= self.scale_range < 1.0, "scale_range", "must be in [0, 1)", self.scale_range)
        _check(self.pixel_noise >= 0.0, "pixel_noise", "must be non-negative", self.pixel_noise)
        _check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity: one trial per test face, happy and sad."""
        return 2 * self.test_trials, 1


# ------------------------------------------------------------ associative learning

ASSOCIATIVE_RULES = ("hebb", "rescorla_wagner")
UNPAIRED_KINDS = ("seeing", "doing", "both")


@dataclass
class AssociativeModelConfig:
    """Associative Sequence Learning (SCIENCE.md 5.1): sensory -> motor weights learnt trial by trial."""

    _target_: str = "mirror.models.associative.AssociativeSequenceLearning"
    rule: str = "rescorla_wagner"
    """'hebb' (W += eta m x^T, rows capped at unit length: contiguity is all it sees) or
    'rescorla_wagner' (W += eta (lambda m - W x) x^T: prediction error, so contingency matters)."""
    learning_rate: float = 0.05
    """eta, the step of every weight change."""
    asymptote: float = 1.0
    """lambda, the motor activity a Rescorla-Wagner association grows towards."""
    initial_weight: float = 0.01
    """Initial weights are uniform in [0, initial_weight]: small and unsystematic."""
    response_noise: float = 0.05
    """Standard deviation of Gaussian noise on every motor unit at test, so that statistics over
    repeated test trials of one action are not degenerate."""

    def validate(self) -> None:
        _check_choice("rule", self.rule, ASSOCIATIVE_RULES)
        _check(self.learning_rate >= 0.0, "learning_rate", "must be non-negative", self.learning_rate)
        _check(self.asymptote > 0.0, "asymptote", "must be positive", self.asymptote)
        _check(self.initial_weight >= 0.0, "initial_weight", "must be non-negative", self.initial_weight)
        _check(self.response_noise >= 0.0, "response_noise", "must be non-negative", self.response_noise)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores: the motor units."""
        return data.n_actions


@dataclass
class SensorimotorPairingsDataConfig:
    """The trials that train the associative model (SCIENCE.md 5.1): doing, seeing, both, in order."""

    _target_: str = "mirror.data.sensorimotor_pairings.SensorimotorPairingsDataModule"
    n_actions: int = 8
    """n, the actions that can be done and seen (S_1..S_n, M_1..M_n)."""
    n_trials: int = 400
    """Paired trials (doing and seeing) of normal development; unpaired trials come on top."""
    persistence: float = 0.75
    """Probability that the action done repeats the previous one, so that a lag between doing and
    seeing degrades the pairing gradually rather than all at once."""
    lag: int = 0
    """Contiguity: on a paired trial the action seen is the one done ``lag`` paired trials before
    (nothing is seen on the first ``lag``)."""
    mismatch: float = 0.0
    """Imperfect imitation: on this fraction of paired trials another action than the one done is seen."""
    unpaired_fraction: float = 0.0
    """Contingency: the fraction of all development trials that are unpaired (seeing alone or doing
    alone), added to the ``n_trials`` paired ones at random positions (0.8: four unpaired per paired)."""
    unpaired_kind: str = "both"
    """What an unpaired trial is: 'seeing' alone, 'doing' alone, or 'both' kinds, half each."""
    counter_mirror_trials: int = 0
    """After development, trials of seeing action (i + 1) mod n while doing i."""
    repair_trials: int = 0
    """After counter-mirror training, paired trials of normal imitation again."""
    batch_size: int = 20
    """Consecutive trials per training step (the model still learns trial by trial within it)."""
    test_trials: int = 20
    """Test presentations of each action, done alone and seen alone."""
    seed: int = 42
    """Seeds the schedule (actions, mismatches, positions of unpaired trials)."""

    def validate(self) -> None:
        _check(self.n_actions >= 2, "n_actions", "must be at least 2", self.n_actions)
        _check(self.n_trials >= 1, "n_trials", "must be positive", self.n_trials)
        _check(0.0 <= self.persistence < 1.0, "persistence", "must be in [0, 1)", self.persistence)
        _check(0 <= self.lag < self.n_trials, "lag", "must be in [0, n_trials)", self.lag)
        _check(0.0 <= self.mismatch <= 1.0, "mismatch", "must be in [0, 1]", self.mismatch)
        _check(0.0 <= self.unpaired_fraction < 1.0, "unpaired_fraction", "must be in [0, 1)", self.unpaired_fraction)
        _check_choice("unpaired_kind", self.unpaired_kind, UNPAIRED_KINDS)
        for name in ("counter_mirror_trials", "repair_trials"):
            _check(getattr(self, name) >= 0, name, "must be non-negative", getattr(self, name))
        _check(self.batch_size >= 1, "batch_size", "must be positive", self.batch_size)
        _check(self.test_trials >= 2, "test_trials", "must be at least 2", self.test_trials)
        _check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity: each action done alone and seen alone."""
        return self.n_actions * self.test_trials, 1


# ------------------------------------------------------------------ trainer/analysis


ACCELERATORS = ("cpu", "gpu", "cuda", "mps", "auto")
"""What ``pytorch_lightning.Trainer(accelerator=...)`` accepts on the machines this runs on."""


@dataclass
class TrainerConfig:
    """Arguments of ``pytorch_lightning.Trainer`` that the experiments use."""

    max_epochs: int = 20
    """Training epochs; 0 evaluates the untrained network."""
    accelerator: str = "cpu"
    """'cpu' keeps runs bit-for-bit reproducible; 'auto' uses a GPU when present."""
    deterministic: bool = True
    """Deterministic algorithms, so the same command gives the same numbers."""
    log_every_n_steps: int = 10
    """Step interval of the training-loss curve."""
    enable_progress_bar: bool = True
    """Show Lightning's progress bars when the output is a terminal; elsewhere (and when false) a
    run logs one line per epoch instead."""
    limit_train_batches: float = 1.0
    """Fraction (or, when above 1, count) of training batches per epoch."""

    def validate(self) -> None:
        _check(self.max_epochs >= 0, "max_epochs", "must be non-negative", self.max_epochs)
        _check(self.log_every_n_steps >= 1, "log_every_n_steps", "must be positive", self.log_every_n_steps)
        _check_choice("accelerator", self.accelerator, ACCELERATORS)
        batches = self.limit_train_batches
        _check(batches > 0 and (batches <= 1 or float(batches).is_integer()), "limit_train_batches",
               "must be a fraction in (0, 1] or a whole number of batches", batches)

    def trainer_arguments(self) -> dict[str, Any]:
        """The fields as ``pytorch_lightning.Trainer`` takes them (a count of batches as an int)."""
        arguments = {name: getattr(self, name) for name in self.__dataclass_fields__}
        if arguments["limit_train_batches"] > 1:
            arguments["limit_train_batches"] = int(arguments["limit_train_batches"])
        return arguments


@dataclass
class AnalysisConfig:
    """The shared mirror analysis applied to every model (SCIENCE.md section 3)."""

    mirror_threshold: float = 0.75
    """A unit with r above this counts as mirror-like (the draft paper's threshold)."""
    abs_threshold: float = 0.6
    """A unit with |r| above this counts as strongly (anti-)correlated."""
    anti_mirror_threshold: float = -0.6
    """A unit with r below this counts as anti-mirror."""
    headline: str = "centred"
    """Which per-unit r the summary leads with: 'centred' (time-centred) or 'raw'."""
    n_permutations: int = 1000
    """Sequence re-pairings in the permutation null of each unit's r."""
    fdr_method: str = "bh"
    """'bh' (Benjamini-Hochberg) or 'by' (Benjamini-Yekutieli, valid under any dependence)."""
    fdr_alpha: float = 0.05
    """False discovery rate at which a unit counts as a significant (anti-)mirror unit."""
    decoder_folds: int = 2
    """Folds over test sequences for the cross-condition decoders."""
    max_lag: int = 3
    """Largest lag (steps) of the perform/observe cross-correlation."""
    top_units: int = 10
    """How many of the most mirror-like units the lag summary and figures describe."""
    cka_permutations: int = 200
    """Sequence re-pairings in the null of linear CKA."""
    silhouette_samples: int = 1000
    """Samples drawn to compute each mode's silhouette score (its cost is quadratic)."""
    seed: int = 0
    """Seeds the permutations, folds and subsamples (follows the run's seed)."""

    def validate(self) -> None:
        _check(-1.0 <= self.mirror_threshold <= 1.0, "mirror_threshold", "must be in [-1, 1]", self.mirror_threshold)
        _check(0.0 <= self.abs_threshold <= 1.0, "abs_threshold", "must be in [0, 1]", self.abs_threshold)
        _check(
            -1.0 <= self.anti_mirror_threshold <= 0.0,
            "anti_mirror_threshold",
            "must be in [-1, 0]",
            self.anti_mirror_threshold,
        )
        _check(self.headline in ("centred", "raw"), "headline", "must be 'centred' or 'raw'", self.headline)
        for name in ("n_permutations", "top_units", "cka_permutations", "silhouette_samples"):
            _check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        _check(self.fdr_method in ("bh", "by"), "fdr_method", "must be 'bh' or 'by'", self.fdr_method)
        _check(0.0 < self.fdr_alpha < 1.0, "fdr_alpha", "must be in (0, 1)", self.fdr_alpha)
        _check(self.decoder_folds >= 2, "decoder_folds", "must be at least 2", self.decoder_folds)
        _check(self.max_lag >= 0, "max_lag", "must be non-negative", self.max_lag)
        _check(self.seed >= 0, "seed", "must be non-negative", self.seed)


@dataclass
class HebbianAnalysisConfig(AnalysisConfig):
    """The shared analysis plus the Hebbian model's own tests of its mirror layer (HEBBIAN.md)."""

    selectivity_alpha: float = 0.05
    """FDR (BH) level of the per-neuron permutation test of expression selectivity."""
    min_difference: float = 0.05
    """...and the smallest happy-sad difference of the mean scored response that counts (drive and
    rate both lie on a [0, 1] scale per pathway)."""
    selectivity_permutations: int = 1000
    """Label shuffles in each selectivity test."""
    eval_every: int = 100
    """Interaction steps between mirror/anti-mirror counts logged during training."""
    response: str = "rate"
    """What the selectivity test scores: 'rate' (each neuron's firing rate after the competition,
    which lets at most 2 x sparseness x N neurons be selective: all of them at the mirror layer's
    sparseness of 0.5) or 'drive' (its feed-forward drive before the competition, so a neuron need
    not be among a trial's winners to be measured, and the test imposes no ceiling at any sparseness;
    stricter, as min_difference then applies to drives, not to rates amplified by the sigmoid)."""
    min_vision_read_out: float = 0.75
    """Below this read-out of the parent's happy vs sad faces from layer 4, the run's summary warns
    that vision cannot carry the expression (mirror neurons cannot then develop from it)."""

    def validate(self) -> None:
        super().validate()
        _check_choice("response", self.response, HEBBIAN_RESPONSES)
        _check(0.0 <= self.min_vision_read_out <= 1.0, "min_vision_read_out", "must be in [0, 1]",
               self.min_vision_read_out)
        _check(0.0 < self.selectivity_alpha < 1.0, "selectivity_alpha", "must be in (0, 1)", self.selectivity_alpha)
        _check(self.min_difference >= 0.0, "min_difference", "must be non-negative", self.min_difference)
        _check(self.selectivity_permutations >= 1, "selectivity_permutations", "must be positive",
               self.selectivity_permutations)
        _check(self.eval_every >= 1, "eval_every", "must be positive", self.eval_every)


@dataclass
class AssociativeAnalysisConfig(AnalysisConfig):
    """The shared analysis plus the associative model's own measures of its weights."""

    top_units: int = 4
    """How many of the most mirror-like motor units the lag summary and figures describe (of 8 by default)."""
    eval_every: int = 20
    """Trials between points of the curves of the mirror index over training."""

    def validate(self) -> None:
        super().validate()
        _check(self.eval_every >= 1, "eval_every", "must be positive", self.eval_every)


@dataclass
class TrackingConfig:
    """Where runs are recorded. The default is an embedded store under ``mlruns/``."""

    uri: str = "sqlite:///mlruns/mlflow.db"
    """MLflow tracking URI; ``http://host:5000`` points at a shared tracking server."""
    artifact_root: str = "mlruns/artifacts"
    """Where a new experiment keeps its artifacts (ignored by a server that sets its own)."""
    experiment: str = "mirror"
    """MLflow experiment name."""
    run_name: str = ""
    """Readable run name; empty means '<model>-seed<seed>'."""
    resume: bool = True
    """In a multirun, skip a job whose identical config already has a FINISHED run in this
    experiment, so a re-run sweep repeats nothing; ``false`` runs every job again."""
    heartbeat_timeout_s: float = 600.0
    """A RUNNING run whose process is gone from this host, or (from another host) whose heartbeat
    (every 30 s) is older than this, is marked FAILED by the next run or sweep of its experiment."""
    write_patience_s: float = 300.0
    """How long a write to the store is retried, with back-off, while the store is locked by
    another writer (sqlite gives up after 20 s): a finished run is not lost to a busy store."""

    def validate(self) -> None:
        _check(bool(self.uri), "uri", "must not be empty", self.uri)
        address = urlsplit(self.uri)
        if address.username or address.password:
            hidden = address._replace(netloc="***@" + address.netloc.rpartition("@")[2]).geturl()
            raise ConfigError(f"uri must not carry a user name or password (got {hidden}): they would be written "
                              "to the run's params, tags and config; give them in MLFLOW_TRACKING_USERNAME and "
                              "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead")
        _check(bool(self.experiment), "experiment", "must not be empty", self.experiment)
        _check(self.heartbeat_timeout_s > HEARTBEAT_EVERY_S, "heartbeat_timeout_s",
               f"must be longer than the heartbeat interval ({HEARTBEAT_EVERY_S:g} s)", self.heartbeat_timeout_s)
        _check(self.write_patience_s >= 0.0, "write_patience_s", "must be non-negative", self.write_patience_s)


EXECUTION_FIELDS = ("tracking", "threads", "trainer.enable_progress_bar")
"""Config fields that say where and how a job runs, not what it computes: they are left
out of a job's identity (resumed sweeps), its run name, its sweep folder's name and a
report's conditions. A group's name covers every field of the group."""


def is_execution_field(name: str) -> bool:
    """True for a dotted field name in (or under) :data:`EXECUTION_FIELDS`."""
    return any(name == field_ or name.startswith(f"{field_}.") for field_ in EXECUTION_FIELDS)


def execution_override_keys() -> list[str]:
    """Every leaf field of :data:`EXECUTION_FIELDS`, as the override keys Hydra leaves out of a
    job's folder name (``hydra.job.config.override_dirname.exclude_keys`` reads this)."""
    keys = []
    for name in EXECUTION_FIELDS:
        schemas = GROUP_SCHEMAS.get(name, {})
        leaves = {leaf for schema in schemas.values() for leaf in schema.__dataclass_fields__}
        keys.extend(sorted(f"{name}.{leaf}" for leaf in leaves) if leaves else [name])
    return keys


# Config group -> {schema name: schema}. A YAML file in conf/<group>/ names its schema in
# its defaults list as ``- /schema/<group>@_here_: <name>``; keeping schemas in their own
# group keeps them out of the options a user can select.
GROUP_SCHEMAS: dict[str, dict[str, type]] = {
    "data": {"action_sequences": ActionSequenceDataConfig, "face_interaction": FaceInteractionDataConfig,
             "sensorimotor_pairings": SensorimotorPairingsDataConfig},
    "model": {"gru": GRUModelConfig, "hebbian": HebbianModelConfig, "associative": AssociativeModelConfig},
    "trainer": {"trainer": TrainerConfig},
    "analysis": {"analysis": AnalysisConfig, "hebbian": HebbianAnalysisConfig, "associative": AssociativeAnalysisConfig},
    "tracking": {"tracking": TrackingConfig},
}


class ModelFamily(NamedTuple):
    """What goes with a model schema: its data and analysis schemas and its memory estimate."""

    data: type
    analysis: type
    memory: Callable[[Any, Any, Any], dict[str, float]]


MODEL_FAMILIES: dict[type, ModelFamily] = {
    GRUModelConfig: ModelFamily(ActionSequenceDataConfig, AnalysisConfig, gru_bytes),
    HebbianModelConfig: ModelFamily(FaceInteractionDataConfig, HebbianAnalysisConfig, hebbian_bytes),
    AssociativeModelConfig: ModelFamily(SensorimotorPairingsDataConfig, AssociativeAnalysisConfig, associative_bytes),
}


CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
"""The Hydra config folder the entry point composes from."""


def compose_config(overrides: list[str], with_hydra: bool = False) -> DictConfig:
    """The config ``python -m mirror.run`` composes from these overrides, outside a run (the
    ``hydra`` node too when ``with_hydra``): for planning, reports and tests."""
    from hydra import compose, initialize_config_dir

    register_schemas()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=overrides, return_hydra_config=with_hydra)


def _field_help() -> str:
    from mirror.field_docs import field_help

    return field_help().replace("$", "$$")  # the help template is a string.Template


def register_schemas() -> None:
    """Make every schema available to the ``defaults`` lists of ``conf/``, the list of
    execution-only fields to ``conf/config.yaml`` (``${mirror_execution_keys:}``), a token that
    makes every sweep's folder its own (``${mirror_sweep_token:}``) and every field's
    documentation to ``--help`` (``${mirror_field_help:}``)."""
    OmegaConf.register_new_resolver("mirror_execution_keys", execution_override_keys, replace=True)
    # Resolved once, in the launching process, and cached in the config every job receives.
    OmegaConf.register_new_resolver("mirror_sweep_token", lambda: uuid.uuid4().hex[:6], use_cache=True, replace=True)
    OmegaConf.register_new_resolver("mirror_field_help", _field_help, replace=True)
    store = ConfigStore.instance()
    for group, schemas in GROUP_SCHEMAS.items():
        for name, schema in schemas.items():
            store.store(group=f"schema/{group}", name=name, node=schema)


def validate(cfg: DictConfig) -> None:
    """Range-check every group of a composed config; raise :class:`ConfigError` naming the field."""
    _check(isinstance(cfg.get("seed"), int) and cfg.seed >= 0, "seed", "must be a non-negative integer", cfg.get("seed"))
    threads = cfg.get("threads", 0)
    _check(isinstance(threads, int) and threads >= 0, "threads", "must be a non-negative integer", threads)
    nodes = {group: OmegaConf.to_object(cfg[group]) for group in GROUP_SCHEMAS}
    for group, node in nodes.items():
        if not is_dataclass(node):
            raise ConfigError(f"{group} has no schema; its YAML must list one in its defaults")
        _validate_part(group, node)
    model, data, analysis = nodes["model"], nodes["data"], nodes["analysis"]
    family = next(family for schema, family in MODEL_FAMILIES.items() if isinstance(model, schema))
    for group, expected in (("data", family.data), ("analysis", family.analysis)):
        _check(type(nodes[group]) is expected, group,
               f"must be the {type(model).__name__}'s own ({expected.__name__}); a model selects it",
               type(nodes[group]).__name__)
    _check_against_the_test_set(model, data, analysis)
    _check_memory(cfg, family.memory, model, data, analysis)


def _check_against_the_test_set(model: Any, data: Any, analysis: AnalysisConfig) -> None:
    """Analysis settings that only make sense for the test set and the units the model has."""
    n_trials, n_steps = data.test_shape()
    n_units = model.n_units(data)
    _check(analysis.decoder_folds <= n_trials, "analysis.decoder_folds",
           f"must be at most the number of test trials ({n_trials})", analysis.decoder_folds)
    _check(n_steps < 2 or analysis.max_lag <= n_steps - 2, "analysis.max_lag",
           f"must be at most data.seq_len - 2 ({n_steps - 2}): a lag needs two steps to correlate",
           analysis.max_lag)
    _check(analysis.top_units <= n_units, "analysis.top_units",
           f"must be at most the number of units the model has ({n_units})", analysis.top_units)


def _format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.3g} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


def _check_memory(cfg: DictConfig, estimate: Callable[[Any, Any, Any], dict[str, float]], model: Any, data: Any,
                  analysis: Any) -> None:
    """Refuse a config whose arrays could not fit in this machine's memory, naming the field whose
    return to its default would shrink the estimate the most."""
    groups = {"model": model, "data": data, "analysis": analysis}

    def total_bytes(parts: dict[str, Any]) -> float:
        return sum(estimate(parts["model"], parts["data"], parts["analysis"]).values())

    total, available = total_bytes(groups), available_bytes()
    if total <= available:
        return
    candidates = [name for name in estimate(model, data, analysis) if not name.startswith("(")]

    def total_with_default(name: str) -> float:
        group, path = name.split(".", 1)
        return total_bytes({**groups, group: _with_default(groups[group], path.split("."))})

    responsible = min(candidates, key=total_with_default)
    raise ConfigError(f"{responsible} = {OmegaConf.select(cfg, responsible)} would need about {_format_bytes(total)} "
                      f"of memory (estimated); this machine has {_format_bytes(available)} available")


def _with_default(part: Any, path: list[str]) -> Any:
    """A copy of a schema instance with the field at ``path`` back at its default."""
    name, *rest = path
    value = getattr(type(part)(), name) if not rest else _with_default(getattr(part, name), rest)
    return replace(part, **{name: value})


__all__ = [
    "ActionSequenceDataConfig",
    "AnalysisConfig",
    "AssociativeAnalysisConfig",
    "AssociativeModelConfig",
    "ConfigError",
    "FaceInteractionDataConfig",
    "GRUModelConfig",
    "HebbianAnalysisConfig",
    "HebbianModelConfig",
    "MirrorLayerConfig",
    "SensorimotorPairingsDataConfig",
    "TrackingConfig",
    "TrainerConfig",
    "VisionConfig",
    "constructor_arguments",
    "execution_override_keys",
    "is_execution_field",
    "register_schemas",
    "validate",
]
