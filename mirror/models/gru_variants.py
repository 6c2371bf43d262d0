"""The GRU models compared by the project; each differs from the base only in cores and losses.

| model | cores | objectives |
|---|---|---|
| SharedCoreGRU | one, both modes | forward + inverse |
| SeparateCoreGRU | one per mode, same size | forward (perform core), inverse (observe core) |
| ForwardOnlyGRU | one | forward only: the observe path is never trained |
| ShuffledLabelGRU | one | forward + inverse on other examples' actions, re-drawn every step |
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mirror.models.predictive_gru import PredictiveGRU, run_core, summed_losses
from mirror.vocabulary.gru import FORWARD_LOSSES


class SharedCoreGRU(PredictiveGRU):
    """One core for both modes, trained on forward + inverse (the shared-predictive-core account)."""

    def __init__(self, n_actions: int, sensory_dim: int, hidden_size: int, **objective: float) -> None:
        super().__init__(n_actions, sensory_dim, hidden_size, **objective)
        self.core = nn.GRU(hidden_size, hidden_size, batch_first=True)

    def core_states(self, perform_input: Tensor, observe_input: Tensor,
                    keep: Tensor | None = None) -> tuple[Tensor, Tensor]:
        # Sequences in a batch are independent, so one pass over both modes stacked along the
        # batch equals two passes, at the cost of one.
        inputs, n = torch.cat([perform_input, observe_input]), len(perform_input)
        if keep is None:
            perform_hidden, observe_hidden = run_core(self.core, inputs, None).split(n)
            return perform_hidden, observe_hidden
        # Each lesioned copy's keep, for both modes' rows; then the copies' modes apart.
        n_copies = len(keep) // n
        both_modes = keep.view(n_copies, 1, n, -1).expand(-1, 2, -1, -1).reshape(-1, keep.shape[-1])
        hidden = run_core(self.core, inputs, both_modes).view(n_copies, 2, n, *inputs.shape[1:])
        return hidden[:, 0].flatten(0, 1), hidden[:, 1].flatten(0, 1)


class SeparateCoreGRU(PredictiveGRU):
    """Two cores of identical size, one per mode: unit u of one has no reason to be unit u of the other."""

    def __init__(self, n_actions: int, sensory_dim: int, hidden_size: int, **objective: float) -> None:
        super().__init__(n_actions, sensory_dim, hidden_size, **objective)
        self.perform_core = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.observe_core = nn.GRU(hidden_size, hidden_size, batch_first=True)

    def core_states(self, perform_input: Tensor, observe_input: Tensor,
                    keep: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return run_core(self.perform_core, perform_input, keep), run_core(self.observe_core, observe_input, keep)


class ForwardOnlyGRU(SharedCoreGRU):
    """One core trained only as a forward model; observe mode reads sensations it was never trained on."""

    def objective(self, losses: dict[str, Tensor]) -> Tensor:
        """Only the forward losses, in whichever modes the readout names."""
        return self.hparams.forward_weight * summed_losses(losses, FORWARD_LOSSES)


class ShuffledLabelGRU(SharedCoreGRU):
    """One core whose inverse targets are other examples' action sequences, re-drawn every step,
    so the observed stream no longer predicts its labels."""

    def inverse_targets(self, actions: Tensor) -> Tensor:
        """Other examples' labels, re-drawn for every inverse loss of every step."""
        return actions[derangement(len(actions), actions.device)]


def derangement(n: int, device: torch.device | None = None) -> Tensor:
    """A random permutation of range(n) with no fixed point (every example gets another's labels).

    Uses torch's global generator, which ``seed_everything`` seeds, so runs stay reproducible.
    """
    if n < 2:
        raise ValueError("a derangement needs at least two examples")
    # Shuffle, then rotate by one within the shuffled order: a uniformly random n-cycle.
    order = torch.randperm(n, device=device)
    permutation = torch.empty_like(order)
    permutation[order] = order.roll(1)
    return permutation
