"""Per-run figures of the shared analysis (docs/measures.md figures 1, 2A/C and 4, the geometry and the battery).

Each ``figure_*`` function draws one PNG from an :class:`AnalysisResult` and returns its path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from mirror.analysis.summary import AnalysisResult, top_unit_indices
from mirror.config import AnalysisConfig
from mirror.plotting import plt, save_figure
from mirror.protocol import MirrorActivity
from mirror.vocabulary import SUBSPACE, modulation_metric, silhouette_metric, subspace_metric

TRACE_SEQUENCES = 4
"""Test sequences laid end to end in the time-course panels."""


def _panel_label(ax: plt.Axes, letter: str) -> None:
    ax.text(-0.12, 1.04, letter, transform=ax.transAxes, fontsize=13, fontweight="bold")


def _traces(ax: plt.Axes, activity: MirrorActivity, units: list[int], palette: list) -> None:
    """Perform (solid) and observe (dashed) activity of ``units`` over a few test sequences."""
    n_sequences, n_steps = min(TRACE_SEQUENCES, activity.perform.shape[0]), activity.perform.shape[1]
    # One segment per sequence, a gap and a line between them: no trace runs across two sequences.
    steps = np.arange(n_sequences * (n_steps + 1)).reshape(n_sequences, n_steps + 1)[:, :n_steps]

    def separated(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        padded = np.full((n_sequences, n_steps + 1), np.nan)
        padded[:, :n_steps] = values
        return np.arange(padded.size), padded.ravel()

    for unit, colour in zip(units, palette):
        ax.plot(*separated(activity.perform[:n_sequences, :, unit]), color=colour, lw=1.6,
                label=f"unit {unit}, {activity.condition_names[0]}")
        ax.plot(*separated(activity.observe[:n_sequences, :, unit]), color=colour, lw=1.6, ls="--",
                label=f"unit {unit}, {activity.condition_names[1]}")
    for start in steps[1:, 0]:
        ax.axvline(start - 1, color="0.35", lw=1.0)
    ax.set(xlabel=f"step ({n_sequences} test sequences, separated by vertical lines)",
           ylabel="hidden activity", xticks=steps[:, 0], xticklabels=["0"] * n_sequences)


def figure_1(
    result: AnalysisResult,
    activity: MirrorActivity,
    r_at_init: np.ndarray,
    settings: AnalysisConfig,
    title: str,
    path: Path,
) -> Path:
    """(A) per-unit r sorted; (B) r of the trained vs the same network at initialisation;
    (C) time courses of the three most mirror-like units."""
    sns.set_theme(style="whitegrid", context="notebook")
    # Two panels over one wide one, about 4:3, so that the figure reads at a preview's size.
    fig = plt.figure(figsize=(11, 8.2))
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])]
    units = result.units
    ax = axes[0]
    for column, label in (("r_centred", "time-centred (headline)"), ("r_raw", "raw (as in the draft paper)")):
        ax.plot(np.sort(units[column].to_numpy())[::-1], marker="o", ms=2.5, lw=1.2, label=label)
    ax.axhline(settings.mirror_threshold, color="0.3", ls="--", lw=1, label=f"r = {settings.mirror_threshold}")
    ax.axhline(settings.anti_mirror_threshold, color="0.3", ls=":", lw=1, label=f"r = {settings.anti_mirror_threshold}")
    ax.set(xlabel="unit (sorted by r)", ylabel="perform-observe r", ylim=(-1.05, 1.05), title="per-unit r")
    ax.legend(fontsize=8, loc="upper right")  # the sorted curve leaves this corner empty
    _panel_label(ax, "A")

    ax = axes[1]
    distributions = pd.DataFrame(
        {
            "r": np.concatenate([units["r_centred"].to_numpy(), r_at_init]),
            "network": ["trained"] * len(units) + ["at initialisation (control)"] * len(r_at_init),
        }
    ).dropna()
    sns.histplot(data=distributions, x="r", hue="network", bins=np.linspace(-1, 1, 41), element="step",
                 stat="count", common_norm=False, ax=ax)
    sns.move_legend(ax, "upper left", fontsize=8, title_fontsize=8)  # r piles up right of zero: the left is free
    ax.axvline(settings.mirror_threshold, color="0.3", ls="--", lw=1)
    ax.axvline(settings.anti_mirror_threshold, color="0.3", ls=":", lw=1)
    ax.set(xlabel="time-centred per-unit r", ylabel="units",
           title=f"trained vs untrained (lines: {settings.anti_mirror_threshold}, {settings.mirror_threshold})")
    _panel_label(ax, "B")

    ax = axes[2]
    top3 = [int(u) for u in top_unit_indices(units["r_centred"].to_numpy(), 3)]
    _traces(ax, activity, top3, sns.color_palette("deep", 3))
    ax.set_title("three most mirror-like units")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    _panel_label(ax, "C")
    return save_figure(fig, path, title)


def figure_2(result: AnalysisResult, settings: AnalysisConfig, title: str, path: Path) -> Path:
    """(A) the most mirror-like unit's permutation null with its observed r; (B) decoding vs chance."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    unit = int(top_unit_indices(result.units["r_centred"].to_numpy(), 1)[0])
    row = result.units.iloc[unit]
    ax = axes[0]
    sns.histplot(result.permutation.null[:, unit], bins=40, color="0.6", element="step", ax=ax,
                 label="sequence-shuffle null")
    ax.axvline(row["r_centred"], color="C3", lw=2, label=f"observed r = {row['r_centred']:.2f}")
    ax.set(xlabel="time-centred r", ylabel="permutations",
           title=f"unit {unit}: p = {row['p_sequence_null']:.4f}, q = {row['q_sequence_null']:.4f} ({settings.fdr_method.upper()})")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    _panel_label(ax, "A")

    ax = axes[1]
    decoding = result.decoding
    bars = pd.DataFrame(
        {
            "accuracy": [decoding[k] for k in ("within_perform", "within_observe", "perform_to_observe", "observe_to_perform")],
            "decoder": ["perform\n-> perform", "observe\n-> observe", "perform\n-> observe", "observe\n-> perform"],
            "kind": ["within", "within", "cross", "cross"],
        }
    )
    sns.barplot(data=bars, x="decoder", y="accuracy", hue="kind", dodge=False, ax=ax)
    ax.axhline(decoding["chance"], color="0.2", ls="--", lw=1,
               label=f"chance {decoding['chance']:.2f}: always the training folds' most frequent action")
    ax.set(ylim=(0, 1.02), xlabel="trained on -> tested on (held-out sequences)", ylabel="accuracy",
           title="action decoding across conditions")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.42), ncol=3)
    _panel_label(ax, "B")
    return save_figure(fig, path, title)


