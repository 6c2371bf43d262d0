"""A VisNet-style hierarchy (Rolls & Milward 2000), vectorised over neurons and images.

For each layer (the competition itself lives in :mod:`mirror.models.competition`):
    h_i  = sum_j w_ij y_j                       over the neuron's sampled fan-in
    h'   = h * I,  I(a,b) = -delta exp(-(a^2+b^2)/sigma^2) off-centre, 1 - sum(off-centre) at the centre
    y    = 1 / (1 + exp(-2 beta (h' - alpha)))  alpha: the (1 - sparseness) quantile of h'
    ybar(t) = eta ybar(t-1) + (1 - eta) y(t)    the trace, reset between objects
    dw_ij = lr ybar_i(t-1) y_j(t)               trace_rule='previous' (Rolls & Milward 2000, the default)
    dw_ij = lr ybar_i(t) y_j(t)                 trace_rule='current' (the original VisNet rule; Hebb at eta = 0)
    then w_i <- w_i / ||w_i||
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mirror.config import VisionConfig
from mirror.models.competition import CompetitiveSheet, hebbian_update, normalise_rows

log = logging.getLogger(__name__)

CHUNK = 64
"""Images whose rates are computed at once, bounding the memory of the fan-in gather."""


def gabor_bank(wavelengths: Sequence[float], orientations: int) -> Tensor:
    """Even and odd Gabor kernels, (len(wavelengths) * orientations * 2, 1, k, k), zero-mean, unit L2.

    Ordered wavelength-major, so channel groups per wavelength are contiguous.
    """
    size = 2 * math.ceil(max(wavelengths)) + 1
    grid = torch.arange(size, dtype=torch.float32) - size // 2
    y, x = torch.meshgrid(grid, grid, indexing="ij")
    kernels = []
    for wavelength in wavelengths:
        sigma = 0.56 * wavelength  # a one-octave bandwidth
        for k in range(orientations):
            theta = math.pi * k / orientations
            along = x * math.cos(theta) + y * math.sin(theta)
            across = -x * math.sin(theta) + y * math.cos(theta)
            envelope = torch.exp(-(along**2 + (0.5 * across) ** 2) / (2 * sigma**2))
            for phase in (0.0, math.pi / 2):
                kernel = envelope * torch.cos(2 * math.pi * along / wavelength + phase)
                kernel = kernel - kernel.mean() * envelope / envelope.mean()
                kernels.append(kernel / kernel.norm())
    return torch.stack(kernels)[:, None]


def sample_sources(
    rng: np.random.Generator,
    sheet_size: int,
    input_size: int,
    channel_groups: Sequence[Sequence[int]],
    fan_in: int,
    radius: float,
) -> Tensor:
    """Sampled fan-in of every neuron of a sheet: indices (sheet_size^2, fan_in) into the flattened
    (channels, input_size, input_size) previous layer.

    Positions are drawn from a Gaussian cone of sd ``radius`` (previous-layer grid units)
    around the topologically corresponding point; the fan-in is split evenly across
    ``channel_groups`` (e.g. one group per Gabor wavelength), the channel drawn within a group.
    """
    n_neurons = sheet_size**2
    rows, cols = np.divmod(np.arange(n_neurons), sheet_size)
    centre_y = (rows + 0.5) * input_size / sheet_size - 0.5
    centre_x = (cols + 0.5) * input_size / sheet_size - 0.5
    group_of_connection = np.arange(fan_in) % len(channel_groups)
    channels = np.stack(
        [rng.choice(np.asarray(channel_groups[g]), size=n_neurons) for g in group_of_connection], axis=1
    )
    y = np.clip(np.rint(centre_y[:, None] + radius * rng.standard_normal((n_neurons, fan_in))), 0, input_size - 1)
    x = np.clip(np.rint(centre_x[:, None] + radius * rng.standard_normal((n_neurons, fan_in))), 0, input_size - 1)
    return torch.from_numpy((channels * input_size + y) * input_size + x).long()


def trace_step(previous: Tensor, rates: Tensor, eta: float) -> Tensor:
    """ybar(t) = eta ybar(t-1) + (1 - eta) y(t): one step of the trace."""
    return eta * previous + (1 - eta) * rates


def trace(rates: Tensor, eta: float) -> Tensor:
    """The trace of every step along axis 1 of (sequences, steps, neurons), from ybar(-1) = 0."""
    if eta == 0.0:
        return rates
    traced = torch.empty_like(rates)
    running = torch.zeros_like(rates[:, 0])
    for step in range(rates.shape[1]):
        running = trace_step(running, rates[:, step], eta)
        traced[:, step] = running
    return traced


def previous_step(traced: Tensor) -> Tensor:
    """ybar(t-1) along axis 1 (zero at the first step)."""
    return F.pad(traced[:, :-1], (0, 0, 1, 0))


def postsynaptic_term(rule: str, now: Tensor, before: Tensor) -> Tensor:
    """The trace rule's postsynaptic term: ybar(t-1) for 'previous', ybar(t) for 'current'."""
    return before if rule == "previous" else now


