"""The associative model's own names: its rules, the measures of its sensory-to-motor weights and
the contingency its schedule programs."""

from __future__ import annotations

from mirror.vocabulary import TRAINING_STAGES

ASSOCIATIVE_RULES = ("hebb", "covariance", "rescorla_wagner")
"""The learning rules of docs/models/associative.md 5.1-5.2: contiguity alone (Hebb with row normalisation), Hebb with
depression (Sejnowski's covariance rule) and prediction error (Rescorla-Wagner)."""

# The associative model's measures of its weights (:mod:`mirror.analysis.associative`), logged after
# training as associative/<measure>, before it as associative/before/<measure> and during it as
# associative/curve/<measure>.
MIRROR_INDEX = "mirror_index"
FRACTION_SELF_PREFERRING = "fraction_self_preferring"
SELECTIVE_RESPONSE = "selective_response"
"""The association's strength (docs/models/associative.md 5.2): M_i's response to seeing i minus its mean response to
seeing other actions, in units of the test noise sd, averaged over the motor units."""
EVOKED_RESPONSE = "evoked_response"
"""The link as associative learning theory defines it: M_i's response to seeing i above its response to
seeing nothing (the context alone), W_ii, in units of the test noise sd, averaged over the motor units."""
D_PRIME = "d_prime"
"""The same difference over the pooled sd of the two kinds of test response (noise and the spread of
the other actions' weights): how well one test trial tells seeing i from seeing another action."""
ASSOCIATIVE_MEASURES = (MIRROR_INDEX, FRACTION_SELF_PREFERRING, SELECTIVE_RESPONSE, D_PRIME, EVOKED_RESPONSE)
ASSOCIATIVE_CURVE_PHASE = "associative/curve/phase"
DELTA_P = "associative/delta_p"
"""The contingency the development trials program, P(doing i | seeing i) - P(doing i | not seeing i),
averaged over the actions: a property of the schedule, logged once per run."""


def associative_metric(measure: str, stage: str | None = None) -> str:
    """``associative/<measure>`` after training, ``associative/<stage>/<measure>`` before it or on its curve."""
    if measure not in ASSOCIATIVE_MEASURES or stage not in (None, *TRAINING_STAGES):
        raise ValueError(f"no associative metric {stage}/{measure}")
    return f"associative/{measure}" if stage is None else f"associative/{stage}/{measure}"
