"""The names the whole package shares: the shared analysis's metrics, the training phases and stages,
the parts of a job's time. Each model family's own names live beside them (``gru``, ``hebbian``,
``associative``). Each list of names has its one home here and is imported both where a name is
produced and where it is read, so a rename fails at import instead of after an hour of training.
Light on purpose (no third-party imports): the report and ``--help`` import it.
"""

from __future__ import annotations

PHASES = ("development", "counter_mirror", "repair")
"""Phases of the infant-parent interaction, in order; a step's phase in the data is its index here."""


LATENCIES = ("steps_to_reversal", "steps_to_repair")
"""How fast a signed measure re-maps: steps from the start of counter-mirror training until it has passed well below
zero, and from the start of repair until well above it again (one per phase after development, in order)."""


def phase_label(phase: str) -> str:
    """How a phase is written for a reader ('counter-mirror')."""
    return phase.replace("_", "-")


R_KINDS = ("centred", "raw")
"""The two per-unit r of docs/measures.md section 3: time-centred (the headline) and raw (the draft paper's)."""
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


CHANCE_STATISTICS = (FRACTION_MIRROR, FRACTION_ABS, FRACTION_ANTI_MIRROR, MAX_R, MIN_R)


SPECIFICATION_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
"""The thresholds of a threshold count's specification curve: every run logs its count at each (docs/calibration.md)."""
SPECIFICATION_KINDS = (*R_KINDS, "chance")
"""The r a specification counts on: time-centred, raw, or the same network's units paired at random (centred)."""
SPECIFICATION_STATISTICS = (FRACTION_MIRROR, FRACTION_ABS)
"""The threshold counts with a specification curve: r above a threshold, |r| above it."""
NULLS, FDR_METHODS = ("sequence", "same_unit"), ("bh", "by")
"""The significance choices a run also logs: each unit's null (docs/measures.md 3.1) and its FDR adjustment."""


SPECIFICATION = "analysis/specification/"
"""The prefix of every metric of a run's specification grid."""


def specification_metric(kind: str, statistic: str, threshold: float) -> str:
    """A threshold count at one threshold, e.g. ``analysis/specification/raw/fraction_mirror/0.7``."""
    if kind not in SPECIFICATION_KINDS or statistic not in SPECIFICATION_STATISTICS:
        raise ValueError(f"no specification {kind}/{statistic}")
    return f"{SPECIFICATION}{kind}/{statistic}/{threshold:g}"


def significance_metric(null: str, method: str) -> str:
    """Units significant against one null under one FDR method, e.g. ``analysis/specification/same_unit/by``."""
    if null not in NULLS or method not in FDR_METHODS:
        raise ValueError(f"no significance choice {null}/{method}")
    return f"{SPECIFICATION}{null}/{method}/n_significant"


def chance_metric(statistic: str) -> str:
    """The same network's chance level of a per-unit r statistic, its units paired at random across modes
    (docs/measures.md 3.3): e.g. ``analysis/chance/fraction_mirror``."""
    if statistic not in CHANCE_STATISTICS:
        raise ValueError(f"no chance metric {statistic}")
    return f"analysis/chance/{statistic}"


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
"""Units that survive the same-unit null (docs/measures.md 3.1) at the FDR level: same-unit mirrors."""
SAME_UNIT_FRACTION_SIGNIFICANT = "analysis/same_unit/fraction_significant"
SAME_UNIT_STATISTIC = "analysis/same_unit/statistic"
"""D = mean own-unit r minus mean other-unit r, the population statistic of the same-unit null."""
SAME_UNIT_NULL_MEAN = "analysis/same_unit/null_mean"
SAME_UNIT_P_VALUE = "analysis/same_unit/p_value"
CKA = "analysis/cka/value"
CKA_NULL_MEAN = "analysis/cka/null_mean"
CKA_P_VALUE = "analysis/cka/p_value"


CONGRUENCE_COUNTS = ("n_selective_perform", "n_selective_observe", "n_strictly_congruent", "n_broadly_congruent",
                     "fraction_strictly_congruent", "fraction_broadly_congruent", "preferred_agreement",
                     "preferred_agreement_chance")
"""Congruent action selectivity (docs/measures.md 3.2): units selective for the action in each mode, and
those selective in both with the same (strictly) or an overlapping (broadly) preferred action; among the latter,
the share whose preferred action agrees, and that share's chance level (the mouse study's M2)."""


def analysis_metric(group: str, name: str, names: tuple[str, ...]) -> str:
    """``analysis/<group>/<name>`` for one of a group's ``names``; ValueError naming the group's names otherwise."""
    if name not in names:
        raise ValueError(f"no {group} measure {name!r}; the measures are {names}")
    return f"analysis/{group}/{name}"


