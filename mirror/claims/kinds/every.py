"""``every``: a claim about every network, judged per seed: each seed's metric must reach a value (or exceed another
metric of its own run); the fraction of seeds that do, with its Clopper-Pearson 95 % interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.above import draw_against_value_or_metric, one_of_value_and_metric
from mirror.claims.kinds.base import TestKind, paired
from mirror.claims.statistics import clopper_pearson
from mirror.claims.verdict import FAILS, HOLDS, History, Verdict, needs_two
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class Every(TestKind):
    name = "every"
    legend = ("a claim about every network, judged per seed: each seed's metric must reach a value (or exceed another "
              "metric of its own run); the fraction of seeds that do, with its Clopper-Pearson 95 % interval")
    decided_without_p = "no p: decided seed by seed"

    def check(self, test: ClaimTest) -> str | None:
        return one_of_value_and_metric(test)

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        pairs = paired(claim, chosen)
        keep, n = pairs.kept, int(pairs.kept.sum())
        if n < 2:
            return needs_two(claim, pairs.estimate)
        values, reference = pairs.values[keep], pairs.reference[keep]
        meets = values > reference if claim.test.reference_metric else values >= reference
        k = int(meets.sum())
        low, high = clopper_pearson(k, n)
        relation = "above" if claim.test.reference_metric else "at least"
        missing = sorted(pairs.seeds[keep][~meets].tolist())
        return Verdict(claim, HOLDS if k == n else FAILS, value=k / n, quantity="seeds",
                       measured=f"{k} of {n} seeds ({k / n:.0%}, Clopper-Pearson 95 % [{low:.2f}, {high:.2f}])",
                       test=f"each seed {relation} {pairs.against}: every seed must" +
                            (f"; seeds {', '.join(map(str, missing))} do not" if missing else ""),
                       data=pairs.data)

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        draw_against_value_or_metric(ax, verdict, "claimed bound")