def difference_of_gaussians(sigma: float) -> Tensor:
    """A centre-surround kernel (1, 1, k, k): a Gaussian of ``sigma`` minus one three times as wide,
    each summing to one, so a uniform image maps to zero."""
    radius = math.ceil(3 * 3 * sigma)
    grid = torch.arange(-radius, radius + 1, dtype=torch.float32)
    squared = grid[:, None] ** 2 + grid[None, :] ** 2

    def gaussian(width: float) -> Tensor:
        kernel = torch.exp(-squared / (2 * width**2))
        return kernel / kernel.sum()

    return (gaussian(sigma) - gaussian(3 * sigma))[None, None]


def graded_fraction(rates: Tensor) -> float:
    """Fraction of rates strictly between 0.05 and 0.95: near zero when the sigmoid acts as a step,
    and at most about the layer's sparseness when it does not."""
    return float(((rates > 0.05) & (rates < 0.95)).float().mean())


def graded_active_fraction(rates: Tensor) -> float:
    """Of the active rates (above 0.05), the fraction below 0.95: the check docs/models/hebbian.md asks for,
    free of the sparseness that keeps most rates near zero in a graded layer too."""
    active = rates[rates > 0.05]
    return float((active < 0.95).float().mean()) if active.numel() else 0.0


class VisNetLayer(nn.Module):
    """One sheet of neurons with sampled, topologically organised fan-in."""

    def __init__(self, sources: Tensor, sheet: CompetitiveSheet, learning_rate: float, unit_inputs: bool,
                 rng: np.random.Generator):
        super().__init__()
        self.register_buffer("sources", sources)
        initial = torch.from_numpy(rng.uniform(0.0, 1.0, sources.shape).astype(np.float32))
        self.register_buffer("weights", normalise_rows(initial))
        self.sheet = sheet
        self.learning_rate = learning_rate
        self.unit_inputs = unit_inputs

    def forward(self, inputs: Tensor) -> tuple[Tensor, Tensor]:
        """(B, n_inputs) -> (rates (B, n), presynaptic rates (B, n, fan_in), of unit length per neuron
        when ``unit_inputs``)."""
        presynaptic = inputs[:, self.sources]
        if self.unit_inputs:
            presynaptic = presynaptic / presynaptic.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        return self.sheet((presynaptic * self.weights).sum(-1)), presynaptic


