"""The names the whole package shares: metrics, the Hebbian test conditions, the training phases.

Each list of names has its one home here and is imported both where a name is produced and
where it is read, so a rename fails at import instead of after an hour of training. Light on
purpose (no third-party imports): the report and ``--help`` import it.
"""

from __future__ import annotations

# ------------------------------------------------------------ the Hebbian face network

EXPRESSIONS = ("happy", "sad")
"""Facial expressions; an expression's code in the data is its index here (happy 0, sad 1)."""
MODALITIES = ("visual", "motor")
"""How an expression reaches the mirror layer in a test: seen on the parent's face, or produced."""
CONDITIONS = tuple(f"{modality}_{expression}" for modality in MODALITIES for expression in EXPRESSIONS)
"""The four test conditions, each modality alone: visual_happy, visual_sad, motor_happy, motor_sad."""
PHASES = ("development", "counter_mirror", "repair")
"""Phases of the infant-parent interaction, in order; a step's phase in the data is its index here."""


def condition(modality: str, expression: str) -> str:
    """The name of one test condition, e.g. ``condition('motor', 'sad') == 'motor_sad'``."""
    name = f"{modality}_{expression}"
    if name not in CONDITIONS:
        raise ValueError(f"no test condition {name!r}; the conditions are {CONDITIONS}")
    return name


def phase_label(phase: str) -> str:
    """How a phase is written for a reader ('counter-mirror')."""
    return phase.replace("_", "-")


# ------------------------------------------------------------------------- metrics
# Names are MLflow metric keys: '<family>/<name>', families nested with '/'.

R_KINDS = ("centred", "raw")
"""The two per-unit r of SCIENCE.md section 3: time-centred (the headline) and raw (the draft paper's)."""
FRACTION_MIRROR = "fraction_mirror"
FRACTION_ABS = "fraction_abs"
FRACTION_ANTI_MIRROR = "fraction_anti_mirror"
MAX_R = "max_r"
MIN_R = "min_r"
MEAN_R = "mean_r"
N_UNDEFINED = "n_undefined"
R_STATISTICS = (FRACTION_MIRROR, FRACTION_ABS, FRACTION_ANTI_MIRROR, MAX_R, MIN_R, MEAN_R, N_UNDEFINED)
"""What :func:`mirror.analysis.metrics.threshold_fractions` reports of one vector of per-unit r."""


def r_metric(kind: str, statistic: str) -> str:
    """The key of a per-unit r statistic, e.g. ``analysis/centred/fraction_mirror``."""
    if kind not in R_KINDS or statistic not in R_STATISTICS:
        raise ValueError(f"no r metric {kind}/{statistic}")
    return f"analysis/{kind}/{statistic}"


N_UNITS = "analysis/n_units"
N_TRIALS = "analysis/n_trials"
# A *mirror unit* is one thing everywhere: a unit whose per-unit r (the headline kind) exceeds
# analysis.mirror_threshold (FRACTION_MIRROR). What passes a statistical test is named for the test:
SEQUENCE_NULL_POSITIVE = "analysis/sequence_null/n_significant_positive"
"""Units whose r lies above the null of re-paired sequences at the FDR level: an r that training
made, whatever its size (a unit with r = 0.3 can pass; it is not a mirror unit for that)."""
SEQUENCE_NULL_NEGATIVE = "analysis/sequence_null/n_significant_negative"
"""Units whose r lies below the sequence null at the FDR level."""
FRACTION_SEQUENCE_NULL_POSITIVE = "analysis/sequence_null/fraction_significant_positive"
FRACTION_SEQUENCE_NULL_NEGATIVE = "analysis/sequence_null/fraction_significant_negative"
DECODERS = ("within_perform", "within_observe", "perform_to_observe", "observe_to_perform", "chance")
"""What :func:`mirror.analysis.decoding.cross_condition_decoding` reports: accuracy within each mode,
across modes, and chance."""


