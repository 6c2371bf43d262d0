"""A sweep's result at a glance: each headline metric's mean and 95 % interval over seeds (the reports' interval),
per condition (the swept values other than the seed), for the parent run's metrics and description and the console."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mirror.config import HEADLINE_METRICS
from mirror.intervals import interval
from mirror.tracking.tags import OVERRIDES_TAG

if TYPE_CHECKING:
    from mlflow.entities import Run

SUMMARY_PREFIX = "summary/"
CONSOLE_METRICS = 6
"""Headline metrics the console shows per condition (the description and the parent's metrics hold them all)."""


@dataclass(frozen=True)
class MetricSummary:
    name: str
    n: int
    mean: float
    low: float
    high: float

    def text(self) -> str:
        interval = "" if math.isnan(self.low) else f" [{self.low:.3g}, {self.high:.3g}]"
        return f"{self.mean:.3g}{interval}"


@dataclass(frozen=True)
class ConditionSummary:
    condition: str
    """The swept values besides the seed ('' when the seed is all a sweep varies)."""
    n_runs: int
    metrics: list[MetricSummary]


def condition_of(run: Run, swept: Sequence[str]) -> str:
    """A job run's values of the swept keys other than the seed, as its overrides give them."""
    overrides = run.data.tags.get(OVERRIDES_TAG, "").split()
    return " ".join(o for o in overrides if o.partition("=")[0] in swept and o.partition("=")[0] != "seed")


def across_seeds(runs: Sequence[Run], swept: Sequence[str]) -> list[ConditionSummary]:
    """Every headline metric the runs logged, summarised over the runs of each condition of the ``swept`` keys."""
    groups: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        groups[condition_of(run, swept)].append(run)
    summaries = []
    for condition, members in sorted(groups.items()):
        metrics = []
        for name in HEADLINE_METRICS:
            values = np.array([run.data.metrics[name] for run in members if name in run.data.metrics])
            if values.size:
                metrics.append(MetricSummary(name, int(values.size), float(values.mean()), *interval(name, values)[:2]))
        summaries.append(ConditionSummary(condition, len(members), metrics))
    return summaries


def parent_metrics(summaries: Sequence[ConditionSummary]) -> dict[str, float]:
    """The parent run's summary metrics: ``summary/<metric>/{mean,ci_low,ci_high}`` when the sweep has one
    condition (metric names cannot carry a condition's '='); the description holds every condition's."""
    if len(summaries) != 1:
        return {f"{SUMMARY_PREFIX}n_conditions": float(len(summaries))}
    (only,) = summaries
    metrics = {f"{SUMMARY_PREFIX}n_runs": float(only.n_runs)}
    for metric in only.metrics:
        for part, value in (("mean", metric.mean), ("ci_low", metric.low), ("ci_high", metric.high)):
            if not math.isnan(value):
                metrics[f"{SUMMARY_PREFIX}{metric.name}/{part}"] = value
    return metrics


DESCRIPTION_LIMIT = 8000
"""MLflow cuts a tag's value at 8,000 characters: the description stays within it, whole rows only."""


def description(summaries: Sequence[ConditionSummary], status: str, report_command: str) -> str:
    """The parent run's description (Markdown): how it ended, a table of conditions by the first headline metrics,
    the report's command; conditions past MLflow's length limit are counted, not cut mid-row."""
    shown = list(dict.fromkeys(m.name for summary in summaries for m in summary.metrics))[:CONSOLE_METRICS]
    head = [f"**Sweep {status}.** Mean [95 % interval: Student-t, or the percentile bootstrap for a proportion whose "
            f"t-interval would leave [0, 1]] over seeds, per condition, of the first {len(shown)} headline metrics "
            "(every one is in the report).", "",
            "| condition | runs | " + " | ".join(f"{HEADLINE_METRICS[name]} (`{name}`)" for name in shown) + " |",
            "|---" * (len(shown) + 2) + "|"]
    tail = ["", f"Tables, tests and figures: `{report_command}`"]
    rows = []
    for summary in summaries:
        values = {m.name: m.text() for m in summary.metrics}
        rows.append(f"| {summary.condition or 'all runs'} | {summary.n_runs} | "
                    + " | ".join(values.get(name, "-") for name in shown) + " |")
    kept = len(rows)
    while kept and len("\n".join(head + rows[:kept] + ["", "(and 99999 more conditions)"] + tail)) > DESCRIPTION_LIMIT:
        kept -= 1
    more = ["", f"(and {len(rows) - kept} more conditions)"] if kept < len(rows) else []
    return "\n".join(head + rows[:kept] + more + tail)


def console_lines(summaries: Sequence[ConditionSummary]) -> list[str]:
    """A few lines per condition: its first headline metrics, mean [interval]."""
    lines = []
    for summary in summaries:
        shown = "; ".join(f"{HEADLINE_METRICS[m.name]} {m.text()}" for m in summary.metrics[:CONSOLE_METRICS])
        lines.append(f"  {summary.condition or 'all runs'} ({summary.n_runs} runs): {shown}")
    return lines