class VisNet(nn.Module):
    """Gabor input filtering followed by VisNet layers, trained bottom-up with the trace rule."""

    def __init__(self, image_size: int, config: VisionConfig, rng: np.random.Generator) -> None:
        super().__init__()
        self.register_buffer("filters", gabor_bank(config.wavelengths, config.orientations), persistent=False)
        retina = difference_of_gaussians(config.retina_sigma) if config.retina == "dog" else None
        self.register_buffer("retina", retina, persistent=False)
        self.config = config
        self.last_epoch_weight_change: list[float] = []
        """Per layer, the mean relative change of a weight vector over the last pre-training epoch."""
        # Input channels: each filter rectified into an on and an off channel, wavelength-major.
        per_wavelength = config.orientations * 2 * 2
        groups = [list(range(g * per_wavelength, (g + 1) * per_wavelength)) for g in range(len(config.wavelengths))]
        self.layers = nn.ModuleList()
        input_size = image_size
        for k in range(len(config.fan_in)):
            sources = sample_sources(rng, config.sheet_size, input_size, groups, config.fan_in[k],
                                     config.fan_in_radius[k])
            sheet = CompetitiveSheet(config.sheet_size, config.sparseness[k], config.slope[k],
                                     config.inhibition_sigma[k], config.inhibition_delta[k],
                                     rescale=config.activation == "rescaled")
            self.layers.append(VisNetLayer(sources, sheet, config.learning_rate[k], config.activation == "rescaled", rng))
            input_size, groups = config.sheet_size, [[0]]

    def input_rates(self, images: Tensor) -> Tensor:
        """(B, H, W) images -> rectified Gabor responses (after the retina, if any), flattened to
        (B, channels * H * W)."""
        images = images[:, None]
        if self.retina is not None:
            images = F.conv2d(images, self.retina, padding=self.retina.shape[-1] // 2)
        responses = F.conv2d(images, self.filters, padding=self.filters.shape[-1] // 2)
        return torch.cat([F.relu(responses), F.relu(-responses)], dim=1).flatten(1)

    @torch.no_grad()
    def forward(self, images: Tensor, depth: int | None = None) -> Tensor:
        """Rates of layer ``depth`` (default: the top layer), (B, sheet_size^2); depth 0 is the input."""
        rates = self.input_rates(images)
        for layer in list(self.layers)[: len(self.layers) if depth is None else depth]:
            rates, _ = layer(rates)
        return rates

    @torch.no_grad()
    def pretrain(self, sequences: Tensor, rng: np.random.Generator) -> int:
        """Train each layer in turn on (S, L, H, W) image sequences, the trace reset between
        sequences; returns the number of weight updates per layer."""
        config = self.config
        n_sequences, length = sequences.shape[:2]
        images = sequences.flatten(0, 1)
        n_batches = max(1, n_sequences // config.batch_sequences)
        self.last_epoch_weight_change = []
        # The input of the layer in training, for every image: the layers below are frozen, so it is
        # computed once per layer (from the one below), not per batch and epoch. Layer 1's input
        # (Gabor responses) is too large to hold for every image: None, computed per batch.
        frozen: Tensor | None = None
        for depth, layer in enumerate(self.layers):
            started = time.perf_counter()
            if depth == 1:
                frozen = self.rates_in_chunks(images, depth)
            elif depth > 1:
                frozen = torch.cat([self.layers[depth - 1](part)[0] for part in frozen.split(CHUNK)])
            for _ in range(config.epochs_per_layer):
                start = layer.weights.clone()
                for batch in np.array_split(rng.permutation(n_sequences), n_batches):
                    frames = torch.from_numpy(batch[:, None] * length + np.arange(length))
                    self._learn(layer, frames, images, frozen)
            if config.epochs_per_layer:
                change = (layer.weights - start).norm(dim=-1) / start.norm(dim=-1)
                self.last_epoch_weight_change.append(float(change.mean()))
            log.info("VisNet layer %d/%d pre-trained: %d epochs in %.1f s", depth + 1, len(self.layers),
                     config.epochs_per_layer, time.perf_counter() - started)
        steps_per_batch = length if config.update == "online" else 1
        return config.epochs_per_layer * n_batches * steps_per_batch

    def _learn(self, layer: VisNetLayer, frames: Tensor, images: Tensor, frozen: Tensor | None) -> None:
        """One batch of sequences (frames: (B, L) image indices): online, an update per step; batch,
        one update over every frame."""
        config = self.config

        def layer_input(indices: Tensor) -> Tensor:
            return self.input_rates(images[indices]) if frozen is None else frozen[indices]

        if config.update == "batch":
            rates, presynaptic = layer(layer_input(frames.ravel()))
            traced = trace(rates.view(*frames.shape, -1), config.trace_eta)
            post = postsynaptic_term(config.trace_rule, traced, previous_step(traced))
            hebbian_update(layer.weights, post.flatten(0, 1), presynaptic, layer.learning_rate)
            return
        running = None
        for step in range(frames.shape[1]):
            rates, presynaptic = layer(layer_input(frames[:, step]))
            previous = torch.zeros_like(rates) if running is None else running
            running = trace_step(previous, rates, config.trace_eta)
            hebbian_update(layer.weights, postsynaptic_term(config.trace_rule, running, previous), presynaptic,
                           layer.learning_rate)

    @torch.no_grad()
    def rates_of_every_layer(self, images: Tensor, chunk: int = CHUNK) -> list[Tensor]:
        """Every layer's rates for many images, each layer computed once from the one below."""
        per_chunk = []
        for part in images.split(chunk):
            rates, layers = self.input_rates(part), []
            for layer in self.layers:
                rates, _ = layer(rates)
                layers.append(rates)
            per_chunk.append(layers)
        return [torch.cat(layer) for layer in zip(*per_chunk)]

    def rates_in_chunks(self, images: Tensor, depth: int, chunk: int = CHUNK) -> Tensor:
        """Layer ``depth``'s rates for many images, a chunk at a time to bound the gather's memory."""
        return torch.cat([self(part, depth=depth) for part in images.split(chunk)])
