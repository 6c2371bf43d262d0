"""``equivalent``: a claim of absence, two one-sided tests (TOST) that the mean lies within +-margin of a value,
another metric of the same runs, or the same metric of other runs of the same seeds (the same network untrained)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.base import (
    Pairs,
    TestKind,
    by_seed,
    compared_with,
    paired,
    points,
    reference_runs,
    seed_pairs,
)
from mirror.claims.selection import provenance
from mirror.claims.statistics import equivalence
from mirror.claims.verdict import NOT_RUN, Estimate, History, Verdict, metric_values, needs_two, number, to_settle
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class Equivalent(TestKind):
    name = "equivalent"
    legend = ("a claim of absence: two one-sided tests (TOST) that the mean lies within +-margin of a value or, "
              "paired by seed, another metric or the same metric of other runs (the same network untrained); a "
              "mean shown beyond the margin does not hold")

    def check(self, test: ClaimTest) -> str | None:
        if sum(x is not None and x != {} for x in (test.value, test.reference_metric, test.reference)) != 1:
            return "an equivalent test needs exactly one of value, reference_metric and reference (other runs)"
        if test.margin is None or test.margin <= 0:
            return "an equivalent test needs margin > 0, the largest difference it still calls none"
        return None

    def of_absence(self, test: ClaimTest) -> bool:
        return True

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        if claim.test.reference:
            return self._across_runs(claim, chosen, runs)
        pairs = paired(claim, chosen)
        if pairs.kept.sum() < 2:
            return needs_two(claim, pairs.estimate)
        return self._test(claim, pairs)

    @staticmethod
    def _tost(claim: Claim, pairs: Pairs, runs: pd.DataFrame | None = None) -> Verdict:
        """Two one-sided tests of paired differences against the claim's margin."""
        margin = claim.test.margin
        p_inside, p_beyond = equivalence(pairs.differences, margin)
        difference = Estimate.of(pairs.differences, "difference")  # not a proportion, whatever the metric
        return to_settle(claim, f"{pairs.estimate.text()}; difference {difference.text()}",
                         f"two one-sided tests, within +-{number(margin)} (the claim's margin) of {pairs.against}: "
                         f"p = {p_inside:.2g}; beyond the margin: p = {p_beyond:.2g}", p_inside, p_beyond,
                         pairs.estimate.mean, abs(margin - abs(difference.mean)), difference.sd, data=pairs.data,
                         **({} if runs is None else {"runs": runs}))

    _test = _tost
    """The test of paired differences the kind is (a subclass replaces it)."""

    def _across_runs(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame) -> Verdict:
        """No difference from other runs of the same seeds: TOST, paired by seed."""
        chosen, others, label = reference_runs(claim, chosen, runs)
        values = metric_values(chosen, claim.metric)
        estimate = Estimate.of(values, claim.metric)
        if sorted(chosen["seed"]) != sorted(others["seed"]) or len(values) < 2:
            return Verdict(claim, NOT_RUN, measured=estimate.text() if len(values) else "",
                           test=f"needs the same seeds (at least 2) here and of {label}")
        reference = by_seed(others, claim.metric, chosen["seed"])
        against = f"{label} ({Estimate.of(reference, claim.metric).text()}), paired by seed"
        return self._test(claim, Pairs(chosen["seed"], values, reference, against, estimate),
                          runs=pd.concat([provenance(chosen), provenance(others)]))

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        claim = verdict.claim
        if claim.test.value is None:
            seed_pairs(ax, verdict.data, compared_with(claim), claim.metric)
            return
        test = claim.test
        ax.axhspan(test.value - test.margin, test.value + test.margin, color="C0", alpha=0.15,
                   label=f"{test.value:g} +- margin")
        points(ax, [("runs", verdict.data["value"])], claim.metric)
