"""Competition on a sheet of neurons, shared by every VisNet layer and the mirror layer.

    h'   = h * I,  I(a,b) = -delta exp(-(a^2+b^2)/sigma^2) off-centre, 1 - sum(off-centre) at the centre
    y    = 1 / (1 + exp(-2 beta (h' - alpha)))  alpha: the (1 - sparseness) quantile of h'
    dw_ij = lr post_i pre_j,  then w_i <- w_i / ||w_i||
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def inhibition_surround(sigma: float, delta: float) -> Tensor:
    """I off the centre, -delta exp(-(a^2+b^2)/sigma^2), with 0 at the centre (1, 1, k, k): the centre,
    1 - (the sum of the surround inside the sheet), depends on a neuron's place (:class:`CompetitiveSheet`)."""
    radius = max(1, math.ceil(2.5 * sigma))
    grid = torch.arange(-radius, radius + 1, dtype=torch.float32)
    y, x = torch.meshgrid(grid, grid, indexing="ij")
    surround = -delta * torch.exp(-(x**2 + y**2) / sigma**2)
    surround[radius, radius] = 0.0
    return surround[None, None]


def normalise_rows(weights: Tensor) -> Tensor:
    """Each neuron's weight vector to unit length, in place; returns it."""
    return weights.div_(weights.norm(dim=-1, keepdim=True).clamp_min(1e-12))


@torch.no_grad()
def hebbian_update(weights: Tensor, postsynaptic: Tensor, presynaptic: Tensor, learning_rate: float) -> None:
    """dw_ij = lr <post_i pre_ij> over the batch, then unit-length rows, in place.

    ``postsynaptic``: (B, n); ``presynaptic``: (B, n, k) per-neuron inputs (sampled fan-in)
    or (B, k) inputs shared by every neuron (full connectivity).
    """
    batch = postsynaptic.shape[0]
    if presynaptic.dim() == 2:
        change = postsynaptic.T @ presynaptic
    else:
        change = torch.einsum("bi,bik->ik", postsynaptic, presynaptic)
    weights.add_(change, alpha=learning_rate / batch)
    normalise_rows(weights)


class CompetitiveSheet(nn.Module):
    """Lateral inhibition and sparseness-controlled contrast enhancement on a square sheet; with
    ``rescale`` the inhibited activations are mapped onto [0, 1] for each input before the sigmoid."""

    def __init__(self, sheet_size: int, sparseness: float, slope: float, sigma: float, delta: float,
                 rescale: bool = False) -> None:
        super().__init__()
        self.sheet_size, self.sparseness, self.slope, self.rescale = sheet_size, sparseness, slope, rescale
        surround = inhibition_surround(sigma, delta)
        radius = surround.shape[-1] // 2
        self.register_buffer("surround", surround, persistent=False)
        # The filter's centre is 1 - (sum of the surround); near the border only the part of
        # the surround inside the sheet counts, or border neurons would be spared inhibition
        # and win the competition for their position alone.
        inside = F.conv2d(torch.ones(1, 1, sheet_size, sheet_size), surround, padding=radius)
        self.register_buffer("surround_inside", inside.flatten(1), persistent=False)

    def forward(self, activation: Tensor) -> Tensor:
        """(B, sheet_size^2) activations h -> firing rates y in (0, 1)."""
        sheet = activation.view(-1, 1, self.sheet_size, self.sheet_size)
        neighbours = F.conv2d(sheet, self.surround, padding=self.surround.shape[-1] // 2).flatten(1)
        inhibited = activation + neighbours - self.surround_inside * activation
        if self.rescale:  # onto [0, 1] for each input, the scale on which the published slopes are graded
            low, high = inhibited.amin(dim=1, keepdim=True), inhibited.amax(dim=1, keepdim=True)
            inhibited = (inhibited - low) / (high - low).clamp_min(1e-12)
        threshold = torch.quantile(inhibited, 1.0 - self.sparseness, dim=1, keepdim=True)
        return torch.sigmoid(2 * self.slope * (inhibited - threshold))
