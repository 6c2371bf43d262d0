"""A verdict as a record: the measured value with its 95 % interval over seeds, the test with its p (raw, then
adjusted across the page), and one of holds, does not hold, inconclusive (with the seeds that would decide it), not
run yet, or refused; with the helpers every test kind (mirror/claims/kinds/) builds one with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mirror.claims.statistics import seeds_to_decide
from mirror.intervals import interval, t_interval

if TYPE_CHECKING:
    from mirror.claims.spec import Claim

HOLDS, FAILS, INCONCLUSIVE, NOT_RUN, REFUSED = "holds", "does not hold", "inconclusive", "not run yet", "refused"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, NOT_RUN, REFUSED)
AS_VERB = {HOLDS: "holds", FAILS: "does not hold", INCONCLUSIVE: "is inconclusive", NOT_RUN: "is not run yet",
           REFUSED: "is refused"}
"""Each verdict as the verb of a sentence about one claim ("D1 is inconclusive")."""
ALPHA = 0.05
"""One-sided level of every test on the page, applied to the adjusted p."""
ADJUSTMENT = "Benjamini-Hochberg"
"""How every p on the page is adjusted, as the page names it."""
BOOTSTRAP_FROM = 10
"""No bootstrap interval from fewer values: below this a proportion gets the t-interval."""

History = Callable[[str, str], list[tuple[int, float]]]
"""(run id, metric) -> [(step, value), ...]: a metric's logged history."""


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its 95 % interval (t; percentile bootstrap for a proportion from 10 values
    whose t-interval would leave [0, 1])."""

    mean: float
    low: float
    high: float
    n: int
    sd: float = float("nan")
    method: str = "t"

    @classmethod
    def of(cls, values: pd.Series | np.ndarray, metric: str) -> Estimate:
        values = np.asarray(values, dtype=np.float64)
        values = values[~np.isnan(values)]
        if values.size == 0:
            return cls(float("nan"), float("nan"), float("nan"), 0)
        if values.size == 1:
            return cls(float(values[0]), float(values[0]), float(values[0]), 1)
        sd = float(values.std(ddof=1))
        if values.size < BOOTSTRAP_FROM:
            return cls(float(values.mean()), *t_interval(values), int(values.size), sd)
        low, high, method = interval(metric, values)
        return cls(float(values.mean()), low, high, int(values.size), sd, method)

    def text(self) -> str:
        if self.n == 1:
            return f"{number(self.mean)} (1 seed, no interval)"
        marked = ", bootstrap" if self.method == "bootstrap" else ""
        return f"{number(self.mean)} [{number(self.low)}, {number(self.high)}] (n = {self.n}{marked})"


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    verdict: str
    measured: str = ""
    """The measured value(s), each with its 95 % interval over seeds."""
    test: str = ""
    """The test as computed: its statistic and p, or why there is none."""
    value: float = float("nan")
    """The one number the matrix shows: the mean (or fraction of seeds) the verdict is about."""
    quantity: str = "mean"
    """What ``value`` is: 'mean' (of the claim's metric over seeds), 'change' (over a trend's range), 'relative
    change' (the same as a fraction of each seed's value at the lowest level), 'rho' (Spearman's), 'seeds' (the
    fraction of seeds that meet it) or 'counter-mirror end' (a reversal's value after counter-mirror training)."""
    p: float = float("nan")
    """Raw one-sided p of the claim; nan for a verdict decided by an interval or by counting seeds."""
    p_against: float = float("nan")
    """Raw p of the opposite: what shows the claim does not hold."""
    p_adjusted: float = float("nan")
    p_against_adjusted: float = float("nan")
    to_decide: str = ""
    """For an inconclusive verdict: how many seeds would decide it at the observed spread."""
    spread: tuple[float, float] | None = None
    """(distance of the mean from the bound its test must clear, sd): what ``to_decide`` is computed from once
    the adjustment has set the level."""
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What the claim's figure draws (columns depend on the test)."""
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The runs read: run_id, seed, commit, sweep_id, experiment_id (the claim's, then its reference's)."""

    @property
    def tested(self) -> bool:
        """True when a p decides the verdict (after adjustment)."""
        return bool(np.isfinite(self.p))


def number(value: float) -> str:
    """Three significant digits: enough for a fraction or a correlation, no false precision."""
    return f"{value:.3g}" if np.isfinite(value) else "n/a"


def decide_with(distance: float, sd: float, two_sided_interval: bool = False, alpha: float = ALPHA) -> str:
    n = seeds_to_decide(distance, sd, alpha, two_sided_interval)
    level = "" if alpha == ALPHA else f", one-sided at {alpha:.2g}, the level its adjusted p implies"
    return (f"about {n} seeds would decide it at the observed spread (sd {number(sd)}{level})" if n is not None else
            "no number of seeds decides it at the observed mean")


def to_settle(claim: Claim, measured: str, test: str, p: float, p_against: float, value: float,
              distance: float, sd: float, **parts) -> Verdict:
    """A verdict to be settled by its adjusted p (mirror.claims.verdicts.settle)."""
    return Verdict(claim, INCONCLUSIVE, measured=measured, test=test, value=value, p=p, p_against=p_against,
                   spread=(distance, sd), **parts)


def metric_values(chosen: pd.DataFrame, metric: str) -> np.ndarray:
    """A metric of the chosen runs, one value per run."""
    return chosen[f"metrics.{metric}"].to_numpy(np.float64)


def needs_two(claim: Claim, estimate: Estimate) -> Verdict:
    return Verdict(claim, NOT_RUN, measured=estimate.text() if estimate.n else "", test="needs at least 2 seeds")
