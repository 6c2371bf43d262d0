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
