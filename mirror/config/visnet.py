"""VisNet's positive control (docs/models/hebbian.md, "Validating the vision module"): the vision module alone, on a
few shapes swept through positions, scored by information as the VisNet papers score it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from mirror.config.checks import check, validate_part
from mirror.config.hooks import ModelSchema
from mirror.config.hebbian import VisionConfig
from mirror.config.memory import DOUBLE, FLOAT
from mirror.vocabulary.visnet import CEILING, MAX_INFORMATION, MULTIPLE_CELL, N_INVARIANT, SHAPES, visnet_metric


def control_vision() -> VisionConfig:
    """The published regime (Rolls & Milward 2000): online learning, one stimulus at a time, each
    weight vector renormalised after each update, tens of epochs per layer. A learning rate is then the
    fraction by which one update moves a winner's unit-length weights."""
    return VisionConfig(update="online", batch_sequences=1, learning_rate=[0.05] * 4, epochs_per_layer=50)


@dataclass
class VisNetControlModelConfig(ModelSchema):
    """VisNet alone, trained bottom-up on the control's stimuli. Its learning rule is ``vision.trace_rule``
    with ``vision.trace_eta``; the trace-free (pure Hebb) control is ``trace_rule=current trace_eta=0``
    (``trace_rule=previous`` with ``trace_eta=0`` is not Hebb: it binds each frame to the one before)."""

    SECONDS_PER_JOB: ClassVar[float] = 17.6
    """Wall seconds of one job at the preset's settings on a 2-core machine (see GRUModelConfig)."""

    _target_: str = "mirror.models.visnet_control.VisNetControl"
    vision: VisionConfig = field(default_factory=control_vision)
    """The face network's vision module, in the published regime (:func:`control_vision`)."""

    def validate(self) -> None:
        validate_part("vision", self.vision)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores: every layer's neurons."""
        return len(self.vision.fan_in) * self.vision.sheet_size**2


@dataclass
class ShapeStimuliDataConfig:
    """A few line-drawn shapes, each swept through a grid of positions (Wallis & Rolls 1997)."""

    _target_: str = "mirror.data.shapes.ShapeStimuliDataModule"
    image_size: int = 64
    """Images are image_size x image_size pixels."""
    stimuli: list[str] = field(default_factory=lambda: ["T", "L", "+", "X"])
    """The shapes shown, each an 'object' the trace binds across its positions (2 to 7)."""
    grid_side: int = 3
    """Trained positions: a grid_side x grid_side grid (3: the classic nine)."""
    spacing: float = 16.0
    """Pixels between neighbouring trained positions: 16 leaves no overlap between a shape at one
    position and the next (shapes span 2 x half_size = 12 px), so only the trace can bind them;
    smaller spacings let Hebb learn from overlap (continuous-transformation learning)."""
    half_size: float = 6.0
    """Half the width of a shape (pixels)."""
    stroke_width: float = 1.2
    """Standard deviation (pixels) of a stroke's Gaussian profile."""
    seed: int = 0
    """Seeds the network's connections, its initial weights and the order of training."""

    def validate(self) -> None:
        check(self.image_size >= 16, "image_size", "must be at least 16", self.image_size)
        check(2 <= len(self.stimuli) <= len(SHAPES) and len(set(self.stimuli)) == len(self.stimuli), "stimuli",
              f"must be 2 to {len(SHAPES)} different shapes", self.stimuli)
        check(all(name in SHAPES for name in self.stimuli), "stimuli", f"shapes must be among {SHAPES}",
              self.stimuli)
        check(self.grid_side >= 2, "grid_side", "must be at least 2 (new positions lie between trained ones)",
              self.grid_side)
        check(self.spacing > 0.0 and self.half_size > 0.0 and self.stroke_width > 0.0, "spacing",
              "spacing, half_size and stroke_width must be positive", self.spacing)
        reach = self.spacing * (self.grid_side - 1) / 2 + self.half_size
        check(reach < self.image_size / 2, "spacing",
              f"the grid and a shape reach {reach:g} px from the centre, beyond the image's {self.image_size / 2:g}",
              self.spacing)
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)