def figure_3(result: AnalysisResult, activity: MirrorActivity, settings: AnalysisConfig, title: str,
             path: Path) -> Path:
    """(A) peak lags of the most mirror-like units; (B) the strongest anti-mirror unit's trace."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4))
    r = result.units["r_centred"].to_numpy()
    top = top_unit_indices(r, min(settings.top_units, len(r)))
    ax = axes[0]
    counts = pd.Series(result.units["peak_lag"].to_numpy()[top]).value_counts().reindex(result.lags, fill_value=0)
    ax.bar(result.lags, counts.to_numpy(), color="C0")
    ax.set(xlabel="lag of peak cross-correlation (observe trails perform when > 0)", ylabel="units",
           xticks=result.lags, title=f"peak lag of the {len(top)} most mirror-like units")
    _panel_label(ax, "A")

    ax = axes[1]
    anti = int(np.nanargmin(r)) if np.isfinite(r).any() else 0
    _traces(ax, activity, [anti], ["C3"])
    ax.set_title(f"strongest anti-mirror unit: unit {anti}, r = {r[anti]:.2f}")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    _panel_label(ax, "B")
    return save_figure(fig, path, title)


def figure_4(result: AnalysisResult, activity: MirrorActivity, title: str, path: Path) -> Path:
    """(A, B) 2-D PCA of hidden states per mode, coloured by the label (action)."""
    sns.set_theme(style="white", context="notebook")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    for ax, mode, name, letter in zip(axes, ("perform", "observe"), activity.condition_names, "AB"):
        scores, explained, labels = result.embeddings[mode]
        silhouette = result.metrics[silhouette_metric(mode)]
        sns.scatterplot(x=scores[:, 0], y=scores[:, 1], hue=labels, hue_order=sorted(np.unique(labels)),
                        palette="deep", s=6, alpha=0.5, linewidth=0, ax=ax)
        ax.set(xlabel=f"PC1 ({explained[0]:.0%})", ylabel=f"PC2 ({explained[1]:.0%})",
               title=f"{name}: action silhouette {silhouette:.2f}")
        ax.legend(title="action", fontsize=8, markerscale=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _panel_label(ax, letter)
    return save_figure(fig, path, title)


def _skipped(ax: plt.Axes, why: str) -> None:
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes)
    ax.set(xticks=[], yticks=[])


def figure_5(result: AnalysisResult, title: str, path: Path) -> Path:
    """The battery (docs/measures.md 3.4): (A) modulation with its sign per context, (B) the alignment index each way
    and the population correlation against their shuffles, (C) time-resolved cross-context decoding."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    metrics = result.metrics
    ax = axes[0]
    if modulation_metric("perform_facilitated") in metrics:
        shares = pd.DataFrame([{"context": context, "class": kind, "share of units":
                                metrics[modulation_metric(f"{context}_{kind}")]}
                               for context in ("perform", "observe") for kind in ("facilitated", "suppressed")])
        sns.barplot(data=shares, x="context", y="share of units", hue="class", palette=["C2", "C3"], ax=ax)
        ax.set(ylim=(0, 1.02))
    else:
        _skipped(ax, "one step per trial:\nno baseline to modulate against")
    ax.set_title("modulation against baseline (BH FDR)")
    _panel_label(ax, "A")
    ax = axes[1]
    names = [name for name in SUBSPACE if subspace_metric(name) in metrics]
    ax.bar(range(len(names)), [metrics[subspace_metric(name)] for name in names], color="C0", label="measured")
    ax.scatter(range(len(names)), [metrics[subspace_metric(f"{name}_null_mean")] for name in names], color="0.2",
               marker="_", s=600, zorder=3, label="shuffle null (mean)")
    ax.set_xticks(range(len(names)), [name.replace("alignment_", "alignment\n").replace("_", " ") for name in names],
                  fontsize=8)
    ax.set(ylim=(min(0.0, *(metrics[subspace_metric(n)] for n in names)) - 0.05, 1.05),
           title="shared subspace and population correlation")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2)
    _panel_label(ax, "B")
    ax = axes[2]
    curves = result.time_decoding
    if curves:
        bins = np.arange(len(curves["chance"]))
        ax.plot(bins, curves["perform_to_observe"], color="C0", label="trained perform -> tested observe")
        ax.plot(bins, curves["observe_to_perform"], color="C1", label="trained observe -> tested perform")
        ax.plot(bins, curves["chance"], color="0.3", ls="--", label="chance")
        ax.set(ylim=(0, 1.02), xlabel="bin (step)", ylabel="accuracy")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2)
    else:
        _skipped(ax, "one step per trial:\nno time course to decode")
    ax.set_title("time-resolved cross-context decoding")
    _panel_label(ax, "C")
    return save_figure(fig, path, title)


R_AT_INIT_FILE = "r_at_init.npy"
"""The per-unit r at initialisation a run keeps beside its activity: figure 1B's untrained control."""


def draw_figures(result: AnalysisResult, activity: MirrorActivity, r_at_init: np.ndarray, settings: AnalysisConfig,
                 title: str, folder: Path) -> list[Path]:
    """The five figures of one run's shared analysis and battery, into ``folder``."""
    return [
        figure_1(result, activity, r_at_init, settings, title, folder / "figure1_per_unit_r.png"),
        figure_2(result, settings, title, folder / "figure2_permutation_decoding.png"),
        figure_3(result, activity, settings, title, folder / "figure3_lags_anti_mirror.png"),
        figure_4(result, activity, title, folder / "figure4_geometry_pca.png"),
        figure_5(result, title, folder / "figure5_battery.png"),
    ]
