"""The Hebbian face network's family (docs/models/hebbian.md): its vision module, mirror layer, the infant-parent
interaction, and its own tests of the mirror layer."""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from mirror.config.analysis import AnalysisConfig
from mirror.config.checks import check, check_choice, validate_part, writable_folder
from mirror.config.hooks import ModelSchema, PairedDataSchema
from mirror.config.memory import DOUBLE, FLOAT, analysis_bytes
from mirror.vocabulary import N_UNITS
from mirror.vocabulary.hebbian import (
    DEVELOPS_MIRROR_NEURONS,
    HEBBIAN_CEILING,
    HEBBIAN_DISTINCT_NEURONS,
    INFORMATIVE_CELLS_PARENT,
    MIRROR_ABOVE_CONTROLS,
    SHUFFLED_PAIRING,
    MAX_SINGLE_CELL_INFORMATION,
    N_ANTI_MIRROR,
    N_MIRROR,
    PARENT_CODE_COSINE,
    READ_OUT_HELD_OUT,
    READ_OUT_PARENT,
    hebbian_metric,
    vision_metric,
)

TRACE_RULES = ("current", "previous")
ACTIVATIONS = ("rescaled", "raw")
UPDATES = ("online", "batch")
RETINAS = ("none", "dog")
COMPETITIONS = ("conscience", "quantile")
WIRINGS = HEBB, CO_OCCURRING, INDEPENDENT = ("hebb", "co_occurring", "independent")
IDENTITY_MORPH, EXPRESSION_MORPH, PARENT = "identity_morph", "expression_morph", "parent"
PRETRAIN_ORDERS = ("expression", "identity", "sweep", IDENTITY_MORPH, EXPRESSION_MORPH, PARENT)
PARENT_VIEWS = POSTER, TRANSFORMS = ("poster", "transforms")
HEBBIAN_RESPONSES = ("drive", "rate")