@dataclass
class VisNetAnalysisConfig:
    """How the control is scored: information per cell and per population, as the VisNet papers report it.
    The shared mirror analysis does not apply (VisNet has no perform and observe modes)."""

    SHARED_ANALYSIS: ClassVar[bool] = False
    ARTIFACTS: ClassVar[tuple[str, ...]] = ()
    """VisNet keeps no activity and draws its one figure only when asked: its config is all it always keeps."""
    """Whether the shared mirror analysis scores this family (every other family's analysis extends it)."""
    HEADLINE_METRICS: ClassVar[dict[str, str]] = {
        visnet_metric("trained", "trained", f"{N_INVARIANT}_layer4"): "invariant layer-4 cells, trained positions",
        visnet_metric("untrained", "trained", f"{N_INVARIANT}_layer4"): "invariant layer-4 cells, untrained",
        visnet_metric("trained", "trained", f"{MAX_INFORMATION}_layer4"): "max layer-4 information (bits)",
        visnet_metric("trained", "new", f"{MAX_INFORMATION}_layer4"): "max layer-4 information, new positions",
        visnet_metric("trained", "trained", f"{MULTIPLE_CELL}_top5"): "5-cell information (bits)",
        CEILING: "ceiling (bits)",
    }
    DESIGN_METRICS: ClassVar[dict[str, str]] = {}

    _target_: str = "mirror.analysis.visnet.callback.VisNetControlCallback"
    invariance_criterion: float = 0.9
    """A cell is invariant when it carries at least this fraction of the ceiling, log2(stimuli), of
    stimulus-specific information across the positions."""
    information_bins: int = 3
    """Each cell's responses are binned into this many equal bins between its own minimum and maximum."""
    cell_counts: list[int] = field(default_factory=lambda: [1, 2, 5, 10, 20, 50])
    """Sizes of the populations multiple-cell information is decoded from (the top layer's best cells)."""
    def check_against(self, model: Any, data: Any) -> None:
        """Populations no bigger than the top layer it decodes from."""
        cells = model.vision.sheet_size**2
        check(max(self.cell_counts) <= cells, "analysis.cell_counts",
              f"must be at most the {cells} cells of the top layer (model.vision.sheet_size squared)",
              self.cell_counts)

    def validate(self) -> None:
        check(0.0 < self.invariance_criterion <= 1.0, "invariance_criterion", "must be in (0, 1]",
              self.invariance_criterion)
        check(self.information_bins >= 2, "information_bins", "must be at least 2", self.information_bins)
        check(bool(self.cell_counts) and all(k >= 1 for k in self.cell_counts), "cell_counts",
              "must be positive counts", self.cell_counts)

    def summary_lines(self, metrics: dict[str, float], seed: int) -> tuple[str, str]:
        """Invariant cells and the best cell's information, trained beside untrained."""
        trained = visnet_metric("trained", "trained", f"{N_INVARIANT}_layer4")
        if trained not in metrics:
            return "", ""
        best = visnet_metric("trained", "trained", f"{MAX_INFORMATION}_layer4")
        new = visnet_metric("trained", "new", f"{MAX_INFORMATION}_layer4")
        untrained = visnet_metric("untrained", "trained", f"{N_INVARIANT}_layer4")
        return "", (f"  VisNet control: {metrics[trained]:.0f} invariant layer-4 cells (untrained "
                    f"{metrics[untrained]:.0f}), the best carries {metrics[best]:.2f} of {metrics[CEILING]:.2f} bits "
                    f"at trained positions, {metrics[new]:.2f} at new ones\n")


def visnet_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a control run, by the field that drives each part."""
    vision = model.vision
    neurons = vision.sheet_size**2
    images = len(data.stimuli) * (data.grid_side**2 + (data.grid_side - 1) ** 2)
    channels = len(vision.wavelengths) * vision.orientations * 4
    return {
        "model.vision.sheet_size": neurons * sum(vision.fan_in) * (FLOAT + 2 * FLOAT) * 2,
        "data.image_size": data.image_size**2 * images * (1 + channels) * FLOAT * 2,
        # Each cell's binned responses, one-hot over the bins, and their probabilities (mirror.analysis.hebbian).
        "analysis.information_bins": images * neurons * analysis.information_bins * (1 + 2 * DOUBLE),
    }
