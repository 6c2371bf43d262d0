"""``trend``: a metric over a swept factor. Where every seed ran two or more levels, each seed's least-squares slope,
one-sided t over seeds; otherwise Spearman's rho over the runs. A claim of no decrease (direction: none) is a
non-inferiority test of each seed's change over the range, in the metric's units or, ``relative``, as a fraction of
the seed's own level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mirror.claims.kinds.base import MEAN, SEEDS, TestKind
from mirror.claims.statistics import one_sided, seed_slopes, spearman
from mirror.claims.verdict import (
    INCONCLUSIVE,
    NOT_RUN,
    Estimate,
    History,
    Verdict,
    metric_values,
    number,
    to_settle,
)
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest

DIRECTIONS = ("decreasing", "increasing", "none")


class Trend(TestKind):
    name = "trend"
    legend = ("where every seed ran two or more levels, each seed's least-squares slope over the swept factor, "
              "one-sided t over seeds; otherwise Spearman's rho over the runs (exact permutation p up to 8 runs). "
              "A claim of no decrease (direction: none) is a non-inferiority test: each seed's change over the swept "
              "range (slope times range; with relative, as a fraction of the seed's value at the lowest level) "
              "above -margin")

    def check(self, test: ClaimTest) -> str | None:
        if test.factor is None:
            return "a trend test needs factor"
        if test.direction not in DIRECTIONS:
            return f"test.direction must be one of {', '.join(DIRECTIONS)}"
        if test.direction == "none" and (test.margin is None or test.margin <= 0):
            return "a trend test of no decrease needs margin > 0, the largest fall it still calls none"
        return None

    def of_absence(self, test: ClaimTest) -> bool:
        return test.direction == "none"

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        test = claim.test
        data = pd.DataFrame({"factor": pd.to_numeric(chosen[f"params.{test.factor}"], errors="coerce"),
                             "seed": chosen["seed"], "value": metric_values(chosen, claim.metric)}).dropna()
        levels = sorted(data["factor"].unique())
        if len(levels) < 3:
            return Verdict(claim, NOT_RUN, test=f"needs at least 3 levels of {test.factor}, found {len(levels)}")
        name = test.factor.rsplit(".", 1)[-1]
        first, last = (Estimate.of(data.loc[data["factor"] == level, "value"], claim.metric) for level in (levels[0], levels[-1]))
        measured = f"{first.text()} at {name} = {levels[0]:g}; {last.text()} at {name} = {levels[-1]:g}"
        slopes = seed_slopes(data["factor"].to_numpy(), data["value"].to_numpy(), data["seed"].to_numpy())
        recurring = len(slopes) >= 2 and len(slopes) == data["seed"].nunique()
        span = levels[-1] - levels[0]
        if test.direction == "none":
            if not recurring:
                return Verdict(claim, NOT_RUN, test="a claim of no decrease needs every seed at 2 or more levels")
            changes, of = slopes * span, ""
            if test.relative:  # unit-free: each seed's change as a fraction of its own value at the lowest level
                base = data[data["factor"] == levels[0]].groupby("seed")["value"].mean().sort_index().to_numpy()
                if len(base) != len(changes) or (base <= 0).any():
                    return Verdict(claim, NOT_RUN, test=f"a relative change needs every seed positive at {name} = "
                                                        f"{levels[0]:g}")
                changes, of = changes / base, f" (a fraction of each seed's value at {name} = {levels[0]:g})"
            p_equivalent, _ = one_sided(changes, -test.margin)
            _, p_decrease = one_sided(changes)
            change = Estimate.of(changes, "change")
            return to_settle(claim, f"change over {name} {levels[0]:g} to {levels[-1]:g}{of}: {change.text()}",
                           f"non-inferiority, change above -{number(test.margin)} (the claim's margin{of}): "
                           f"p = {p_equivalent:.2g}; decrease: p = {p_decrease:.2g} (per-seed slopes, one-sided t)",
                           p_equivalent, p_decrease, change.mean, abs(change.mean + test.margin), change.sd, data=data,
                           quantity="relative change" if test.relative else "change")
        falling = test.direction == "decreasing"
        if recurring:
            rising, dropping = one_sided(slopes * span)
            p, against = (dropping, rising) if falling else (rising, dropping)
            change = Estimate.of(slopes * span, "change")
            return to_settle(claim, f"{measured}; change over the range {change.text()}",
                           f"per-seed slopes ({len(slopes)} seeds, each at every level), one-sided t "
                           f"({test.direction}): p = {p:.2g} (opposite: p = {against:.2g})", p, against, change.mean,
                           abs(change.mean), change.sd, data=data, quantity="change")
        rho, p_less, p_greater, exact = spearman(data["factor"].to_numpy(), data["value"].to_numpy())
        p, against = (p_less, p_greater) if falling else (p_greater, p_less)
        how = "exact permutation p" if exact else "t approximation"
        return Verdict(claim, INCONCLUSIVE, measured=measured, value=rho, quantity="rho", p=p, p_against=against,
                       test=f"Spearman rho = {rho:.2f} over {len(data)} runs ({how}), one-sided ({test.direction}): "
                            f"p = {p:.2g} (opposite: p = {against:.2g})",
                       to_decide="more runs per level would decide it", data=data)

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        data, metric = verdict.data, verdict.claim.metric
        ax.scatter(data["factor"], data["value"], **SEEDS)
        levels = sorted(data["factor"].unique())
        estimates = [Estimate.of(data.loc[data["factor"] == level, "value"], metric) for level in levels]
        ax.errorbar(levels, [e.mean for e in estimates],
                    yerr=[[e.mean - e.low for e in estimates], [e.high - e.mean for e in estimates]],
                    label="mean, 95 % CI", **{**MEAN, "ms": 4})
        ax.set_xlabel(verdict.claim.test.factor)
