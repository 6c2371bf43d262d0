"""``share``: a claim about most networks, judged per seed: each seed's metric must reach a value (or exceed another
metric of its own run) in at least a stated share of seeds ("in at least 80 % of networks"); the exact binomial test
of that share, so that a handful of seeds that all meet it cannot hold a claim about a population of networks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from scipy import stats

from mirror.claims.kinds.above import one_of_value_and_metric
from mirror.claims.kinds.base import TestKind
from mirror.claims.kinds.every import count_seeds, meeting, relation
from mirror.claims.statistics import clopper_pearson
from mirror.claims.verdict import ALPHA, INCONCLUSIVE, History, Verdict, needs_two
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


def seeds_all_meeting(share: float, alpha: float = ALPHA) -> int:
    """The fewest seeds that, all meeting the claim, reject 'no more than ``share`` of networks' at ``alpha``."""
    return math.floor(math.log(alpha) / math.log(share)) + 1


def further_seeds(k: int, n: int, share: float, alpha: float = ALPHA, most: int = 1000) -> str:
    """How many more seeds, every one meeting the claim, would show it at ``alpha`` (before adjustment)."""
    for more in range(most + 1):
        if stats.binomtest(k + more, n + more, share, alternative="greater").pvalue < alpha:
            return f"{more} more seeds, every one meeting it, would show it (before adjustment)"
    return f"no {most} more seeds would show it"


class Share(TestKind):
    name = "share"
    legend = ("a claim about most networks, judged per seed: the share of seeds whose metric reaches a value (or "
              "exceeds another metric of its own run), with its Clopper-Pearson 95 % interval, tested against the "
              "claimed share by the exact binomial test (one-sided, both ways)")

    def check(self, test: ClaimTest) -> str | None:
        if test.share is None or not 0 < test.share < 1:
            return f"a share test needs share, a fraction strictly between 0 and 1, got {test.share!r}"
        return one_of_value_and_metric(test)

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        count = count_seeds(claim, chosen)
        if count.n < 2:
            return needs_two(claim, count.pairs.estimate)
        k, n, share = count.k, count.n, claim.test.share
        return Verdict(claim, INCONCLUSIVE, value=k / n, quantity="seeds", measured=count.measured(),
                       test=f"each seed {relation(claim)} {count.pairs.against}, in more than {share:.0%} of networks "
                            f"(exact binomial; {seeds_all_meeting(share)} seeds, all meeting it, are the fewest "
                            f"that could show it)",
                       p=float(stats.binomtest(k, n, share, alternative="greater").pvalue),
                       p_against=float(stats.binomtest(k, n, share, alternative="less").pvalue),
                       to_decide=further_seeds(k, n, share),
                       data=count.pairs.data)

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        """The share of seeds that meet the claim with its Clopper-Pearson interval, against the claimed share."""
        data = verdict.data.dropna(subset=["value", "reference"])
        meets = meeting(verdict.claim, data["value"].to_numpy(), data["reference"].to_numpy())
        k, n = int(meets.sum()), len(data)
        low, high = clopper_pearson(k, n)
        ax.axhline(verdict.claim.test.share, color="C0", ls="--", label=f"claimed share {verdict.claim.test.share:.0%}")
        ax.errorbar([0], [k / n], yerr=[[k / n - low], [high - k / n]], fmt="o", color="C3", capsize=4,
                    label="share of seeds, Clopper-Pearson 95 %")
        ax.set_xticks([0], [f"{k} of {n} seeds"])
        ax.set_xlim(-1, 1)
        ax.set_ylim(0, 1.05)

    def y_label(self, claim: Claim) -> str:
        return "share of seeds meeting it"