def congruence_metric(count: str) -> str:
    """The key of a congruence count, e.g. ``analysis/congruence/n_strictly_congruent``."""
    if count not in CONGRUENCE_COUNTS:
        raise ValueError(f"no congruence count {count!r}; the counts are {CONGRUENCE_COUNTS}")
    return f"analysis/congruence/{count}"


ROTATED_FRACTION_MIRROR = "analysis/rotated/fraction_mirror"
"""The fraction of units with r above the mirror threshold after a random rotation of the hidden space,
averaged over rotations: what survives of mirroring when no unit is itself any more."""
ROTATED_MEAN_R = "analysis/rotated/mean_r"


def joint_silhouette_metric(mode: str) -> str:
    """The silhouette of action clusters in one mode's part of the joint 2-D embedding of both modes."""
    return f"analysis/geometry/joint_silhouette_{mode}"


def silhouette_metric(mode: str) -> str:
    """The silhouette of action clusters in one mode ('perform' or 'observe')."""
    return f"analysis/geometry/silhouette_{mode}"


TRAINING_STAGES = ("before", "curve", "settled")
"""Where a count or measure was taken, besides after training (no stage): before training, on the curve over
training, or averaged over the curve's last quarter (``settled``: a state that flickers between steps is read as its
average, not as whichever draw the last step made)."""


def is_proportion(metric: str) -> bool:
    """A metric bounded to [0, 1] by its name: a fraction, an accuracy, a read-out, a decoder's
    accuracy or a run's outcome, 1 or 0 (``develops_...``; its mean over seeds is a fraction of seeds):
    a report's interval for it must stay inside [0, 1]."""
    last = metric.rsplit("/", 1)[-1]
    return (last.startswith(("fraction", "read_out", "develops_")) or "accuracy" in last
            or metric.startswith("analysis/decoding/"))


def training_metric(stage: str, name: str) -> str:
    """A loss or accuracy of the training loop, per epoch: ``train/loss``, ``val/observe_accuracy``."""
    return f"{stage}/{name}"


TIME = "time"
"""Family of wall times in seconds: ``time/<part>_s``."""
JOB_SECONDS = ("startup_s", "train_s", "analysis_s")
"""The parts of a job's wall time, each logged as ``time/<part>``: their sum is the job's time."""


def power_metric(prevalence: float, units: int) -> str:
    """``power/p<percent>/n<units>``: the chance that the same-unit test finds mirror units of this prevalence
    among this many recorded units (mirror.analysis.power)."""
    return f"power/p{round(100 * prevalence):g}/n{units}"


def units_for_power_metric(prevalence: float) -> str:
    """``power/units_for_80pct/p<percent>``: the fewest recorded units of the grid that find them at 80 %."""
    return f"power/units_for_80pct/p{round(100 * prevalence):g}"


SELF_OTHER = ("n_anti_mirror", "anti_mirror_mode_accuracy", "random_mode_accuracy", "anti_mirror_lesion_drop",
              "random_lesion_drop")
"""Anti-mirror units and self-other distinction (mirror.analysis.self_other, the draft's D13)."""


def self_other_metric(name: str) -> str:
    """``analysis/self_other/<name>``: the mode read out from the anti-mirror units, and what silencing them costs."""
    return analysis_metric("self_other", name, SELF_OTHER)


SUBSPACE = ("population_correlation", "alignment_observe_in_perform", "alignment_perform_in_observe")
"""The population measures of recordings and models alike (mirror.analysis.subspace), each logged with its null's
mean (``_null_mean``) and one-sided p (``_p``)."""


def subspace_metric(name: str) -> str:
    """``analysis/subspace/<name>``: the alignment index either way or the population correlation, or its null."""
    analysis_metric("subspace", name.removesuffix("_null_mean").removesuffix("_p"), SUBSPACE)
    return f"analysis/subspace/{name}"


MODULATION = ("perform_facilitated", "perform_suppressed", "observe_facilitated", "observe_suppressed",
              "observe_suppressed_of_perform_facilitated")
"""Modulation with its sign, per context (mirror.analysis.modulation)."""


def modulation_metric(name: str) -> str:
    """``analysis/modulation/<name>``: the share of units facilitated or suppressed in a context."""
    return analysis_metric("modulation", name, MODULATION)



TIME_DECODING = ("perform_to_observe", "observe_to_perform", "perform_to_observe_peak", "observe_to_perform_peak",
                 "chance")
"""Time-resolved cross-context decoding (mirror.analysis.time_decoding): the mean over bins of the accuracy of a
decoder trained in one context at a bin and tested in the other at that bin, its best bin, and chance."""


def time_decoding_metric(name: str) -> str:
    """``analysis/time_decoding/<name>``."""
    return analysis_metric("time_decoding", name, TIME_DECODING)
