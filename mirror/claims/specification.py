"""A claim's specification curve (Simonsohn, Simmons & Nelson 2020): its metric over every condition the store holds
runs for and every analysis-only choice each run logged (the threshold, centred or raw r), each specification judged
by the claim's own rule; and one joint test of the curve against the same curve on the claim's effect-absent
reference: the curve's mean difference from the reference, its null from swapping seeds between the claim's runs and
the reference's (every one of the 2^n swaps up to :data:`EXACT_SEEDS` seeds)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from mirror.claims.spec import ABSENT, STATED, Claim
from mirror.claims.verdict import ALPHA, HOLDS, NOT_RUN, REFUSED, Verdict
from mirror.claims.verdicts import settle
from mirror.vocabulary import R_KINDS, SPECIFICATION_STATISTICS, SPECIFICATION_THRESHOLDS, specification_metric

EXACT_SEEDS = 12
"""Up to this many seeds the joint test's null takes every swap (4,096); beyond, :data:`RANDOM_SWAPS` of them."""
RANDOM_SWAPS = 4096
RULES = ("above",)
"""The tests with a specification curve: a threshold count above a value or its chance level. A range is stated for
one threshold and means nothing at another, so a range claim has none (its matrix row is its robustness)."""


@dataclass(frozen=True)
class Specification:
    column: str
    """The condition (or the stated design) whose runs it reads."""
    kind: str
    threshold: float
    verdict: Verdict
    """Judged alone, on its raw p: a specification curve shows each choice's own outcome."""


@dataclass(frozen=True)
class JointTest:
    effect: float
    """The curve's mean difference from its effect-absent reference, over the stated design's specifications (each
    the per-seed difference, in the claim's direction, averaged over seeds)."""
    significant: int
    """Specifications whose paired one-sided t-test against the reference is below ALPHA."""
    total: int
    p: float
    """How often swapping seeds between the claim's runs and the reference's gives as large an effect (one-sided)."""
    swaps: int


@dataclass(frozen=True)
class Curve:
    specifications: tuple[Specification, ...]
    joint: JointTest | None

    def text(self) -> str:
        holding = sum(s.verdict.verdict == HOLDS for s in self.specifications)
        line = (f"specification curve: {holding} of {len(self.specifications)} specifications hold (every condition x "
                f"centred or raw r x threshold {', '.join(f'{t:g}' for t in SPECIFICATION_THRESHOLDS)})")
        if self.joint is not None:
            j = self.joint
            line += (f"; joint test against its effect-absent reference: mean difference {j.effect:.3g} over the "
                     f"{j.total} stated-design specifications ({j.significant} of them significant alone), "
                     f"p = {j.p:.2g} from {j.swaps} swaps of seeds between the two")
        return line


def statistic_of(claim: Claim) -> str | None:
    """The threshold count a claim is about, when its test has a specification curve; None otherwise."""
    parts = claim.metric.split("/")
    chance = claim.test.reference_metric in (None, f"analysis/chance/{parts[-1]}")
    if (len(parts) == 3 and parts[0] == "analysis" and parts[1] in R_KINDS and parts[2] in SPECIFICATION_STATISTICS
            and claim.test.kind in RULES and chance):
        return parts[2]
    return None


def specified(claim: Claim, kind: str, threshold: float) -> Claim:
    """The claim with its metric (and a chance reference) at one specification."""
    statistic = claim.metric.rsplit("/", 1)[-1]
    test = claim.test
    if test.reference_metric is not None:
        test = replace(test, reference_metric=specification_metric("chance", statistic, threshold))
    return replace(claim, metric=specification_metric(kind, statistic, threshold), test=test)


def curve(claim: Claim, columns: dict[str, Claim], judged: Callable[[Claim], Verdict]) -> Curve | None:
    """The claim's curve over ``columns`` (column -> the claim under it) with ``judged`` (a claim -> its raw
    verdict from the store's runs); None when the claim has no curve or no specification has runs."""
    if statistic_of(claim) is None:
        return None
    specifications = []
    for column, variant in columns.items():
        for kind, threshold in itertools.product(R_KINDS, SPECIFICATION_THRESHOLDS):
            (verdict,) = settle([judged(specified(variant, kind, threshold))])
            if verdict.verdict not in (NOT_RUN, REFUSED):
                specifications.append(Specification(column, kind, threshold, verdict))
    if not specifications:
        return None
    joint = _joint(claim, [s for s in specifications if s.column == STATED], judged)
    return Curve(tuple(specifications), joint)


def _joint(claim: Claim, stated: list[Specification], judged: Callable[[Claim], Verdict]) -> JointTest | None:
    if not stated or ABSENT not in claim.calibration:
        return None
    absent = claim.on(ABSENT)
    mine, theirs = [], []
    for specification in stated:
        reference = judged(specified(absent, specification.kind, specification.threshold))
        if reference.verdict in (NOT_RUN, REFUSED):
            return None
        mine.append(_measured(specification.verdict))
        theirs.append(_measured(reference))
    seeds = sorted(set.intersection(*(set(series.index) for series in mine + theirs)))
    if len(seeds) < 2:
        return None
    own = np.stack([series.loc[seeds].to_numpy(float) for series in mine], axis=1)
    other = np.stack([series.loc[seeds].to_numpy(float) for series in theirs], axis=1)
    differences = own - other  # an above test: the claim says its runs exceed the reference
    n = len(seeds)
    signs = (np.array(list(itertools.product((1.0, -1.0), repeat=n))) if n <= EXACT_SEEDS else
             np.vstack([np.ones(n), np.where(np.random.default_rng(0).random((RANDOM_SWAPS - 1, n)) < 0.5, -1.0, 1.0)]))
    effects = (signs @ differences).mean(axis=1) / n  # a seed swapped between the two flips its difference's sign
    effect = float(differences.mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        t = differences.mean(axis=0) / (differences.std(axis=0, ddof=1) / np.sqrt(n))
    significant = int(np.sum(np.where(np.isfinite(t), stats.t.sf(t, n - 1), 1.0) < ALPHA))
    return JointTest(effect, significant, differences.shape[1], float(np.mean(effects >= effect - 1e-12)), len(signs))


def _measured(verdict: Verdict) -> pd.Series:
    """Per seed, what the claim's rule reads: the value, less its reference metric in a paired test."""
    data = verdict.data.set_index("seed").sort_index()
    return data["value"] - data["reference"] if "reference" in data else data["value"]
