"""VisNet's positive control's own names: its stimuli, the positions it is tested at, its measures."""

from __future__ import annotations

SHAPES = ("T", "L", "+", "X", "square", "V", "Z")
"""Line-drawn shapes the control can show, after Wallis & Rolls 1997 (T, L, +) with more of the kind."""
STAGES = ("untrained", "trained")
"""The network is measured before and after its training."""
POSITION_SETS = ("trained", "new")
"""Where it is tested: at the positions it was trained at, and half-way between them."""
MAX_INFORMATION = "max_information"
"""The most single-cell stimulus-specific information any cell of a layer carries (bits)."""
N_INVARIANT = "n_invariant_cells"
"""Cells of a layer carrying at least ``analysis.invariance_criterion`` of the ceiling, log2(stimuli)."""
MULTIPLE_CELL = "multiple_cell_information"
"""Followed by _top<k>: information decoded from the top layer's k most informative cells (bits)."""
CEILING = "visnet/ceiling"
"""log2 of the number of stimuli: the most information a cell or a population can carry."""


def visnet_metric(stage: str, positions: str, measure: str) -> str:
    """``visnet/<stage>/<positions>/<measure>``, e.g. ``visnet/trained/new/max_information_layer4``."""
    if stage not in STAGES or positions not in POSITION_SETS:
        raise ValueError(f"no VisNet control metric {stage}/{positions}/{measure}")
    return f"visnet/{stage}/{positions}/{measure}"
