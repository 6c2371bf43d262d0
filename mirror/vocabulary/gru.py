"""The predictive GRUs' own names: their losses and accuracy, logged per epoch."""

from __future__ import annotations

from mirror.vocabulary import training_metric

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


def dark_metric(name: str) -> str:
    """A shared-analysis metric of perform activity in the dark (docs/models/predictive-gru.md 2.2): ``dark/<metric>``."""
    return f"dark/{name}"


LESION_MEASURES = ("observe_accuracy_drop", "forward_loss_rise")
"""What a lesion costs (docs/measures.md 3.2): observe-mode action accuracy lost, perform-mode forward loss gained."""
LESIONS = ("mirror", "random", "p")
"""The k most mirror-like units, k random units (the mean over draws), and the one-sided p of the first
against the second: the fraction of random lesions that cost at least as much (+1 corrected)."""


def lesion_metric(fraction: float, lesion: str, measure: str) -> str:
    """``lesion/<percent of units>pct/<lesion>/<measure>``, e.g. ``lesion/10pct/p/observe_accuracy_drop``."""
    if lesion not in LESIONS or measure not in LESION_MEASURES:
        raise ValueError(f"no lesion metric {lesion}/{measure}")
    return f"lesion/{round(100 * fraction):g}pct/{lesion}/{measure}"