def decoding_metric(decoder: str) -> str:
    """The key of one decoder's accuracy, e.g. ``analysis/decoding/perform_to_observe``."""
    if decoder not in DECODERS:
        raise ValueError(f"no decoder {decoder!r}; the decoders are {DECODERS}")
    return f"analysis/decoding/{decoder}"


DECODING_PERFORM_TO_OBSERVE = decoding_metric("perform_to_observe")
DECODING_OBSERVE_TO_PERFORM = decoding_metric("observe_to_perform")
DECODING_CHANCE = decoding_metric("chance")
LAG_PEAK_AT_ZERO = "analysis/lag/fraction_top_units_peak_at_zero"
LAG_MEAN_ABS_PEAK = "analysis/lag/mean_abs_peak_lag_top_units"
MATCHING_MEAN_R = "analysis/matching/mean_r"
MATCHING_MEAN_ABS_R = "analysis/matching/mean_abs_r"
MATCHING_FRACTION_MIRROR = "analysis/matching/fraction_mirror"
MATCHING_FRACTION_ABS = "analysis/matching/fraction_abs"
MATCHING_SELF_MATCHED = "analysis/matching/fraction_self_matched"
SAME_UNIT_SIGNIFICANT = "analysis/same_unit/n_significant"
"""Units that survive the same-unit null (SCIENCE.md 3.1) at the FDR level: same-unit mirrors."""
SAME_UNIT_FRACTION_SIGNIFICANT = "analysis/same_unit/fraction_significant"
SAME_UNIT_STATISTIC = "analysis/same_unit/statistic"
"""D = mean own-unit r minus mean other-unit r, the population statistic of the same-unit null."""
SAME_UNIT_NULL_MEAN = "analysis/same_unit/null_mean"
SAME_UNIT_P_VALUE = "analysis/same_unit/p_value"
CKA = "analysis/cka/value"
CKA_NULL_MEAN = "analysis/cka/null_mean"
CKA_P_VALUE = "analysis/cka/p_value"


def silhouette_metric(mode: str) -> str:
    """The silhouette of action clusters in one mode ('perform' or 'observe')."""
    return f"analysis/geometry/silhouette_{mode}"


# Hebbian mirror-layer counts (:meth:`mirror.analysis.hebbian.selectivity.MirrorClassification.counts`),
# logged after training as hebbian/<count>, before it as hebbian/before/<count> and during it as
# hebbian/curve/<count>.
N_MIRROR = "n_mirror"
N_ANTI_MIRROR = "n_anti_mirror"
HEBBIAN_COUNTS = (N_MIRROR, N_ANTI_MIRROR, "fraction_mirror", "fraction_anti_mirror", "n_visual_selective",
                  "n_motor_selective")
TRAINING_STAGES = ("before", "curve")
"""Where a count or measure was taken, besides after training (no stage): before training, or on
the curve over training."""
HEBBIAN_CURVE_PHASE = "hebbian/curve/phase"
HEBBIAN_NEVER_WON = "hebbian/n_never_won"
"""Mirror-layer neurons that never won during training: they kept their random weights and are not counted."""
HEBBIAN_CEILING = "hebbian/ceiling"
"""The most neurons the selectivity test could find selective, whatever was learnt."""
"""The training phase (an index into :data:`PHASES`) at each point of the curve."""


def hebbian_metric(count: str, stage: str | None = None) -> str:
    """``hebbian/<count>`` after training, ``hebbian/<stage>/<count>`` before it or on its curve."""
    if count not in HEBBIAN_COUNTS or stage not in (None, *TRAINING_STAGES):
        raise ValueError(f"no Hebbian metric {stage}/{count}")
    return f"hebbian/{count}" if stage is None else f"hebbian/{stage}/{count}"


