"""One small figure per claim, drawn from what its verdict measured: the per-seed values, their
mean with its 95 % interval, and what the claim compares them against."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from mirror.claims.specification import Curve
from mirror.claims.verdicts import Estimate, Verdict
from mirror.plotting import axis_label, plt, save_figure
from mirror.vocabulary import PHASES, R_KINDS, SPECIFICATION_THRESHOLDS, phase_label

SIZE = (3.8, 2.7)
SEEDS = {"color": "0.45", "s": 14, "alpha": 0.7, "zorder": 2}
"""Per-seed values: grey dots."""
MEAN = {"color": "C3", "marker": "o", "ms": 6, "capsize": 4, "lw": 2, "zorder": 3}
"""Mean over seeds with its 95 % interval: red."""
SEED_OFFSET, MEAN_OFFSET = -0.15, 0.12
"""Seeds to the left of each position, the mean to the right, so that neither hides the other."""


def _jitter(n: int, centre: float) -> np.ndarray:
    return centre + SEED_OFFSET + (np.linspace(-0.05, 0.05, n) if n > 1 else np.zeros(1))


def _mean_bar(ax: plt.Axes, x: float, values: pd.Series, metric: str, label: str | None = None) -> None:
    estimate = Estimate.of(values, metric)
    ax.errorbar([x], [estimate.mean], yerr=[[estimate.mean - estimate.low], [estimate.high - estimate.mean]],
                label=label, **MEAN)


def _points(ax: plt.Axes, groups: list[tuple[str, pd.Series]], metric: str) -> None:
    for position, (_, values) in enumerate(groups):
        ax.scatter(_jitter(len(values), position), values, **SEEDS)
        _mean_bar(ax, position + MEAN_OFFSET, values, metric, "mean, 95 % CI" if position == 0 else None)
    ax.set_xticks(range(len(groups)), ["\n".join(textwrap.wrap(name.replace("_", " "), 14)) for name, _ in groups])
    ax.set_xlim(-0.6, len(groups) - 0.4)


def draw(verdict: Verdict, path: Path) -> Path | None:
    """The claim's figure at ``path`` (PNG, and a PDF beside it); None when nothing was measured."""
    data, claim = verdict.data, verdict.claim
    if data.empty:
        return None
    test, metric = claim.test, claim.metric
    fig, ax = plt.subplots(figsize=SIZE)
    if test.kind == "range":
        ax.axhspan(test.low, test.high, color="C0", alpha=0.15, label="claimed range")
        _points(ax, [("runs", data["value"])], metric)
    elif test.kind in ("above", "equivalent", "every"):
        if "reference" in data and test.value is None:  # another metric of the same runs, or the same of other runs
            for _, row in data.iterrows():
                ax.plot(np.array([0, 1]) + SEED_OFFSET, [row["value"], row["reference"]], color="0.75", lw=0.8,
                        zorder=1)
            other = (axis_label(test.reference_metric) if test.reference_metric is not None else
                     ", ".join(f"{k}={v}" for k, v in test.reference.items()))
            names = (axis_label(metric), other) if test.reference_metric is not None else ("runs", other)
            _points(ax, [(names[0], data["value"]), (names[1], data["reference"])], metric)
        else:
            if test.kind == "equivalent":
                ax.axhspan(test.value - test.margin, test.value + test.margin, color="C0", alpha=0.15,
                           label=f"{test.value:g} +- margin")
            else:
                ax.axhline(test.value, color="C0", ls="--", label=f"claimed bound {test.value:g}")
            _points(ax, [("runs", data["value"])], metric)
    elif test.kind == "lower_than":
        groups = list(dict.fromkeys(data["group"]))
        _points(ax, [(group, data.loc[data["group"] == group, "value"]) for group in groups], metric)
    elif test.kind == "trend":
        ax.scatter(data["factor"], data["value"], **SEEDS)
        levels = sorted(data["factor"].unique())
        estimates = [Estimate.of(data.loc[data["factor"] == level, "value"], metric) for level in levels]
        ax.errorbar(levels, [e.mean for e in estimates],
                    yerr=[[e.mean - e.low for e in estimates], [e.high - e.mean for e in estimates]],
                    label="mean, 95 % CI", **{**MEAN, "ms": 4})
        ax.set_xlabel(test.factor)
    elif test.kind == "reversal":
        for _, seed in data.groupby("seed"):
            ax.plot(np.arange(len(PHASES)) + SEED_OFFSET, seed.set_index("phase").loc[list(PHASES), "value"],
                    color="0.75", lw=0.8)
        _points(ax, [(phase_label(phase).replace("-", "-\n"), data.loc[data["phase"] == phase, "value"]) for phase in PHASES], metric)
        ax.set_xlabel("end of training phase")
    two_measures = test.kind in ("above", "equivalent", "every") and test.reference_metric is not None
    ax.set_ylabel("value" if two_measures else axis_label(metric))  # a pair's two measures name its x ticks
    ax.set_title(f"{claim.id}: {verdict.verdict}", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # off the data
    return save_figure(fig, path)



VERDICT_COLOURS = {"holds": "#1a7f37", "does not hold": "#cf222e", "inconclusive": "#9a6700"}
"""A specification's dot, by its own verdict (the page's colours)."""


def draw_curve(curve: Curve, title: str, path: Path) -> Path:
    """The specification curve at ``path``: each specification's mean with its 95 % interval, ranked, coloured by its
    verdict; under it, the dashboard of the choices each one made (its condition, centred or raw r, threshold)."""
    specifications = sorted(curve.specifications, key=lambda s: s.verdict.value)
    columns = list(dict.fromkeys(s.column for s in curve.specifications))
    rows = [*columns, *R_KINDS, *(f"threshold {t:g}" for t in SPECIFICATION_THRESHOLDS)]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(4.5, 0.06 * len(specifications) + 3), 2.2 + 0.16 * len(rows)),
                                      sharex=True, gridspec_kw={"height_ratios": [2.2, 0.16 * len(rows)]})
    for x, specification in enumerate(specifications):
        estimate = Estimate.of(specification.verdict.data["value"], specification.verdict.claim.metric)
        colour = VERDICT_COLOURS.get(specification.verdict.verdict, "0.5")
        top.errorbar([x], [estimate.mean], yerr=[[estimate.mean - estimate.low], [estimate.high - estimate.mean]],
                     color=colour, marker="o", ms=3, lw=1, capsize=0)
        chosen = [columns.index(specification.column), len(columns) + R_KINDS.index(specification.kind),
                  len(columns) + len(R_KINDS) + SPECIFICATION_THRESHOLDS.index(specification.threshold)]
        bottom.scatter([x] * len(chosen), chosen, color=colour, s=8)
    top.set_ylabel(axis_label(specifications[0].verdict.claim.metric.rsplit("/", 2)[-2]))
    top.set_title(title, fontsize=9)
    for verdict, colour in VERDICT_COLOURS.items():
        top.scatter([], [], color=colour, s=12, label=verdict)
    top.legend(fontsize=7, loc="upper left", frameon=False)
    bottom.set_yticks(range(len(rows)), rows, fontsize=6)
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.set_xlabel("specifications, ranked by their mean")
    bottom.set_xticks([])
    return save_figure(fig, path)
