"""Figures specific to the Hebbian facial-expression model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import seaborn as sns
import torch

from mirror.analysis.training_curves import curves_over_training
from mirror.plotting import plt, save_figure
from mirror.vocabulary.hebbian import CONDITIONS, N_ANTI_MIRROR, N_MIRROR


def face_sheet(parent: torch.Tensor, others: torch.Tensor, path: Path) -> Path:
    """The parent's happy and sad faces (top rows) and pre-training faces of other identities."""
    half = len(parent) // 2
    columns = min(6, half, len(others))
    rows = [parent[:columns], parent[half : half + columns], others[:columns]]
    fig, axes = plt.subplots(3, columns, figsize=(1.5 * columns, 4.8), squeeze=False)
    for r, (faces, label) in enumerate(zip(rows, ("parent, happy", "parent, sad", "other identities"))):
        for c, ax in enumerate(axes[r]):
            ax.imshow(faces[c].numpy(), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=9)
    return save_figure(fig, path, dpi=100)


def _ordered(means: np.ndarray) -> np.ndarray:
    """Neurons grouped by preferred condition, strongest first within a group."""
    preferred = means.argmax(axis=1)
    return np.lexsort((-means.max(axis=1), preferred))


def rates_before_after(before: dict[str, np.ndarray], after: dict[str, np.ndarray], title: str, path: Path,
                       value_label: str = "mean firing rate") -> Path:
    """Mean response of every mirror-layer neuron in the four conditions, before and after training,
    both panels in the order of the neurons' preferred condition after training."""
    sns.set_theme(style="white", context="notebook")
    fig, axes = plt.subplots(1, 2, figsize=(9, 6.5), sharey=True)
    labels = [name.replace("_", "\n") for name in CONDITIONS]
    means = {stage: np.stack([responses[name].mean(axis=0) for name in CONDITIONS], axis=1)
             for stage, responses in (("before training", before), ("after training", after))}
    order = _ordered(means["after training"])  # one neuron order in both panels
    top = max(1.0, max(float(m.max()) for m in means.values()))
    for ax, (stage, values) in zip(axes, means.items()):
        sns.heatmap(values[order], vmin=0, vmax=top, cmap="magma", ax=ax, cbar=ax is axes[-1],
                    cbar_kws={"label": value_label}, xticklabels=labels, yticklabels=False)
        ax.set(title=stage, xlabel="test condition",
               ylabel="neuron (ordered by preferred condition after training)" if ax is axes[0] else "")
    return save_figure(fig, path, title)


def mirror_counts_over_training(curve: list[dict[str, float]], title: str, path: Path) -> Path:
    """Mirror and anti-mirror counts against interaction step, phases shaded."""
    return curves_over_training(curve, {"mirror": N_MIRROR, "anti-mirror": N_ANTI_MIRROR}, "interaction step",
                                "neurons", title, path, from_zero=True)
