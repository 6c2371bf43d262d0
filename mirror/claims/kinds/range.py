"""``range``: the 95 % interval of the mean over seeds against a claimed range."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.base import TestKind, points
from mirror.claims.verdict import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    Estimate,
    History,
    Verdict,
    decide_with,
    metric_values,
    needs_two,
    number,
)
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class Range(TestKind):
    name = "range"
    legend = ("the 95 % t-interval of the mean over seeds against the claimed range [low, high] widened by the "
              "claim's tolerance: inside holds, wholly outside does not hold, overlapping is inconclusive")
    decided_without_p = "no p: decided by its interval"

    def check(self, test: ClaimTest) -> str | None:
        if test.low is None or test.high is None or test.low > test.high:
            return "a range test needs low <= high"
        if test.tolerance is None or test.tolerance < 0:
            return "a range test needs tolerance >= 0, how far beyond the range still counts as inside"
        return None

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        test = claim.test
        values = metric_values(chosen, claim.metric)
        estimate = Estimate.of(values, claim.metric)
        if estimate.n < 2:
            return needs_two(claim, estimate)
        low, high = test.low - test.tolerance, test.high + test.tolerance
        inside = estimate.low >= low and estimate.high <= high
        outside = estimate.high < low or estimate.low > high
        verdict = HOLDS if inside else FAILS if outside else INCONCLUSIVE
        where = "lies inside" if inside else "lies outside" if outside else "overlaps both inside and outside"
        widened = f" (widened by the tolerance {number(test.tolerance)})" if test.tolerance else ""
        distance = (min(estimate.mean - low, high - estimate.mean) if low <= estimate.mean <= high
                    else max(low - estimate.mean, estimate.mean - high))
        return Verdict(claim, verdict, measured=estimate.text(), value=estimate.mean,
                       test=f"interval {where} the claimed [{number(test.low)}, {number(test.high)}]{widened}",
                       to_decide=decide_with(distance, estimate.sd, True) if verdict == INCONCLUSIVE else "",
                       data=pd.DataFrame({"seed": chosen["seed"], "value": values}))

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        test = verdict.claim.test
        ax.axhspan(test.low, test.high, color="C0", alpha=0.15, label="claimed range")
        points(ax, [("runs", verdict.data["value"])], verdict.claim.metric)
