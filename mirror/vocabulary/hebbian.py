"""The Hebbian face network's own names: expressions and test conditions, the mirror layer's counts,
the measures of its vision module."""

from __future__ import annotations

from mirror.vocabulary import LATENCIES, TIME, TRAINING_STAGES

EXPRESSIONS = ("happy", "sad")
"""Facial expressions; an expression's code in the data is its index here (happy 0, sad 1)."""
MODALITIES = ("visual", "motor")
"""How an expression reaches the mirror layer in a test: seen on the parent's face, or produced."""
CONDITIONS = tuple(f"{modality}_{expression}" for modality in MODALITIES for expression in EXPRESSIONS)
"""The four test conditions, each modality alone: visual_happy, visual_sad, motor_happy, motor_sad."""


def condition(modality: str, expression: str) -> str:
    """The name of one test condition, e.g. ``condition('motor', 'sad') == 'motor_sad'``."""
    name = f"{modality}_{expression}"
    if name not in CONDITIONS:
        raise ValueError(f"no test condition {name!r}; the conditions are {CONDITIONS}")
    return name


# Hebbian mirror-layer counts (:meth:`mirror.analysis.hebbian.selectivity.MirrorClassification.counts`),
# logged after training as hebbian/<count>, before it as hebbian/before/<count> and during it as
# hebbian/curve/<count>.
N_MIRROR = "n_mirror"
N_ANTI_MIRROR = "n_anti_mirror"
MIRROR_BALANCE = "mirror_balance"
"""The fraction of mirror neurons minus that of anti-mirror neurons: signed, so that a layer re-mapped by
counter-mirror training falls below zero where the fraction of mirror neurons could only fall to it."""
HEBBIAN_COUNTS = (N_MIRROR, N_ANTI_MIRROR, "fraction_mirror", "fraction_anti_mirror", MIRROR_BALANCE,
                  "n_visual_selective", "n_motor_selective")
HEBBIAN_CURVE_PHASE = "hebbian/curve/phase"
"""The training phase (an index into :data:`mirror.vocabulary.PHASES`) at each point of the curve."""
HEBBIAN_NEVER_WON = "hebbian/n_never_won"
"""Mirror-layer neurons that never won during training: they kept their random weights and are not counted."""
HEBBIAN_DISTINCT_NEURONS = "hebbian/n_distinct_neurons"
"""Different weight vectors in the trained mirror layer (cosine below 0.999): how many neurons it really has."""
HEBBIAN_CEILING = "hebbian/ceiling"
"""The most neurons the selectivity test could find selective, whatever was learnt."""


SHUFFLED_PAIRING = "shuffled_pairing"
"""The control network trained beside each run with the parent's expression independent of the infant's."""
MIRROR_ABOVE_CONTROLS = "hebbian/mirror_above_controls"
"""Mirror neurons beyond the larger count of the two controls the same test scores: the untrained
layer and the shuffled-pairing network (docs/models/hebbian.md, "A calibrated mirror test")."""
DEVELOPS_MIRROR_NEURONS = "hebbian/develops_mirror_neurons"
"""1 when a run has mirror neurons above both controls, else 0: its mean over seeds is the fraction of
seeds that develop mirror neurons."""


def hebbian_metric(count: str, stage: str | None = None) -> str:
    """``hebbian/<count>`` after training, ``hebbian/<stage>/<count>`` before it, on its curve, or of
    the shuffled-pairing control; ``hebbian/<latency>`` for the steps counter-mirror training and repair took."""
    a_count = count in HEBBIAN_COUNTS and stage in (None, *TRAINING_STAGES, SHUFFLED_PAIRING)
    a_latency = count in LATENCIES and stage is None
    if not (a_count or a_latency):
        raise ValueError(f"no Hebbian metric {stage}/{count}")
    return f"hebbian/{count}" if stage is None else f"hebbian/{stage}/{count}"


VISION_STAGES = ("untrained", "trained")
"""The vision module is measured before and after pre-training: ``vision/<stage>/<measure>``."""
READ_OUT_PARENT = "read_out_parent"
READ_OUT_HELD_OUT = "read_out_held_out_identities"
PARENT_CODE_COSINE = "parent_code_cosine"
"""Cosine of the top layer's mean code of the parent's happy faces and of its sad faces (1: no separation)."""
MAX_SINGLE_CELL_INFORMATION = "max_single_cell_information"
INFORMATIVE_CELLS_PARENT = "n_cells_informative_parent"
"""Layer-4 cells carrying at least ``analysis.vision_information_threshold`` bits about the parent's
expression over its test presentations: VisNet's own criterion (docs/models/hebbian.md)."""
VISION_LOADED_FROM_CACHE = "vision/loaded_from_cache"


def vision_metric(stage: str, measure: str) -> str:
    """The key of a measure of the vision module at one stage, e.g. ``vision/trained/read_out_parent``."""
    if stage not in VISION_STAGES:
        raise ValueError(f"no vision stage {stage!r}; the stages are {VISION_STAGES}")
    return f"vision/{stage}/{measure}"


VISION_PRETRAIN_SECONDS = f"{TIME}/vision_pretrain_s"
VISION_UPDATES_PER_LAYER = "vision/updates_per_layer"
VISION_LAST_EPOCH_WEIGHT_CHANGE = "vision/last_epoch_weight_change"
"""Followed by _layer<k>: the mean relative change of a weight vector over the last pre-training epoch."""
