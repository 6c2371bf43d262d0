"""The figure stack, set up once for every figure the project draws: matplotlib without a display
(each figure is a file, drawn in jobs, launcher workers and CI alike), and how a figure is saved.

Light: matplotlib only, so the reports and the claims page draw without the analysis or torch.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

from mirror.files import write_with  # noqa: E402

__all__ = ["axis_label", "legend_under_panels", "plt", "save_figure"]


def axis_label(metric: str) -> str:
    """A logged metric (or a runs table's ``metrics.`` column) as an axis names it: its path without the leading
    'analysis/', read as words, so that measures of one statistic stay apart ('centred fraction mirror', 'chance
    fraction mirror')."""
    return metric.removeprefix("metrics.").removeprefix("analysis/").replace("/", " ").replace("_", " ")


def legend_under_panels(fig: plt.Figure, handles: list, labels: list[str], title: str | None = None,
                        fontsize: float = 8) -> None:
    """One legend for every panel, hung under them, off the data, in as many columns as the figure's width
    holds (characters about 0.6 of the font size wide): ``save_figure`` grows the image to hold it, so a
    long label widens the figure instead of being cut at its edges."""
    row_characters = fig.get_figwidth() * 72 / (0.6 * fontsize)
    per_entry = max(len(label) for label in labels) + 6  # the marker and the gap beside each label
    columns = max(1, min(len(labels), int(row_characters // per_entry)))
    fig.legend(handles, labels, title=title, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=columns,
               fontsize=fontsize, title_fontsize=fontsize, frameon=False)


VECTOR_FORMAT = "pdf"
"""Every figure is also written as a vector file beside its PNG, for a paper."""


def save_figure(fig: plt.Figure, path: Path, title: str | None = None, dpi: int = 150) -> Path:
    """Lay out, title, write (PNG at ``path`` and a PDF beside it) and close a figure; returns the PNG's path. The
    title goes above the laid-out panels (laid out with it, a tall figure's title ran into its first panel) and
    the image is cut to what is drawn, the title and a legend under the panels (:func:`legend_under_panels`)
    included."""
    fig.tight_layout()
    if title:
        fig.suptitle(title, y=1.0, va="bottom")
    path = Path(path)
    write_with(path, lambda partial: fig.savefig(partial, dpi=dpi, bbox_inches="tight", format="png"))
    vector = path.with_suffix(f".{VECTOR_FORMAT}")
    write_with(vector, lambda partial: fig.savefig(partial, bbox_inches="tight", format=VECTOR_FORMAT))
    plt.close(fig)
    return path