@dataclass
class VisionConfig:
    """The VisNet-style vision module (docs/models/hebbian.md; classic values of Rolls & Milward 2000).

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
    """Trace rule memory (ybar <- eta ybar + (1 - eta) y). With trace_rule='current', 0 is the plain Hebb
    rule; with 'previous' it is not (dw = lr y(t - 1) x(t) binds each frame to the one before)."""
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

    def check_inputs(self, image_size: int) -> None:
        """Layer 1 draws its connections from the filtered image (an on and an off channel of each filter at each
        pixel) around each neuron's centre, Gaussian with ``fan_in_radius``: nearly all from within three radii.
        A fan-in beyond the inputs there would draw the same inputs over and over (the other layers' fan-in is
        checked against the layer below by validate)."""
        channels = len(self.wavelengths) * self.orientations * 4
        side = min(image_size, int(6 * self.fan_in_radius[0]) + 1)
        inputs = side**2 * channels
        check(self.fan_in[0] <= inputs, "vision.fan_in",
              f"value of layer 1 must be at most the {inputs} inputs within three fan_in_radius of a neuron's "
              f"centre ({side} x {side} pixels of data.image_size {image_size}, {channels} channels)", self.fan_in)

    def validate(self) -> None:
        layers = len(self.fan_in)
        check(layers >= 1, "fan_in", "must name at least one layer", self.fan_in)
        for name in ("fan_in_radius", "sparseness", "slope", "inhibition_sigma", "inhibition_delta", "learning_rate"):
            check(len(getattr(self, name)) == layers, name, f"must have one value per layer ({layers})", getattr(self, name))
        check(all(0.0 < f < 1.0 for f in self.sparseness), "sparseness", "values must be in (0, 1)", self.sparseness)
        check(all(f >= 1 for f in self.fan_in), "fan_in", "values must be positive", self.fan_in)
        check(all(w >= 1.0 for w in self.wavelengths) and self.wavelengths, "wavelengths", "must be >= 1 px", self.wavelengths)
        check(self.orientations >= 1, "orientations", "must be positive", self.orientations)
        check(self.sheet_size >= 2, "sheet_size", "must be at least 2", self.sheet_size)
        check(all(f <= self.sheet_size**2 for f in self.fan_in[1:]), "fan_in",
              f"values of layers 2 on must be at most the {self.sheet_size**2} neurons of the layer below "
              "(sheet_size squared)", self.fan_in)
        check(0.0 <= self.trace_eta < 1.0, "trace_eta", "must be in [0, 1)", self.trace_eta)
        check(self.epochs_per_layer >= 0, "epochs_per_layer", "must be non-negative", self.epochs_per_layer)
        check(self.batch_sequences >= 1, "batch_sequences", "must be positive", self.batch_sequences)
        for name, allowed in (("trace_rule", TRACE_RULES), ("activation", ACTIVATIONS), ("update", UPDATES),
                              ("retina", RETINAS)):
            check_choice(name, getattr(self, name), allowed)
        check(self.retina_sigma > 0.0, "retina_sigma", "must be positive", self.retina_sigma)
        for name in ("fan_in_radius", "slope", "inhibition_sigma"):
            check(all(v > 0 for v in getattr(self, name)), name, "values must be positive", getattr(self, name))
        for name in ("inhibition_delta", "learning_rate"):
            check(all(v >= 0 for v in getattr(self, name)), name, "values must be non-negative",
                   getattr(self, name))
        check(writable_folder(Path(self.cache_dir).expanduser()), "cache_dir",
               "must be a folder this user can create and write (pre-trained weights are saved there)",
               self.cache_dir)


@dataclass
class MirrorLayerConfig:
    """The competitive layer where the visual and motor pathways converge."""

    sheet_size: int = 10
    """The layer is a sheet_size x sheet_size sheet (10: 100 neurons)."""
    sparseness: float = 0.5
    """Fraction of the layer driven above threshold on a trial. 0.5 matches the task (docs/models/hebbian.md):
    with two expressions every neuron can belong to one of two populations, and every neuron wins
    on some trials during training."""
    slope: float = 40.0
    """Sigmoid slope beta."""
    inhibition_sigma: float = 1.5
    """Width of the lateral-inhibition filter (in neurons)."""
    inhibition_delta: float = 1.5
    """Contrast of the lateral-inhibition filter."""
    learning_rate: float = 0.05
    """Hebb learning rate: the fraction of the way a winner's weights move towards a batch's mean input. At 0.05
    one batch cannot rewrite the layer, so its counts settle (docs/models/hebbian.md, "A mirror layer that
    settles"); 1.0, the value this project used before, moves a winner half way per batch, collapses the layer onto
    two weight vectors and makes its counts flicker."""
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
    wiring: str = HEBB
    """'hebb': learnt by the Hebb rule. The others plant the layer, references whose answer is known
    (docs/calibration.md): 'co_occurring' copies each step's visual and motor input into one neuron's weights,
    the neurons in turn, so the layer holds the latest pairs the interaction showed it (mirror neurons wherever
    the pairing and the vision allow them, re-mapped within a hundred steps of counter-mirror training);
    'independent' copies each step's visual input beside the motor input of an expression drawn at random,
    so the pairing is at chance whatever the interaction."""

    def validate(self) -> None:
        check(self.sheet_size >= 2, "sheet_size", "must be at least 2", self.sheet_size)
        check(0.0 < self.sparseness < 1.0, "sparseness", "must be in (0, 1)", self.sparseness)
        check(self.learning_rate > 0.0, "learning_rate", "must be positive", self.learning_rate)
        check(self.slope > 0.0, "slope", "must be positive", self.slope)
        check(self.inhibition_sigma > 0.0, "inhibition_sigma", "must be positive", self.inhibition_sigma)
        check(self.inhibition_delta >= 0.0, "inhibition_delta", "must be non-negative", self.inhibition_delta)
        check_choice("competition", self.competition, COMPETITIONS)
        check_choice("wiring", self.wiring, WIRINGS)
        check(self.conscience_rate >= 0.0, "conscience_rate", "must be non-negative", self.conscience_rate)
        check(self.normalisation in ("separate", "joint"), "normalisation", "must be 'separate' or 'joint'",
               self.normalisation)
        check(self.motor_gain >= 0.0, "motor_gain", "must be non-negative", self.motor_gain)


@dataclass
class HebbianModelConfig(ModelSchema):
    """The Hebbian facial-expression network (docs/models/hebbian.md): vision + motor -> mirror layer."""

    SECONDS_PER_JOB: ClassVar[float] = 3.4
    """Wall seconds of one job at the presets' settings on a 2-core machine (see GRUModelConfig)."""

    _target_: str = "mirror.models.hebbian_face.HebbianFaceNetwork"
    vision: VisionConfig = field(default_factory=VisionConfig)
    mirror: MirrorLayerConfig = field(default_factory=MirrorLayerConfig)
    motor_units_per_expression: int = 10
    """Size of each expression's pool in the binary motor pattern."""
    motor_flip_probability: float = 0.05
    """Each motor unit's bit flips with this probability on every presentation."""

    def validate(self) -> None:
        validate_part("vision", self.vision)
        validate_part("mirror", self.mirror)
        check(self.motor_units_per_expression >= 1, "motor_units_per_expression", "must be positive",
               self.motor_units_per_expression)
        check(0.0 <= self.motor_flip_probability < 0.5, "motor_flip_probability", "must be in [0, 0.5)",
               self.motor_flip_probability)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores: the mirror layer's neurons."""
        return self.mirror.sheet_size**2


@dataclass
class FaceInteractionDataConfig(PairedDataSchema):
    """Faces and the infant-parent interaction of docs/models/hebbian.md (simulations 1-3, counter-mirror)."""

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
    face when pretrain_transforms is a multiple of sequence_length) or 'sweep' (one face swept
    through a grid of sequence_length positions spanning +-max_shift in consecutive frames, as
    VisNet's positive control is trained; pretrain_transforms sweeps per identity and expression,
    each at its own scale) or a continuous morph in sequence_length even steps (continuous-transformation
    learning, Stringer et al. 2006): 'identity_morph' (one expression while the face morphs into the next
    identity, so the expression is what stays constant) or 'expression_morph' (one face while its expression
    morphs from happy to sad or back); pretrain_transforms morphs per identity and expression, each at its own
    scale. 'parent' shows only the parent's two images of the poster's design, each frame with its own pixel
    noise, in place of the identities: a vision tuned to what it is tested on, the effect-present reference of
    the vision's claims (docs/calibration.md)."""
    parent_views: str = POSTER
    """'poster': the source's design, one happy and one sad image of the parent (centred, at scale 1) shown in
    the interaction and at test, each presentation with its own pixel noise; 'transforms': every presentation
    at its own scale (and shift), the test's never seen in the interaction (harder than the source)."""
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
        check(self.image_size >= 16, "image_size", "must be at least 16", self.image_size)
        check(self.n_steps >= 1, "n_steps", "must be positive", self.n_steps)
        check(0.0 < self.switch_probability <= 1.0, "switch_probability", "must be in (0, 1]", self.switch_probability)
        check(0.0 <= self.mismatch <= 1.0, "mismatch", "must be in [0, 1]", self.mismatch)
        check(0 <= self.lag < self.n_steps, "lag", "must be in [0, n_steps)", self.lag)
        for name in ("counter_mirror_steps", "repair_steps"):
            check(getattr(self, name) >= 0, name, "must be non-negative", getattr(self, name))
        for name in ("batch_size", "parent_transforms", "pretrain_identities", "pretrain_transforms",
                     "sequence_length"):
            check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        check(self.test_identities >= 3, "test_identities",
               "must be at least 3 (the expression read-out is cross-validated over identities)", self.test_identities)
        check(self.test_trials >= 4, "test_trials", "must be at least 4", self.test_trials)
        check_choice("pretrain_order", self.pretrain_order, PRETRAIN_ORDERS)
        check_choice("parent_views", self.parent_views, PARENT_VIEWS)
        if self.pretrain_order in (IDENTITY_MORPH, EXPRESSION_MORPH):
            check(self.sequence_length >= 2, "sequence_length", "must be at least 2 for a morph", self.sequence_length)
        if self.pretrain_order == "sweep":
            check(math.isqrt(self.sequence_length) ** 2 == self.sequence_length, "sequence_length",
                  "must be a square number (a grid of positions) when pretrain_order='sweep'", self.sequence_length)
            check(self.max_shift > 0.0, "max_shift",
                  "must be positive when pretrain_order='sweep' (the sweep spans +-max_shift)", self.max_shift)
        check(0.0 <= self.max_shift < 0.5, "max_shift", "must be in [0, 0.5)", self.max_shift)
        check(0.0 <= self.scale_range < 1.0, "scale_range", "must be in [0, 1)", self.scale_range)
        check(self.pixel_noise >= 0.0, "pixel_noise", "must be non-negative", self.pixel_noise)
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity: one trial per test face, happy and sad."""
        return 2 * self.test_trials, 1


@dataclass
class HebbianAnalysisConfig(AnalysisConfig):
    """The shared analysis plus the Hebbian model's own tests of its mirror layer (docs/models/hebbian.md)."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {
        MIRROR_ABOVE_CONTROLS: "Hebbian mirror neurons above both controls",
        DEVELOPS_MIRROR_NEURONS: "develops mirror neurons (1) or not (0)",
        hebbian_metric(N_MIRROR): "Hebbian mirror neurons (same expression seen and made)",
        hebbian_metric(N_ANTI_MIRROR): "Hebbian anti-mirror neurons (opposite expressions)",
        hebbian_metric(N_MIRROR, "before"): "Hebbian mirror neurons before training",
        hebbian_metric(N_ANTI_MIRROR, "before"): "Hebbian anti-mirror neurons before training",
        hebbian_metric(N_MIRROR, SHUFFLED_PAIRING): "Hebbian mirror neurons, shuffled pairing",
        HEBBIAN_DISTINCT_NEURONS: "different weight vectors in the trained mirror layer",
        hebbian_metric(N_ANTI_MIRROR, SHUFFLED_PAIRING): "Hebbian anti-mirror neurons, shuffled pairing",
        hebbian_metric("n_visual_selective"): "visually selective neurons",
        hebbian_metric("n_motor_selective"): "motor-selective neurons",
        vision_metric("trained", READ_OUT_PARENT): "layer-4 read-out, parent",
        vision_metric("trained", READ_OUT_HELD_OUT): "layer-4 read-out, held-out identities",
        vision_metric("trained", MAX_SINGLE_CELL_INFORMATION): "vision max info (bits)",
        vision_metric("trained", INFORMATIVE_CELLS_PARENT): "layer-4 cells informative about the parent",
        vision_metric("untrained", INFORMATIVE_CELLS_PARENT): "layer-4 cells informative, untrained vision",
    }

    _target_: str = "mirror.analysis.hebbian.callback.HebbianAnalysisCallback"

    selectivity_alpha: float = 0.05
    """FDR (BH) level of the per-neuron permutation test of expression selectivity."""
    min_difference: float = 0.05
    """...and the smallest happy-sad difference of the mean scored response that counts (drive and
    rate both lie on a [0, 1] scale per pathway)."""
    selectivity_permutations: int = 1000
    """Label shuffles in each selectivity test."""
    eval_every: int = 100
    """Interaction steps between mirror/anti-mirror counts logged during training."""
    response: str = "drive"
    """What the selectivity test scores: 'drive' (each neuron's graded feed-forward drive before the
    competition: the calibrated test of docs/models/hebbian.md, which the untrained layer fails) or 'rate' (its
    firing rate after the competition: the seed study's split test, under which a per-trial median split
    at sparseness 0.5 makes most neurons of even the untrained layer look selective; at most
    2 x sparseness x N neurons can pass it)."""
    vision_information_threshold: float = 0.9
    """VisNet's own criterion: a layer-4 cell carries the parent's expression when its single-cell
    information about it, over the parent's test presentations, reaches this many bits (of 1): near the
    ceiling, where the cells of VisNet's studies are counted."""
    min_vision_read_out: float = 0.75
    """Below this read-out of the parent's happy vs sad faces from layer 4, the run's summary warns
    that vision cannot carry the expression (mirror neurons cannot then develop from it)."""

    def validate(self) -> None:
        super().validate()
        check_choice("response", self.response, HEBBIAN_RESPONSES)
        check(0.0 <= self.min_vision_read_out <= 1.0, "min_vision_read_out", "must be in [0, 1]",
               self.min_vision_read_out)
        check(0.0 < self.vision_information_threshold <= 1.0, "vision_information_threshold", "must be in (0, 1]",
              self.vision_information_threshold)
        check(0.0 < self.selectivity_alpha < 1.0, "selectivity_alpha", "must be in (0, 1)", self.selectivity_alpha)
        check(self.min_difference >= 0.0, "min_difference", "must be non-negative", self.min_difference)
        check(self.selectivity_permutations >= 1, "selectivity_permutations", "must be positive",
               self.selectivity_permutations)
        check(self.eval_every >= 1, "eval_every", "must be positive", self.eval_every)

    def summary_lines(self, metrics: dict[str, float], seed: int) -> tuple[str, str]:
        """A warning when vision cannot tell the parent's expressions apart, and the mirror layer's own
        test (selective for the same expression seen and made), apart from the shared mirror units."""
        warning = ""
        read_out = metrics.get(vision_metric("trained", READ_OUT_PARENT))
        if read_out is not None and read_out < self.min_vision_read_out:
            cosine = metrics.get(vision_metric("trained", PARENT_CODE_COSINE), float("nan"))
            warning = (f"warning: vision cannot carry the expression for seed {seed}: layer 4 reads the parent's "
                       f"happy vs sad faces at {read_out:.2f} (below analysis.min_vision_read_out = "
                       f"{self.min_vision_read_out:g}), the cosine of their mean codes is {cosine:.3f}; mirror "
                       "neurons cannot develop from it\n")
        informative = metrics.get(vision_metric("trained", INFORMATIVE_CELLS_PARENT))
        if informative is not None and informative == 0:
            warning += (f"warning: no layer-4 cell carries {self.vision_information_threshold:g} bit about the parent's "
                        f"expression for seed {seed} (VisNet's criterion, analysis.vision_information_threshold)\n")
        if hebbian_metric(N_MIRROR) not in metrics:
            return warning, ""
        test = "drive (calibrated)" if self.response == "drive" else "rate (the seed study's split test)"
        line = (f"  Hebbian test on the {test}: {metrics[hebbian_metric(N_MIRROR)]:.0f} mirror neurons, "
                f"{metrics[hebbian_metric(N_ANTI_MIRROR)]:.0f} anti-mirror, of {metrics[N_UNITS]:.0f} "
                f"(the test can find at most {metrics[HEBBIAN_CEILING]:.0f})\n")
        if MIRROR_ABOVE_CONTROLS in metrics:
            line += (f"  controls through the same test: untrained layer "
                     f"{metrics[hebbian_metric(N_MIRROR, 'before')]:.0f} mirror, shuffled pairing "
                     f"{metrics[hebbian_metric(N_MIRROR, SHUFFLED_PAIRING)]:.0f}; above both: "
                     f"{metrics[MIRROR_ABOVE_CONTROLS]:.0f}\n")
        return warning, line


