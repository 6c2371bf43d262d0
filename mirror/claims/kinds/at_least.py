"""``at_least``: a claim that something reaches a level, non-inferiority: one one-sided test that the mean is above
a value, another metric of the same runs, or the same metric of other runs of the same seeds (a repaired system
against normal development), less a stated margin. Reaching beyond the level is reaching it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.base import Pairs
from mirror.claims.kinds.equivalent import Equivalent
from mirror.claims.statistics import one_sided
from mirror.claims.verdict import Estimate, Verdict, number, to_settle

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class AtLeast(Equivalent):
    name = "at_least"
    legend = ("a claim of reaching a level (non-inferiority): a one-sided test that the mean is above a value or, "
              "paired by seed, another metric or the same metric of other runs, less the claim's margin")

    def check(self, test: ClaimTest) -> str | None:
        problem = super().check(test)
        return problem and problem.replace("an equivalent test", "an at_least test")

    def of_absence(self, test: ClaimTest) -> bool:
        return False

    @staticmethod
    def _test(claim: Claim, pairs: Pairs, runs: pd.DataFrame | None = None) -> Verdict:
        """One one-sided test of paired differences against minus the claim's margin."""
        margin = claim.test.margin
        p_reaches, p_short = one_sided(pairs.differences, -margin)
        difference = Estimate.of(pairs.differences, "difference")
        return to_settle(claim, f"{pairs.estimate.text()}; difference {difference.text()}",
                         f"one-sided test, above {pairs.against} less {number(margin)} (the claim's margin): "
                         f"p = {p_reaches:.2g}; short of it: p = {p_short:.2g}", p_reaches, p_short,
                         pairs.estimate.mean, difference.mean + margin, difference.sd, data=pairs.data,
                         **({} if runs is None else {"runs": runs}))
