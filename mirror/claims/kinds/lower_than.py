"""``lower_than``: a one-sided t-test that the claim's runs are below other runs of its experiment, paired by seed
when both hold the same seeds, Welch's otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mirror.claims.kinds.base import TestKind, by_seed, field_values, points, reference_runs
from mirror.claims.selection import provenance
from mirror.claims.statistics import one_sided, welch
from mirror.claims.verdict import NOT_RUN, Estimate, History, Verdict, metric_values, to_settle
from mirror.plotting import plt

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


class LowerThan(TestKind):
    name = "lower_than"
    legend = ("one-sided t-test that the runs' metric is below that of the reference runs: paired by seed when "
              "both hold the same seeds, Welch's otherwise")

    def check(self, test: ClaimTest) -> str | None:
        return None if test.reference else "a lower_than test needs reference: {param: value, ...}"

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        chosen, others, label = reference_runs(claim, chosen, runs)
        values, reference = metric_values(chosen, claim.metric), metric_values(others, claim.metric)
        estimate, of_reference = Estimate.of(values, claim.metric), Estimate.of(reference, claim.metric)
        if len(values) < 2 or len(reference) < 2:
            return Verdict(claim, NOT_RUN, measured=estimate.text() if len(values) else "",
                           test=f"needs at least 2 seeds here and of {label}")
        if sorted(chosen["seed"]) == sorted(others["seed"]):
            differences = values - by_seed(others, claim.metric, chosen["seed"])
            above, below = one_sided(differences)
            how, sd = "paired by seed", differences.std(ddof=1)
        else:
            below, above = welch(values, reference)
            how, sd = "Welch", float(np.sqrt((estimate.sd ** 2 + of_reference.sd ** 2) / 2))
        data = pd.concat([pd.DataFrame({"group": "claim's runs", "value": values}),
                          pd.DataFrame({"group": field_values(claim.test.reference), "value": reference})])
        return to_settle(claim, estimate.text(),
                         f"one-sided t-test ({how}), lower than {label} ({of_reference.text()}): "
                         f"p = {below:.2g} (higher: p = {above:.2g})", below, above, estimate.mean,
                         abs(estimate.mean - of_reference.mean), sd, data=data,
                         runs=pd.concat([provenance(chosen), provenance(others)]))

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        data = verdict.data
        groups = list(dict.fromkeys(data["group"]))
        points(ax, [(group, data.loc[data["group"] == group, "value"]) for group in groups], verdict.claim.metric)