# The associative model's measures of its weights (:mod:`mirror.analysis.associative`), logged after
# training as associative/<measure>, before it as associative/before/<measure> and during it as
# associative/curve/<measure>.
MIRROR_INDEX = "mirror_index"
FRACTION_SELF_PREFERRING = "fraction_self_preferring"
ASSOCIATIVE_MEASURES = (MIRROR_INDEX, FRACTION_SELF_PREFERRING)
ASSOCIATIVE_CURVE_PHASE = "associative/curve/phase"


def associative_metric(measure: str, stage: str | None = None) -> str:
    """``associative/<measure>`` after training, ``associative/<stage>/<measure>`` before it or on its curve."""
    if measure not in ASSOCIATIVE_MEASURES or stage not in (None, *TRAINING_STAGES):
        raise ValueError(f"no associative metric {stage}/{measure}")
    return f"associative/{measure}" if stage is None else f"associative/{stage}/{measure}"


def is_proportion(metric: str) -> bool:
    """A metric bounded to [0, 1] by its name: a fraction, an accuracy, a read-out or a decoder's
    accuracy (a report's interval for it must stay inside [0, 1])."""
    last = metric.rsplit("/", 1)[-1]
    return (last.startswith("fraction") or "accuracy" in last or last.startswith("read_out")
            or metric.startswith("analysis/decoding/"))


VISION_STAGES = ("untrained", "trained")
"""The vision module is measured before and after pre-training: ``vision/<stage>/<measure>``."""
READ_OUT_PARENT = "read_out_parent"
READ_OUT_HELD_OUT = "read_out_held_out_identities"
PARENT_CODE_COSINE = "parent_code_cosine"
"""Cosine of the top layer's mean code of the parent's happy faces and of its sad faces (1: no separation)."""
MAX_SINGLE_CELL_INFORMATION = "max_single_cell_information"
VISION_LOADED_FROM_CACHE = "vision/loaded_from_cache"


def vision_metric(stage: str, measure: str) -> str:
    """The key of a measure of the vision module at one stage, e.g. ``vision/trained/read_out_parent``."""
    if stage not in VISION_STAGES:
        raise ValueError(f"no vision stage {stage!r}; the stages are {VISION_STAGES}")
    return f"vision/{stage}/{measure}"


def training_metric(stage: str, name: str) -> str:
    """A loss or accuracy of the training loop, per epoch: ``train/loss``, ``val/observe_accuracy``."""
    return f"{stage}/{name}"


FORWARD_LOSS = "forward_loss"
"""MSE of the perform head's prediction of s_t from perform-mode states."""
FORWARD_LOSS_ON_OBSERVE = "forward_loss_on_observe"
"""MSE of the perform head's prediction of s_t from observe-mode states (readout perform_on_observe, both)."""
INVERSE_LOSS = "inverse_loss"
"""Cross-entropy of the observe head's classification of a_t from observe-mode states."""
INVERSE_LOSS_ON_PERFORM = "inverse_loss_on_perform"
"""Cross-entropy of the observe head's classification of a_t from perform-mode states (observe_on_perform, both)."""
FORWARD_LOSSES = (FORWARD_LOSS, FORWARD_LOSS_ON_OBSERVE)
INVERSE_LOSSES = (INVERSE_LOSS, INVERSE_LOSS_ON_PERFORM)
OBSERVE_ACCURACY = "observe_accuracy"
"""The observe head's accuracy on the true actions (a GRU's validation metric)."""
VAL_OBSERVE_ACCURACY = training_metric("val", OBSERVE_ACCURACY)

TIME = "time"
"""Family of wall times in seconds: ``time/<part>_s``."""
JOB_SECONDS = ("startup_s", "train_s", "analysis_s")
"""The parts of a job's wall time, each logged as ``time/<part>``: their sum is the job's time."""
VISION_PRETRAIN_SECONDS = f"{TIME}/vision_pretrain_s"
VISION_UPDATES_PER_LAYER = "vision/updates_per_layer"
VISION_LAST_EPOCH_WEIGHT_CHANGE = "vision/last_epoch_weight_change"
"""Followed by _layer<k>: the mean relative change of a weight vector over the last pre-training epoch."""
