"""The GRU models compared by the project; each differs from the base only in cores and losses."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mirror.models.predictive_gru import PredictiveGRU


class SharedCoreGRU(PredictiveGRU):
    """One core for both modes, trained on forward + inverse (the shared-predictive-core account)."""

    def __init__(self, n_actions: int, sensory_dim: int, hidden_size: int = 96, **kwargs: float) -> None:
        super().__init__(n_actions, sensory_dim, hidden_size, **kwargs)
        self.core = nn.GRU(hidden_size, hidden_size, batch_first=True)

    def core_states(self, perform_input: Tensor, observe_input: Tensor) -> tuple[Tensor, Tensor]:
        # Sequences in a batch are independent, so one pass over both modes stacked along the
        # batch equals two passes, at the cost of one.
        hidden, _ = self.core(torch.cat([perform_input, observe_input]))
        perform_hidden, observe_hidden = hidden.split(len(perform_input))
        return perform_hidden, observe_hidden
