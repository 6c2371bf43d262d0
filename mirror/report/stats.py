"""Across-seed statistics: means with 95% t-intervals, between-model tests, trends."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mirror.analysis.permutation import fdr_adjust
from mirror.intervals import interval


def summarise(runs: pd.DataFrame, conditions: list[str], metrics: list[str]) -> pd.DataFrame:
    """One row per condition and metric: n, mean, sd, and the 95% interval of the mean (t, or
    bootstrap for a proportion whose t-interval leaves [0, 1]; column ``interval``)."""
    rows = []
    for key, group in runs.groupby(conditions, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            values = group[metric].dropna().to_numpy(np.float64)
            if values.size == 0:
                continue
            low, high, method = interval(metric, values)
            rows.append({
                **dict(zip(conditions, key)), "metric": metric, "n": values.size, "mean": values.mean(),
                "sd": values.std(ddof=1) if values.size > 1 else float("nan"), "ci_low": low, "ci_high": high,
                "interval": method,
            })
    return pd.DataFrame(rows, columns=[*conditions, "metric", "n", "mean", "sd", "ci_low", "ci_high", "interval"])


def compare_models(
    runs: pd.DataFrame, factors: list[str], metrics: list[str], reference: str
) -> pd.DataFrame:
    """Each model against ``reference`` at every level of the other factors, per metric.

    Runs of two models with the same seeds share data and (for the same architecture)
    initial weights, so the test is paired by seed (paired t-test) when at least two seeds
    are common; otherwise Welch's unequal-variance t-test. Pairs identical in every seed
    (the same untrained network under two names) are not tested. p-values are adjusted
    with Benjamini-Hochberg across every comparison in the table.
    """
    rows = []
    levels = runs.groupby(factors, sort=True, dropna=False) if factors else [((), runs)]
    for level, group in levels:
        level = level if isinstance(level, tuple) else (level,)
        base = group[group["model"] == reference].set_index("seed")
        for model in sorted(set(group["model"]) - {reference}):
            other = group[group["model"] == model].set_index("seed")
            common = base.index.intersection(other.index)
            for metric in metrics:
                if metric not in group:
                    continue
                if len(common) >= 2:
                    a, b = other.loc[common, metric], base.loc[common, metric]
                    if np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True):
                        continue  # identical by construction (e.g. the same untrained network)
                    test, result = "paired t", stats.ttest_rel(a, b, nan_policy="omit")
                else:
                    a, b = other[metric].dropna(), base[metric].dropna()
                    if len(a) < 2 or len(b) < 2:
                        continue
                    test, result = "Welch t", stats.ttest_ind(a, b, equal_var=False)
                rows.append({
                    **dict(zip(factors, level)), "metric": metric, "model": model, "reference": reference,
                    "test": test, "n": len(common) if test == "paired t" else f"{len(a)}/{len(b)}",
                    "difference": float(np.nanmean(a) - np.nanmean(b)),
                    "statistic": float(result.statistic), "p": float(result.pvalue),
                })
    table = pd.DataFrame(rows, columns=[*factors, "metric", "model", "reference", "test", "n", "difference",
                                        "statistic", "p", "q_bh"])
    if table.empty:
        return table  # written with its header: no test applied
    p = table["p"].to_numpy(np.float64)
    defined = ~np.isnan(p)
    table["q_bh"] = np.nan
    table.loc[defined, "q_bh"] = fdr_adjust(p[defined], "bh")
    return table


def trend_tests(runs: pd.DataFrame, factors: list[str], metrics: list[str]) -> pd.DataFrame:
    """Spearman rank correlation of each metric with each numeric factor, per model and per level
    of the other swept factors (a trend pooled over, say, two learning rules says nothing of either)."""
    rows = []
    for factor in (f for f in factors if pd.api.types.is_numeric_dtype(runs[f])):
        others = [f for f in factors if f != factor]
        for keys, group in runs.groupby(["model", *others], sort=True):
            if group[factor].nunique() < 3:
                continue
            keys = keys if isinstance(keys, tuple) else (keys,)
            held = ", ".join(f"{name.rsplit('.', 1)[-1]}={value}" for name, value in zip(others, keys[1:]))
            for metric in (m for m in metrics if m in group):
                pairs = group[[factor, metric]].dropna()
                if pairs[metric].nunique() < 2:
                    continue
                result = stats.spearmanr(pairs[factor], pairs[metric])
                rows.append({
                    "model": keys[0], "held": held, "factor": factor, "metric": metric, "n": len(pairs),
                    "spearman_rho": float(result.statistic), "p": float(result.pvalue),
                })
    return pd.DataFrame(rows, columns=["model", "held", "factor", "metric", "n", "spearman_rho", "p"])
