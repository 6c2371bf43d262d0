"""What VisNet's layers carry about which stimulus is shown, whatever its position (Rolls & Milward 2000)."""

from __future__ import annotations

import numpy as np
import torch

from mirror.analysis.hebbian.information import held_out_group_information, multiple_cell_information, \
    single_cell_information
from mirror.vocabulary.visnet import MAX_INFORMATION, MULTIPLE_CELL, N_INVARIANT


def labels_of(sequences: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Stimulus and position of every image of (stimuli, positions, H, W) sequences, flattened."""
    n_stimuli, n_positions = sequences.shape[:2]
    return np.repeat(np.arange(n_stimuli), n_positions), np.tile(np.arange(n_positions), n_stimuli)


def information_per_layer(rates: list[np.ndarray], stimuli: np.ndarray, n_bins: int) -> list[np.ndarray]:
    """Each layer's cells' single-cell stimulus-specific information (bits), sorted best first."""
    return [np.sort(single_cell_information(layer, stimuli, n_bins))[::-1] for layer in rates]


def layer_measures(information: list[np.ndarray], ceiling: float, criterion: float) -> dict[str, float]:
    """Per layer: the best cell's information and the cells above ``criterion`` x the ceiling."""
    measures = {}
    for depth, bits in enumerate(information, start=1):
        measures[f"{MAX_INFORMATION}_layer{depth}"] = float(bits[0])
        measures[f"{N_INVARIANT}_layer{depth}"] = float((bits >= criterion * ceiling - 1e-9).sum())
    return measures


def population_measures(trained: np.ndarray, new: np.ndarray, stimuli: tuple[np.ndarray, np.ndarray],
                        positions: np.ndarray, cell_counts: list[int], n_bins: int) -> dict[str, dict[str, float]]:
    """Multiple-cell information of the top layer: at trained positions each position held out in turn
    (cells ranked and the decoder fitted on the other eight), at new positions fitted on all trained ones."""
    at_trained = held_out_group_information(trained, stimuli[0], positions, cell_counts, n_bins)
    at_new = multiple_cell_information(trained, stimuli[0], new, stimuli[1], cell_counts, n_bins)
    return {where: {f"{MULTIPLE_CELL}_top{k}": bits for k, bits in found.items()}
            for where, found in (("trained", at_trained), ("new", at_new))}
