"""The associative model's own names: the measures of its sensory-to-motor weights."""

from __future__ import annotations

from mirror.vocabulary import TRAINING_STAGES

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
