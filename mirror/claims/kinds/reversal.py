"""``reversal``: one-sided t-tests over seeds on a signed curve's value at the end of each training phase: above zero
after development, below it after counter-mirror training (the association re-mapped, not merely weakened), above it
again after repair. Any rule that keeps learning lowers the curve in counter-mirror training, so a fall alone
cannot fail; a change of sign can (docs/calibration.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mirror.claims.kinds.base import SEED_OFFSET, TestKind, points
from mirror.claims.statistics import one_sided
from mirror.claims.verdict import NOT_RUN, Estimate, History, Verdict, to_settle
from mirror.plotting import plt
from mirror.vocabulary import PHASES, phase_label

if TYPE_CHECKING:
    from mirror.claims.spec import Claim, ClaimTest


def phase_ends(curve: list[tuple[int, float]], phases: list[tuple[int, float]]) -> list[float]:
    """The curve's value at the last point of each training phase, in phase order."""
    phase_at = dict(phases)
    ends: dict[int, float] = {}
    for step, value in sorted(curve):
        if step in phase_at:
            ends[int(phase_at[step])] = value
    return [ends[k] for k in sorted(ends)]


class Reversal(TestKind):
    name = "reversal"
    legend = ("one-sided t-tests over seeds on a signed curve's value at the end of each training phase: above 0 "
              "after development, below 0 after counter-mirror training (re-mapped, not merely weakened), above 0 "
              "again after repair")

    def check(self, test: ClaimTest) -> str | None:
        return None if test.phase_metric is not None else "a reversal test needs phase_metric"

    def judge(self, claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
        if history is None:
            return Verdict(claim, NOT_RUN, test="no metric histories to read")
        rows = []
        for run_id, seed in zip(chosen["run_id"], chosen["seed"]):
            ends = phase_ends(history(run_id, claim.metric), history(run_id, claim.test.phase_metric))
            if len(ends) == len(PHASES):
                rows += [{"seed": seed, "phase": phase, "value": value} for phase, value in zip(PHASES, ends)]
        data = pd.DataFrame(rows, columns=["seed", "phase", "value"])
        wide = data.pivot(index="seed", columns="phase", values="value") if rows else data
        if len(wide) < 2:
            return Verdict(claim, NOT_RUN, test=f"needs at least 2 runs with all of {', '.join(map(phase_label, PHASES))}")
        development, counter, repair = (wide[phase].to_numpy(np.float64) for phase in PHASES)
        p_formed, p_not_formed = one_sided(development)
        p_remapped, p_not_remapped = one_sided(-counter)
        p_repaired, p_not_repaired = one_sided(repair)
        measured = "; ".join(f"{phase_label(phase)} {Estimate.of(wide[phase], claim.metric).text()}" for phase in PHASES)
        return to_settle(claim, measured, f"one-sided t-tests: development above 0 p = {p_formed:.2g}, counter-mirror "
                                        f"below 0 p = {p_remapped:.2g}, repair above 0 p = {p_repaired:.2g}",
                         max(p_formed, p_remapped, p_repaired), min(p_not_formed, p_not_remapped, p_not_repaired),
                         float(counter.mean()), abs(counter.mean()), counter.std(ddof=1), data=data,
                         quantity="counter-mirror end")

    def draw(self, ax: plt.Axes, verdict: Verdict) -> None:
        data = verdict.data
        for _, seed in data.groupby("seed"):
            ax.plot(np.arange(len(PHASES)) + SEED_OFFSET, seed.set_index("phase").loc[list(PHASES), "value"],
                    color="0.75", lw=0.8)
        points(ax, [(phase_label(phase), data.loc[data["phase"] == phase, "value"])
                    for phase in PHASES], verdict.claim.metric)
        ax.axhline(0.0, color="0.4", lw=0.8, ls="--", zorder=0)  # the sign each phase must reach
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right")  # three phase names side by side in a small panel
        ax.set_xlabel("end of training phase")
