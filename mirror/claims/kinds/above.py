"""``above``: a one-sided t-test over seeds that the metric exceeds a value or, paired by seed, another metric."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.base import TestKind, compared_with, paired, points, seed_pairs
from mirror.claims.statistics import one_sided
from mirror.claims.verdict import History, Verdict, needs_two, to_settle
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


def one_of_value_and_metric(test: ClaimTest) -> str | None:
    """A test against a value or, paired by seed, another metric: exactly one of the two."""
    if (test.value is None) == (test.reference_metric is None):
        return f"an {test.kind} test needs exactly one of value and reference_metric"
    return None


def draw_against_value_or_metric(ax: plt.Axes, verdict: Verdict, line: str) -> None:
    """Each seed's value beside its paired metric, or the values against the claim's value drawn as ``line``."""
    claim = verdict.claim
    if claim.test.reference_metric is not None:
        seed_pairs(ax, verdict.data, compared_with(claim), claim.metric)
        return
    ax.axhline(claim.test.value, color="C0", ls="--", label=f"{line} {claim.test.value:g}")
    points(ax, [("runs", verdict.data["value"])], claim.metric)


class Above(TestKind):
    name = "above"
    legend = ("one-sided t-test over seeds that the metric exceeds a value or, paired by seed, another metric; "
              "the opposite one-sided test shown decides 'does not hold'")

    def check(self, test: ClaimTest) -> str | None:
        return one_of_value_and_metric(test)

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        pairs = paired(claim, chosen)
        if pairs.kept.sum() < 2:
            return needs_two(claim, pairs.estimate)
        differences = pairs.differences
        greater, less = one_sided(differences)
        return to_settle(claim, pairs.estimate.text(), f"one-sided t-test, greater than {pairs.against}: "
                                                       f"p = {greater:.2g} (lower: p = {less:.2g})", greater, less,
                         pairs.estimate.mean, abs(differences.mean()), differences.std(ddof=1), data=pairs.data)

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        draw_against_value_or_metric(ax, verdict, "claimed bound")
