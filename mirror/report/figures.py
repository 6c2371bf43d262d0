"""Report figures: metrics against a swept value with 95% bands, against a logged property of the
design, across seeds, and per-unit r distributions per model (docs/measures.md figure 3)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from mirror.plotting import axis_label, legend_under_panels, plt, save_figure
from mirror.intervals import interval
from mirror.report.tables import label, short

PANEL = 3.6
"""Inches per panel side."""


def _grid(n: int, columns: int = 3) -> tuple[plt.Figure, list[plt.Axes]]:
    columns = min(columns, n)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(PANEL * columns + 1, PANEL * rows), squeeze=False)
    axes = list(axes.ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def in_order(values: pd.Series) -> list:
    """The distinct values, numbers inside labels read as numbers: 'lag=2' before 'lag=10', 'hidden_size=8'
    before 'hidden_size=16' (the labels join swept values as text, which would sort 'lag=10' after 'lag=1')."""
    def key(value: object) -> list:
        parts = re.split(r"(\d+(?:\.\d+)?(?:e-?\d+)?)", str(value))
        return [float(part) if odd else part for odd, part in zip([0, 1] * len(parts), parts)]

    return sorted(values.dropna().unique(), key=key)


def _one_legend(fig: plt.Figure, ax: plt.Axes) -> None:
    """The legend seaborn drew on the first panel, moved under every panel."""
    legend = ax.get_legend()
    legend_under_panels(fig, legend.legend_handles, [t.get_text() for t in legend.get_texts()],
                        title=legend.get_title().get_text() or None)
    legend.remove()


def _name_panel(ax: plt.Axes, metric: str, xlabel: str) -> None:
    """The metric's label as the panel's title, wrapped to the panel's width; its logged name on the y axis, so a
    panel cut out of the figure still says what it plots."""
    ax.set(xlabel=xlabel, ylabel=axis_label(metric))
    ax.set_title("\n".join(textwrap.wrap(label(metric), 36)), fontsize=10)


def _is_log_spaced(values: pd.Series) -> bool:
    values = values.dropna()
    return bool((values > 0).all() and values.max() / values.min() >= 16)


def metrics_against(runs: pd.DataFrame, factor: str, metrics: list[str], hue: str | None, path: Path) -> Path:
    """Each metric against a numeric swept value: mean over seeds with its 95% t-band."""
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics):
        sns.lineplot(data=runs, x=factor, y=metric, hue=hue, marker="o", errorbar=_interval_of(metric), ax=ax,
                     legend=ax is axes[0] and hue is not None)
        if _is_log_spaced(runs[factor]):
            ax.set_xscale("log", base=2)
        _name_panel(ax, metric, short(factor))
    if hue is not None:
        _one_legend(fig, axes[0])
    return save_figure(fig, path, title=f"Metrics against {short(factor)} (mean, 95% CI over seeds, as in the tables)")


def design_cells(runs: pd.DataFrame, design: str, metrics: list[str], factors: list[str]) -> pd.DataFrame:
    """One row per condition (every level of ``factors``) and metric: the design property's mean over the
    condition's seeds (x), the metric's mean (y) and its 95 % interval (low, high) as the tables give it."""
    cells = []
    for key, group in runs.groupby(factors, dropna=False):
        for metric in metrics:
            values = group[metric].dropna().to_numpy(np.float64)
            if values.size:
                low, high, _ = interval(metric, values)
                cells.append({**dict(zip(factors, key if isinstance(key, tuple) else (key,))), "metric": metric,
                              "x": group[design].mean(), "y": values.mean(), "low": low, "high": high})
    return pd.DataFrame(cells)


def metrics_against_design(runs: pd.DataFrame, design: str, metrics: list[str], factors: list[str],
                           path: Path) -> Path:
    """Each metric against a logged property of the design (e.g. the programmed Delta P): one point per
    condition, at the mean of both over its seeds, with the metric's 95 % interval; one row of panels per
    level of the first categorical factor, lines through the levels of the numeric ones."""
    categorical = sorted((f for f in factors if not (pd.api.types.is_numeric_dtype(runs[f]) and runs[f].nunique() >= 3)),
                         key=lambda f: not short(f).startswith("model"))  # the model's variants as rows
    rows, (hue, style) = categorical[:1], (categorical[1:] + [None, None])[:2]
    if len(categorical) > 3:  # more than a colour and a dash can tell apart: join the rest into the colour
        runs = runs.assign(**{categorical[1]: runs[categorical[1:]].astype(str).agg(", ".join, axis=1)})
        style = None
    cells = design_cells(runs, design, metrics, factors)
    readable = {f: short(f).rsplit(".", 1)[-1] for f in factors}
    cells = cells.rename(columns=readable)
    rows, hue, style = [readable[f] for f in rows], readable.get(hue), readable.get(style)
    row_levels = in_order(cells[rows[0]]) if rows else [None]
    height = PANEL * 0.8 * len(row_levels) + 1.2
    fig, axes = plt.subplots(len(row_levels), len(metrics), squeeze=False, sharex=True,
                             figsize=(PANEL * len(metrics) + 1, height))
    for r, level in enumerate(row_levels):
        shown = cells if level is None else cells[cells[rows[0]] == level]
        for c, metric in enumerate(metrics):
            ax, panel = axes[r, c], shown[shown["metric"] == metric].sort_values("x")
            sns.lineplot(data=panel, x="x", y="y", hue=hue, style=style, marker="o", sort=False, estimator=None, ax=ax,
                         legend=r == c == 0 and (hue or style) is not None)
            ax.vlines(panel["x"], panel["low"], panel["high"], color="0.5", linewidth=0.8)
            name = "\n".join(textwrap.wrap(label(metric), 32))
            ax.set(xlabel=label(design) if r == len(row_levels) - 1 else "", title=name if r == 0 else "",
                   ylabel=(f"{rows[0]}={level}\n" if level is not None else "")
                   + ("" if c else "mean over seeds"))
    if (hue or style) is not None:
        _one_legend(fig, axes[0, 0])
    return save_figure(fig, path, title=f"Metrics against {label(design)} (a point per condition: means over seeds, "
                       "bars: 95% CI of the metric)")


def _interval_of(metric: str):
    """The report's interval for one metric (t, or bootstrap for a proportion the t-interval
    would take outside [0, 1]), in the form seaborn's ``errorbar`` takes."""
    return lambda values: interval(metric, np.asarray(values, dtype=np.float64))[:2]


