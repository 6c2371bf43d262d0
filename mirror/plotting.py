"""The figure stack, set up once for every figure the project draws: matplotlib without a display
(each figure is a file, drawn in jobs, launcher workers and CI alike), and how a figure is saved.

Light: matplotlib only, so the reports and the claims page draw without the analysis or torch.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

__all__ = ["plt", "save_figure"]


def save_figure(fig: plt.Figure, path: Path, title: str | None = None, dpi: int = 110, bottom: float = 0.0) -> Path:
    """Title, lay out (keeping the lowest ``bottom`` of the figure free, for a legend under
    every panel), write and close a figure; returns its path."""
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0.0, bottom, 1.0, 1.0))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
