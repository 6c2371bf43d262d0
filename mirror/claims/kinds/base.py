"""What every test kind declares (:class:`TestKind`), and what several share: a claim's values paired seed by seed
with what they are compared with, the runs of a reference selection, and the figure's seeds-and-mean marks."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from mirror.claims.selection import exact_runs, select
from mirror.claims.verdict import Estimate, History, Verdict, metric_values, number
from mirror.plotting import axis_label, plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class TestKind:
    """A test a claim may name: one module under mirror/claims/kinds/ holds all of it."""

    name: ClassVar[str]
    legend: ClassVar[str]
    """What it computes, as the page's legend says."""
    decided_without_p: ClassVar[str] = ""
    """How a verdict it decides with no p reads on the page ('' when every verdict it gives has a p)."""

    def check(self, test: ClaimTest) -> str | None:
        """What is wrong with a claim file's test of this kind (None: nothing)."""
        return None

    def of_absence(self, test: ClaimTest) -> bool:
        """Whether the claim says an effect is absent (its calibration is then the mirror image)."""
        return False

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        """The verdict from the claim's runs (``chosen``, exactly its planned seeds) and every run of its experiment
        at those seeds (``runs``: a reference may be other runs), its p raw."""
        raise NotImplementedError

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        """The claim's figure: its values against what the test compares them with."""
        raise NotImplementedError

    def y_label(self, claim: Claim) -> str:
        """The figure's y axis: the metric, or 'value' where two measures share it (the x ticks name them)."""
        return "value" if claim.test.reference_metric is not None else axis_label(claim.metric)


@dataclass(frozen=True)
class Pairs:
    """A claim's values and, seed by seed, what they are compared with."""

    seeds: pd.Series
    values: np.ndarray
    reference: np.ndarray
    against: str
    """How the comparison reads on the page."""
    estimate: Estimate
    """The claim's values over seeds."""

    @property
    def kept(self) -> np.ndarray:
        """The seeds where both sides are measured."""
        return ~(np.isnan(self.values) | np.isnan(self.reference))

    @property
    def differences(self) -> np.ndarray:
        return self.values[self.kept] - self.reference[self.kept]

    @property
    def data(self) -> pd.DataFrame:
        """What the claim's figure draws."""
        return pd.DataFrame({"seed": self.seeds, "value": self.values, "reference": self.reference})


def paired(claim: Claim, chosen: pd.DataFrame) -> Pairs:
    """The claim's values and, seed by seed, what they are compared with: another metric of the same run or
    the claim's value."""
    test = claim.test
    values = metric_values(chosen, claim.metric)
    estimate = Estimate.of(values, claim.metric)
    if test.reference_metric is None:
        return Pairs(chosen["seed"], values, np.full_like(values, test.value), number(test.value), estimate)
    reference = metric_values(chosen, test.reference_metric)
    against = f"{test.reference_metric} ({Estimate.of(reference, test.reference_metric).text()}), paired"
    return Pairs(chosen["seed"], values, reference, against, estimate)


def by_seed(runs: pd.DataFrame, metric: str, seeds: pd.Series) -> np.ndarray:
    """``metric`` of ``runs`` (one per seed) in the order of ``seeds``."""
    return runs.set_index("seed")[f"metrics.{metric}"].loc[seeds].to_numpy(np.float64)


def reference_runs(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The claim's runs and the runs it is compared with (its selection with ``test.reference`` applied), each
    with the metric logged; and how the reference reads."""
    label = ", ".join(f"{k}={v}" for k, v in claim.test.reference.items())
    others = select(runs, {**claim.selection, **claim.test.reference})
    others = exact_runs(others.dropna(subset=[f"metrics.{claim.metric}"]), None)
    return chosen.dropna(subset=[f"metrics.{claim.metric}"]), others, label


SEEDS = {"color": "0.45", "s": 14, "alpha": 0.7, "zorder": 2}
"""Per-seed values: grey dots."""
MEAN = {"color": "C3", "marker": "o", "ms": 6, "capsize": 4, "lw": 2, "zorder": 3}
"""Mean over seeds with its 95 % interval: red."""
SEED_OFFSET, MEAN_OFFSET = -0.15, 0.12
"""Seeds to the left of each position, the mean to the right, so that neither hides the other."""


def _jitter(n: int, centre: float) -> np.ndarray:
    return centre + SEED_OFFSET + (np.linspace(-0.05, 0.05, n) if n > 1 else np.zeros(1))


def mean_bar(ax: plt.Axes, x: float, values: pd.Series, metric: str, label: str | None = None) -> None:
    estimate = Estimate.of(values, metric)
    ax.errorbar([x], [estimate.mean], yerr=[[estimate.mean - estimate.low], [estimate.high - estimate.mean]],
                label=label, **MEAN)


def points(ax: plt.Axes, groups: list[tuple[str, pd.Series]], metric: str) -> None:
    """Each group's seeds and its mean with its 95 % interval, side by side."""
    for position, (_, values) in enumerate(groups):
        ax.scatter(_jitter(len(values), position), values, **SEEDS)
        mean_bar(ax, position + MEAN_OFFSET, values, metric, "mean, 95 % CI" if position == 0 else None)
    # Short lines in a small font, words whole: two groups' labels side by side in a small panel must not run into
    # each other.
    ax.set_xticks(range(len(groups)), ["\n".join(textwrap.wrap(name.replace("_", " "), 12, break_long_words=False))
                                       for name, _ in groups], fontsize=8)
    ax.set_xlim(-0.6, len(groups) - 0.4)


def seed_pairs(ax: plt.Axes, data: pd.DataFrame, names: tuple[str, str], metric: str) -> None:
    """Two measures of each seed joined by a line: the claim's value and what it is compared with."""
    for _, row in data.iterrows():
        ax.plot(np.array([0, 1]) + SEED_OFFSET, [row["value"], row["reference"]], color="0.75", lw=0.8, zorder=1)
    points(ax, [(names[0], data["value"]), (names[1], data["reference"])], metric)


def compared_with(claim: Claim) -> tuple[str, str]:
    """The two x labels of a paired figure: two metrics of the same runs, or the runs and the other runs."""
    test = claim.test
    if test.reference_metric is not None:
        return axis_label(claim.metric), axis_label(test.reference_metric)
    return "runs", field_values(test.reference)


def field_values(selection: dict) -> str:
    """A selection of runs as a figure's axis writes it: each field without its path (``trace_rule=previous``)."""
    return ", ".join(f"{name.rsplit('.', 1)[-1]}={value}" for name, value in selection.items())
