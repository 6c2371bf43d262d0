"""``every``: a claim about every network, judged per seed: each seed's metric must reach a value (or exceed another
metric of its own run); the fraction of seeds that do, with its Clopper-Pearson 95 % interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mirror.claims.kinds.above import draw_against_value_or_metric, one_of_value_and_metric
from mirror.claims.kinds.base import Pairs, TestKind, paired
from mirror.claims.statistics import clopper_pearson
from mirror.claims.verdict import FAILS, HOLDS, History, Verdict, needs_two
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


@dataclass(frozen=True)
class SeedCount:
    """How many of a claim's seeds meet it, with the Clopper-Pearson 95 % interval of the share."""

    pairs: Pairs
    meets: np.ndarray
    """Per kept seed: whether it meets the claim."""

    @property
    def k(self) -> int:
        return int(self.meets.sum())

    @property
    def n(self) -> int:
        return len(self.meets)

    @property
    def interval(self) -> tuple[float, float]:
        return clopper_pearson(self.k, self.n)

    def measured(self) -> str:
        low, high = self.interval
        return f"{self.k} of {self.n} seeds ({self.k / self.n:.0%}, Clopper-Pearson 95 % [{low:.2f}, {high:.2f}])"


def relation(claim: Claim) -> str:
    """How a seed must stand to what it is compared with: above another metric, at least a value."""
    return "above" if claim.test.reference_metric else "at least"


def meeting(claim: Claim, values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Whether each seed's value meets the claim: above another metric of its run, or at least the claim's value."""
    return values > reference if claim.test.reference_metric else values >= reference


def count_seeds(claim: Claim, chosen: pd.DataFrame) -> SeedCount:
    """The claim's seeds paired with what they are compared with, and which of them meet it."""
    pairs = paired(claim, chosen)
    keep = pairs.kept
    return SeedCount(pairs, meeting(claim, pairs.values[keep], pairs.reference[keep]))


class Every(TestKind):
    name = "every"
    legend = ("a claim about every network, judged per seed: each seed's metric must reach a value (or exceed another "
              "metric of its own run); the fraction of seeds that do, with its Clopper-Pearson 95 % interval")
    decided_without_p = "no p: decided seed by seed"

    def check(self, test: ClaimTest) -> str | None:
        return one_of_value_and_metric(test)

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        count = count_seeds(claim, chosen)
        pairs = count.pairs
        if count.n < 2:
            return needs_two(claim, pairs.estimate)
        missing = sorted(pairs.seeds[pairs.kept][~count.meets].tolist())
        return Verdict(claim, HOLDS if count.k == count.n else FAILS, value=count.k / count.n, quantity="seeds",
                       measured=count.measured(),
                       test=f"each seed {relation(claim)} {pairs.against}: every seed must" +
                            (f"; seeds {', '.join(map(str, missing))} do not" if missing else ""),
                       data=pairs.data)

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        draw_against_value_or_metric(ax, verdict, "claimed bound")
