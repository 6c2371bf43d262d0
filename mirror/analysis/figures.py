"""Figures of the shared analysis (seaborn on a headless backend); each returns a saved path."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from mirror.config import AnalysisConfig  # noqa: E402


def sorted_unit_r(units: pd.DataFrame, settings: AnalysisConfig, title: str, path: Path) -> Path:
    """Per-unit r in rank order, time-centred and raw, with the mirror thresholds marked."""
    long = pd.concat(
        [
            pd.DataFrame({"rank": range(len(units)), "r": units[column].sort_values(ascending=False).to_numpy(),
                          "per-unit r": label})
            for column, label in (("r_centred", "time-centred (headline)"), ("r_raw", "raw (as in the draft paper)"))
        ]
    )
    sns.set_theme(style="whitegrid", context="notebook")
    fig, ax = plt.subplots(figsize=(7, 4.2))
    sns.lineplot(data=long, x="rank", y="r", hue="per-unit r", marker="o", markersize=3, ax=ax)
    ax.axhline(settings.mirror_threshold, color="0.3", ls="--", lw=1)
    ax.axhline(settings.anti_mirror_threshold, color="0.3", ls=":", lw=1)
    ax.text(len(units) - 1, settings.mirror_threshold, f" r = {settings.mirror_threshold}", va="bottom", ha="right")
    ax.set(xlabel="unit (sorted by r)", ylabel="perform-observe Pearson r", ylim=(-1.05, 1.05), title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
