"""How well the vision module tells happy from sad: the measures of docs/models/hebbian.md's vision module."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytorch_lightning as pl
import torch

from mirror.analysis.decoding import grouped_read_out_accuracy, read_out_accuracy
from mirror.analysis.hebbian.information import (
    multiple_cell_information,
    single_cell_information,
)
from mirror.data.faces import HAPPY, SAD
from mirror.models.visnet import graded_active_fraction, graded_fraction
from mirror.vocabulary.hebbian import (
    INFORMATIVE_CELLS_PARENT,
    MAX_SINGLE_CELL_INFORMATION,
    PARENT_CODE_COSINE,
    READ_OUT_HELD_OUT,
    READ_OUT_PARENT,
    vision_metric,
)

RatesOf = Callable[[torch.Tensor], np.ndarray]
"""Images (B, H, W) -> rates (B, cells) of some stage of the vision module."""


def expression_read_outs(rates_of: RatesOf, datamodule: pl.LightningDataModule) -> tuple[float, float]:
    """Linear read-outs of happy vs sad from ``rates_of(faces)``: across identities never
    fitted on, and for the parent's face across transforms the interaction never showed
    (what the mirror layer needs)."""
    faces, expressions, identities = datamodule.vision_test_set
    interaction, test = datamodule.parent_faces
    labels = [np.repeat([HAPPY, SAD], len(bank) // 2) for bank in (interaction, test)]
    return (
        grouped_read_out_accuracy(rates_of(faces), expressions, identities),
        read_out_accuracy(rates_of(interaction), labels[0], rates_of(test), labels[1]),
    )


def measure_vision(rates_of: RatesOf, datamodule: pl.LightningDataModule, stage: str,
                   information_threshold: float) -> dict[str, float]:
    """Information and read-outs of the expression in the top layer's rates, named for ``stage``.

    Multiple-cell information is decoded from cells ranked on the first half of the held-out
    identities and scored on the other half, so nothing is selected on what it is scored on.
    VisNet's own criterion counts the cells carrying at least ``information_threshold`` bits about the
    parent's expression over the parent's test presentations (its two images with fresh pixel noise under the
    poster's design, transforms never seen during the interaction under the other).
    """
    faces, expressions, identities = datamodule.vision_test_set
    rates = rates_of(faces)
    information = single_cell_information(rates, expressions)
    first_half = identities < identities.max() / 2
    decoded = multiple_cell_information(rates[first_half], expressions[first_half], rates[~first_half],
                                        expressions[~first_half], cell_counts=(1, 5, 20, 100))
    held_out, parent = expression_read_outs(rates_of, datamodule)
    interaction, test = datamodule.parent_faces
    parent_information = single_cell_information(rates_of(test), np.repeat([HAPPY, SAD], len(test) // 2))
    codes = rates_of(interaction)
    happy, sad = (codes[: len(codes) // 2].mean(axis=0), codes[len(codes) // 2 :].mean(axis=0))
    cosine = float(happy @ sad / max(np.linalg.norm(happy) * np.linalg.norm(sad), 1e-12))
    measures = {
        MAX_SINGLE_CELL_INFORMATION: float(information.max()),
        "mean_information_top20": float(np.sort(information)[-20:].mean()),
        "n_cells_above_half_bit": float((information > 0.5).sum()),
        INFORMATIVE_CELLS_PARENT: float((parent_information >= information_threshold).sum()),
        **{f"multiple_cell_information_top{k}": bits for k, bits in decoded.items()},
        READ_OUT_HELD_OUT: held_out,
        READ_OUT_PARENT: parent,
        PARENT_CODE_COSINE: cosine,
    }
    return {vision_metric(stage, name): value for name, value in measures.items()}


def graded_fractions(vision: torch.nn.Module, datamodule: pl.LightningDataModule, stage: str) -> dict[str, float]:
    """Per layer, on held-out faces, the fraction of rates strictly between 0.05 and 0.95 and the
    fraction of active rates (above 0.05) below 0.95: both near zero when the sigmoid is a step and
    the layer a hard k-winner-take-all."""
    faces, _, _ = datamodule.vision_test_set
    measures = {}
    for depth, rates in enumerate(vision.rates_of_every_layer(faces), start=1):
        measures[vision_metric(stage, f"graded_fraction_layer{depth}")] = graded_fraction(rates)
        measures[vision_metric(stage, f"graded_active_fraction_layer{depth}")] = graded_active_fraction(rates)
    return measures