def hebbian_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a Hebbian face-network run, by the field that drives each part."""
    vision, mirror = model.vision, model.mirror
    neurons = vision.sheet_size**2
    connections = neurons * sum(vision.fan_in) * (FLOAT + DOUBLE)  # weights and source indices
    channels = len(vision.wavelengths) * vision.orientations * 4
    images = 2 * data.pretrain_identities * data.pretrain_transforms + 2 * (data.parent_transforms
                                                                             + data.test_trials)
    chunk = max(vision.batch_sequences * data.sequence_length, 64)
    gathered = chunk * neurons * max(vision.fan_in) * FLOAT  # one batch's presynaptic rates
    mirror_neurons = mirror.sheet_size**2
    return {
        "model.vision.sheet_size": connections + gathered + images * neurons * FLOAT * len(vision.fan_in),
        "data.image_size": data.image_size**2 * (images * DOUBLE + chunk * channels * FLOAT),
        "model.mirror.sheet_size": mirror_neurons * (neurons + 2 * model.motor_units_per_expression) * FLOAT * 3,
        "analysis.selectivity_permutations": analysis.selectivity_permutations * 4 * data.test_trials * DOUBLE * 3,
        **analysis_bytes(analysis, 2 * data.test_trials, 1, mirror_neurons),
    }


