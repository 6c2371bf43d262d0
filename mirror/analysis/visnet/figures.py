"""Information per cell, sorted, per layer: how the VisNet papers show that a network learnt invariance."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirror.plotting import legend_under_panels, plt, save_figure
from mirror.vocabulary.visnet import POSITION_SETS, STAGES

_COLOURS = {"untrained": "0.6", "trained": "tab:blue"}
_LINES = {"trained": "-", "new": "--"}
CELLS_SHOWN = 200
"""The best cells drawn per layer (of 1,024): the rest carry little, as in the papers' figures."""


def information_per_cell(information: dict[str, dict[str, list[np.ndarray]]], ceiling: float, title: str,
                         path: Path) -> Path:
    """``information[stage][positions]``: per layer, the cells' information sorted best first."""
    layers = len(information[STAGES[0]][POSITION_SETS[0]])
    fig, axes = plt.subplots(1, layers, figsize=(3.0 * layers, 3.2), sharey=True, squeeze=False)
    for depth, ax in enumerate(axes[0]):
        for stage in STAGES:
            for where in POSITION_SETS:
                bits = information[stage][where][depth][:CELLS_SHOWN]
                ax.plot(np.arange(1, len(bits) + 1), bits, _LINES[where], color=_COLOURS[stage],
                        label=f"{stage}, {where} positions")
        ax.axhline(ceiling, color="k", lw=0.6, ls=":")
        ax.set_title(f"layer {depth + 1}", fontsize=10)
        ax.set_xlabel("cell rank")
        ax.set_ylim(0, ceiling * 1.05)
    axes[0, 0].set_ylabel("single-cell information (bits)")
    legend_under_panels(fig, *axes[0, 0].get_legend_handles_labels())
    return save_figure(fig, path, title)
