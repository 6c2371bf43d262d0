"""Markdown for the report: summary tables and the tests that were run, stated."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mirror.config import HEADLINE_METRICS
from mirror.report.runs import DESIGN_METRICS
from mirror.intervals import CONFIDENCE


def short(column: str) -> str:
    """'params.model.hidden_size' -> 'model.hidden_size'; 'metrics.x/y' -> 'x/y'."""
    return column.removeprefix("params.").removeprefix("metrics.")


_LABELS = {**HEADLINE_METRICS, **DESIGN_METRICS}


def label(metric: str) -> str:
    return _LABELS.get(short(metric), short(metric))


def condition_names(summary: pd.DataFrame, conditions: list[str]) -> pd.Series:
    """'shared_gru, max_epochs=20': one readable column header per condition."""
    def name(row: pd.Series) -> str:
        parts = [str(row["model"])] + [f"{short(c).rsplit('.', 1)[-1]}={row[c]}" for c in conditions if c != "model"]
        return ", ".join(parts)

    return summary.apply(name, axis=1)


def mean_and_spread(mean: float, half_width: float) -> str:
    """'47.3 ± 14.1': the half-width to three significant digits, the mean to as many decimals."""
    if not np.isfinite(half_width) or half_width == 0:
        return f"{mean:.3g}"
    decimals = min(6, max(0, 2 - math.floor(math.log10(abs(half_width)))))
    return f"{mean:.{decimals}f} ± {half_width:.{decimals}f}"


def _cell(row: pd.Series) -> str:
    if pd.isna(row["ci_low"]):
        return f"{row['mean']:.3g} (n={row['n']})"
    if row["interval"] == "bootstrap":  # not symmetric: the interval itself, marked
        return f"{row['mean']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]†"
    return mean_and_spread(row["mean"], (row["ci_high"] - row["ci_low"]) / 2)


def markdown_table(frame: pd.DataFrame, float_format: str = ".3g") -> str:
    """A GitHub Markdown table (no extra dependency)."""
    def text(value: object) -> str:
        shown = format(value, float_format) if isinstance(value, float) else str(value)
        return shown.replace("|", "\\|")  # a bar inside a cell (|r|) would end the cell

    header = "| " + " | ".join(text(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(text(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def summary_table(summary: pd.DataFrame, conditions: list[str], metrics: list[str]) -> str:
    """Metrics as rows, conditions as columns, cells 'mean ± half-width of the 95% CI'."""
    summary = summary.assign(condition=condition_names(summary, conditions), cell=summary.apply(_cell, axis=1))
    order = list(dict.fromkeys(summary["condition"]))
    wide = summary.pivot(index="metric", columns="condition", values="cell").reindex(columns=order)
    wide = wide.reindex([m for m in metrics if m in wide.index]).fillna("–")
    n = summary.groupby("condition", sort=False)["n"].max().reindex(order)
    wide.loc["n (seeds)"] = n.astype(str)
    wide = wide.reindex(["n (seeds)", *wide.index.drop("n (seeds)")])
    wide.index = [label(m) if m != "n (seeds)" else m for m in wide.index]
    return markdown_table(wide.rename_axis("metric").reset_index())


def tests_section(comparisons: pd.DataFrame, trends: pd.DataFrame, reference: str, n_models: int) -> str:
    """The tests that were run, what they assume, and their results."""
    lines = ["## Between-model tests", ""]
    if comparisons.empty:
        reason = "only one model in these runs" if n_models < 2 else f"no model shares conditions with {reference}"
        lines += [f"None run: {reason}.", ""]
    else:
        lines += [
            f"Each model against **{reference}** at every level of the other swept factors, per metric. "
            "Runs with the same seed share data and (same architecture) initial weights, so the test is a "
            "two-sided **paired t-test over seeds** when at least two seeds are common, otherwise **Welch's "
            "t-test**. Metrics identical in every seed (the same untrained network under two names) are "
            "not tested. `q_bh`: Benjamini-Hochberg adjusted over every comparison in this table. "
            "`difference` = model mean − reference mean.",
            "",
            markdown_table(comparisons.assign(metric=comparisons["metric"].map(label)).rename(columns=short)),
            "",
        ]
    if not trends.empty:
        lines += [
            "## Trends",
            "",
            "Spearman rank correlation of each metric with each numeric swept factor, per model and per "
            "level of the other swept factors (`held`), over the seeds' runs; two-sided p, not adjusted.",
            "",
            markdown_table(trends.assign(metric=trends["metric"].map(label), factor=trends["factor"].map(short))),
            "",
        ]
    return "\n".join(lines)


def report_markdown(
    name: str, source: str, n_runs: int, conditions: list[str], table: str, tests: str, figures: list[str]
) -> str:
    factor_text = ", ".join(short(c) for c in conditions)
    return "\n".join([
        f"# Report: {name}",
        "",
        f"{n_runs} finished run{'' if n_runs == 1 else 's'} from {source}; conditions: {factor_text}. "
        f"Cells: mean ± half-width of the {CONFIDENCE:.0%} Student-t interval over seeds; † marks a "
        "proportion whose t-interval would leave [0, 1], given instead as its 95 % percentile bootstrap "
        "interval [low, high] (scipy.stats.bootstrap, 9,999 resamples).",
        "",
        table,
        "",
        tests,
        "## Figures",
        "",
        *[f"![{figure}]({figure})" for figure in figures],
        "",
    ])