def across_seeds(runs: pd.DataFrame, x: str, hue: str | None, metrics: list[str], path: Path,
                 xlabel: str = "model") -> Path:
    """Each seed as a point, with the mean and its 95% interval: the spread a mean hides."""
    fig, axes = _grid(len(metrics))
    order = in_order(runs[x])
    hue_order = in_order(runs[hue]) if hue else None
    for ax, metric in zip(axes, metrics):
        common = dict(data=runs, x=x, y=metric, hue=hue, order=order, hue_order=hue_order, ax=ax)
        sns.stripplot(**common, dodge=hue is not None, alpha=0.6, legend=False)
        sns.pointplot(**common, dodge=0.4 if hue else False, errorbar=_interval_of(metric), linestyle="none", marker="_",
                      markersize=14, color="black" if hue is None else None, legend=ax is axes[0] and hue is not None)
        _name_panel(ax, metric, xlabel)
        ax.tick_params(axis="x", rotation=30)
    if hue is not None:
        _one_legend(fig, axes[0])
    return save_figure(fig, path, title="Across seeds (points: seeds; bars: mean and 95% CI, t or, for a proportion\n"
                       "the t-interval would take outside [0, 1], percentile bootstrap)")


def r_distributions(units: pd.DataFrame, x: str, hue: str | None, thresholds: dict[str, float], path: Path) -> Path:
    """Per-unit r pooled over seeds, per model (and swept value): docs/measures.md figure 3. One row per
    model, the swept conditions side by side and named on the axis, so many conditions stay readable."""
    groups = in_order(units[x])
    conditions = in_order(units[hue]) if hue else [None]
    fig, axes = plt.subplots(len(groups), 1, figsize=(min(16.0, max(6.0, 1.0 * len(conditions) + 2)),
                                                      2.8 * len(groups) + (1.2 if hue else 0)),
                             squeeze=False, sharey=True)
    for ax, group in zip(axes[:, 0], groups):
        shown = units[units[x] == group]
        sns.violinplot(data=shown, x=hue or x, y="r", order=conditions if hue else [group], cut=0,
                       density_norm="width", inner="quartile", color="tab:blue", ax=ax)
        ax.axhline(0.0, color="grey", linewidth=0.8)
        for (name, value), style in zip(thresholds.items(), ("--", ":")):
            ax.axhline(value, color="tab:red", linestyle=style, linewidth=0.8, label=f"{name} threshold {value:g}")
        if thresholds and ax is axes[0, 0]:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set(xlabel=("condition" if hue else "model") if ax is axes[-1, 0] else "", ylabel=f"{group}\nper-unit r",
               ylim=(-1.05, 1.05))
        ax.tick_params(axis="x", rotation=30 if hue else 0, labelsize=8, labelbottom=ax is axes[-1, 0])
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right" if hue else "center")
    return save_figure(fig, path, title="Per-unit r, all units of all seeds, with the analysis's thresholds")
