"""A measure over training with its phases shaded (development, counter-mirror, repair)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from mirror.analysis.figures import save_figure  # noqa: E402
from mirror.vocabulary import PHASES, phase_label  # noqa: E402

CurvePoint = Mapping[str, float]
"""One point of a curve: 'step', 'phase' (an index into PHASES) and the measures taken there."""


def curves_over_training(curve: Sequence[CurvePoint], series: Mapping[str, str], xlabel: str, ylabel: str,
                         title: str, path: Path, from_zero: bool = False) -> Path:
    """Each of ``series`` (legend label -> key of the points) against the step, later phases shaded."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, ax = plt.subplots(figsize=(8, 4))
    steps = np.array([point["step"] for point in curve])
    phases = np.array([point["phase"] for point in curve])
    for phase, colour in zip(range(1, len(PHASES)), ("0.9", "0.8")):
        if (phases == phase).any():
            # A phase starts where the last point of the phases before it was taken.
            start = steps[phases < phase].max() if (phases < phase).any() else 0.0
            ax.axvspan(start, steps[phases == phase].max(), color=colour, label=phase_label(PHASES[phase]), zorder=0)
    for label, key in series.items():
        ax.plot(steps, [point[key] for point in curve], marker="o", ms=3, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if from_zero:
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1]))
    ax.legend(fontsize=8)
    return save_figure(fig, path)
