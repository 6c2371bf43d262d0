"""A claim's verdict from the runs that test it: the measured value with its 95 % interval over
seeds, the test with its p (raw here, adjusted across the page by :func:`settle`), and one of holds,
does not hold, inconclusive (with the seeds that would decide it), not run yet, or refused (the
selection is not exactly the runs the claim names)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from mirror.claims.selection import Refused, exact_runs, provenance, select
from mirror.claims.spec import STATED, Claim
from mirror.claims.statistics import (
    adjust,
    clopper_pearson,
    equivalence,
    one_sided,
    seed_slopes,
    seeds_to_decide,
    spearman,
    welch,
)
from mirror.intervals import interval, t_interval
from mirror.vocabulary import PHASES, phase_label

HOLDS, FAILS, INCONCLUSIVE, NOT_RUN, REFUSED = "holds", "does not hold", "inconclusive", "not run yet", "refused"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, NOT_RUN, REFUSED)
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
    fraction of seeds that meet it) or 'fall' (development minus counter-mirror)."""
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


def _decide_with(distance: float, sd: float, two_sided_interval: bool = False, alpha: float = ALPHA) -> str:
    n = seeds_to_decide(distance, sd, alpha, two_sided_interval)
    level = "" if alpha == ALPHA else f", one-sided at {alpha:.2g}, the level its adjusted p implies"
    return (f"about {n} seeds would decide it at the observed spread (sd {number(sd)}{level})" if n is not None else
            "no number of seeds decides it at the observed mean")


def _tested(claim: Claim, measured: str, test: str, p: float, p_against: float, value: float,
            distance: float, sd: float, **parts) -> Verdict:
    """A verdict to be settled by its adjusted p (:func:`settle`)."""
    return Verdict(claim, INCONCLUSIVE, measured=measured, test=test, value=value, p=p, p_against=p_against,
                   spread=(distance, sd), **parts)


def check_names(claim: Claim, runs: pd.DataFrame) -> None:
    """Every metric and param the claim names exists in some finished run of its experiment: with runs
    there, a name none of them has is a typo in the claim file (ClaimError), not 'not run yet'."""
    test = claim.test
    metrics = {"metric": claim.metric, "test.reference_metric": test.reference_metric,
               "test.phase_metric": test.phase_metric}
    for name_of, name in metrics.items():
        if name is not None and f"metrics.{name}" not in runs:
            raise claim.error(name_of, f"{name!r} was logged by none of the {len(runs)} finished runs of "
                                       f"experiment '{claim.experiment}'")
    params = {f"runs.where.{k}": k for k in claim.selection} | {f"test.reference.{k}": k for k in test.reference}
    if test.factor is not None:
        params["test.factor"] = test.factor
    for name_of, name in params.items():
        if name != "model" and f"params.{name}" not in runs:
            raise claim.error(name_of, f"names {name!r}, a param none of the {len(runs)} finished runs of experiment "
                                       f"'{claim.experiment}' has")


def judge(claim: Claim, runs: pd.DataFrame | None, history: History | None = None) -> Verdict:
    """The verdict on one claim from its experiment's runs (None: the experiment has none), its p raw."""
    if runs is None or runs.empty:
        return Verdict(claim, NOT_RUN, test=f"no finished runs in experiment '{claim.experiment}'")
    model = claim.selection.get("model")
    if model is not None and not (runs["model"] == model).any():  # names are checked against the model's own runs
        return Verdict(claim, NOT_RUN, test=f"no finished run of {model} in experiment '{claim.experiment}'")
    every_run = runs  # a reference (lower_than) may be another model's runs
    if model is not None:
        runs = runs[runs["model"] == model].dropna(axis=1, how="all")
    if claim.condition != STATED:  # a condition names what some of its source's experiments have, not all
        names = [f"metrics.{m}" for m in (claim.metric, claim.test.reference_metric, claim.test.phase_metric) if m]
        names += [f"params.{p}" for p in (*claim.selection, *claim.test.reference) if p != "model"]
        missing = [name for name in names if name not in runs]
        if missing:
            return Verdict(claim, NOT_RUN, test=f"no run of '{claim.experiment}' has {missing[0]}")
    check_names(claim, runs)
    chosen = select(runs, claim.selection)
    if chosen.empty:
        wanted = ", ".join(f"{k}={v}" for k, v in claim.selection.items())
        return Verdict(claim, NOT_RUN, test=f"no run of '{claim.experiment}' has {wanted}")
    metric = f"metrics.{claim.metric}"
    if claim.test.kind != "reversal" and (metric not in chosen or chosen[metric].isna().all()):
        return Verdict(claim, NOT_RUN, test=f"no selected run logged {claim.metric}")
    try:
        chosen = exact_runs(chosen, claim.test.factor)
        planned = set(claim.seeds)
        ran = planned & set(chosen["seed"].astype(int))
        if ran != planned:
            return Verdict(claim, NOT_RUN, test=f"{len(ran)} of {len(planned)} planned seeds: no verdict yet",
                           runs=provenance(chosen))
        chosen = chosen[chosen["seed"].astype(int).isin(planned)]  # pre-registered: another seed cannot move it
        every_run = every_run[every_run["seed"].astype(int).isin(planned)]
        verdict = _JUDGES[claim.test.kind](claim, chosen, every_run, history)
    except Refused as refusal:
        return Verdict(claim, REFUSED, test=str(refusal), runs=provenance(chosen))
    return verdict if not verdict.runs.empty or verdict.verdict == NOT_RUN else replace(verdict, runs=provenance(chosen))


def settle(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Every p on the page adjusted across the page, under every condition, as two families: the claims' own
    tests, and the tests of their opposites. Each tested verdict is decided on its adjusted p: holds when the
    claim's is below ALPHA, does not hold when the opposite's is, inconclusive otherwise."""
    tested = [v for v in verdicts if v.tested]
    claims_p = adjust([v.p for v in tested])
    opposites_p = adjust([v.p_against for v in tested])
    settled = {}
    for verdict, p, against in zip(tested, claims_p, opposites_p):
        outcome = HOLDS if p < ALPHA else FAILS if against < ALPHA else INCONCLUSIVE
        to_decide = verdict.to_decide
        if outcome == INCONCLUSIVE and verdict.spread is not None:  # the raw level its rank on the page allows
            to_decide = _decide_with(*verdict.spread, alpha=ALPHA * verdict.p / p if p > 0 else ALPHA)
        settled[id(verdict)] = replace(verdict, verdict=outcome, p_adjusted=p, p_against_adjusted=against,
                                       to_decide=to_decide if outcome == INCONCLUSIVE else "")
    return [settled.get(id(v), v) for v in verdicts]


def _values(chosen: pd.DataFrame, metric: str) -> np.ndarray:
    return chosen[f"metrics.{metric}"].to_numpy(np.float64)


def _needs_two(claim: Claim, estimate: Estimate) -> Verdict:
    return Verdict(claim, NOT_RUN, measured=estimate.text() if estimate.n else "", test="needs at least 2 seeds")


def _range(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    test = claim.test
    estimate = Estimate.of(_values(chosen, claim.metric), claim.metric)
    if estimate.n < 2:
        return _needs_two(claim, estimate)
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
                   to_decide=_decide_with(distance, estimate.sd, True) if verdict == INCONCLUSIVE else "",
                   data=pd.DataFrame({"seed": chosen["seed"], "value": _values(chosen, claim.metric)}))


def _paired(claim: Claim, chosen: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str]:
    """The claim's values and, seed by seed, what they are compared with: another metric of the same run or
    the claim's value; with how the comparison reads."""
    test = claim.test
    values = _values(chosen, claim.metric)
    if test.reference_metric is None:
        return values, np.full_like(values, test.value), number(test.value)
    reference = _values(chosen, test.reference_metric)
    return values, reference, f"{test.reference_metric} ({Estimate.of(reference, test.reference_metric).text()}), paired"


def _above(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    values, reference, against = _paired(claim, chosen)
    keep = ~(np.isnan(values) | np.isnan(reference))
    estimate = Estimate.of(values, claim.metric)
    if keep.sum() < 2:
        return _needs_two(claim, estimate)
    differences = values[keep] - reference[keep]
    greater, less = one_sided(differences)
    return _tested(claim, estimate.text(), f"one-sided t-test, greater than {against}: p = {greater:.2g} "
                                           f"(lower: p = {less:.2g})", greater, less, estimate.mean,
                   abs(differences.mean()), differences.std(ddof=1),
                   data=pd.DataFrame({"seed": chosen["seed"], "value": values, "reference": reference}))


def _equivalent(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    if claim.test.reference:
        return _equivalent_across_runs(claim, chosen, runs)
    values, reference, against = _paired(claim, chosen)
    keep = ~(np.isnan(values) | np.isnan(reference))
    estimate = Estimate.of(values, claim.metric)
    if keep.sum() < 2:
        return _needs_two(claim, estimate)
    return _tost(claim, estimate, values[keep] - reference[keep], against,
                 pd.DataFrame({"seed": chosen["seed"], "value": values, "reference": reference}))


def _tost(claim: Claim, estimate: Estimate, differences: np.ndarray, against: str, data: pd.DataFrame,
          runs: pd.DataFrame | None = None) -> Verdict:
    """Two one-sided tests of paired differences against the claim's margin."""
    margin = claim.test.margin
    p_inside, p_beyond = equivalence(differences, margin)
    difference = Estimate.of(differences, "difference")  # not a proportion, whatever the metric
    return _tested(claim, f"{estimate.text()}; difference {difference.text()}",
                   f"two one-sided tests, within +-{number(margin)} (the claim's margin) of {against}: "
                   f"p = {p_inside:.2g}; beyond the margin: p = {p_beyond:.2g}", p_inside, p_beyond, estimate.mean,
                   abs(margin - abs(difference.mean)), difference.sd, data=data,
                   **({} if runs is None else {"runs": runs}))


def _reference_runs(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The claim's runs and the runs it is compared with (its selection with ``test.reference`` applied), each
    with the metric logged; and how the reference reads."""
    label = ", ".join(f"{k}={v}" for k, v in claim.test.reference.items())
    reference_runs = select(runs, {**claim.selection, **claim.test.reference})
    reference_runs = exact_runs(reference_runs.dropna(subset=[f"metrics.{claim.metric}"]), None)
    return chosen.dropna(subset=[f"metrics.{claim.metric}"]), reference_runs, label


def _equivalent_across_runs(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame) -> Verdict:
    """A claim of no difference from other runs of the same seeds (the same network untrained): TOST, paired."""
    chosen, reference_runs, label = _reference_runs(claim, chosen, runs)
    values = _values(chosen, claim.metric)
    estimate = Estimate.of(values, claim.metric)
    if sorted(chosen["seed"]) != sorted(reference_runs["seed"]) or len(values) < 2:
        return Verdict(claim, NOT_RUN, measured=estimate.text() if len(values) else "",
                       test=f"needs the same seeds (at least 2) here and of {label}")
    reference = reference_runs.set_index("seed")[f"metrics.{claim.metric}"].loc[chosen["seed"]].to_numpy(np.float64)
    against = f"{label} ({Estimate.of(reference, claim.metric).text()}), paired by seed"
    return _tost(claim, estimate, values - reference, against,
                 pd.DataFrame({"seed": chosen["seed"], "value": values, "reference": reference}),
                 runs=pd.concat([provenance(chosen), provenance(reference_runs)]))


def _lower_than(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    chosen, reference_runs, label = _reference_runs(claim, chosen, runs)
    values, reference = _values(chosen, claim.metric), _values(reference_runs, claim.metric)
    estimate, of_reference = Estimate.of(values, claim.metric), Estimate.of(reference, claim.metric)
    if len(values) < 2 or len(reference) < 2:
        return Verdict(claim, NOT_RUN, measured=estimate.text() if len(values) else "",
                       test=f"needs at least 2 seeds here and of {label}")
    paired = sorted(chosen["seed"]) == sorted(reference_runs["seed"])
    if paired:
        by_seed = reference_runs.set_index("seed")[f"metrics.{claim.metric}"]
        differences = values - by_seed.loc[chosen["seed"]].to_numpy(np.float64)
        above, below = one_sided(differences)
        how, sd = "paired by seed", differences.std(ddof=1)
    else:
        below, above = welch(values, reference)
        how, sd = "Welch", float(np.sqrt((estimate.sd ** 2 + of_reference.sd ** 2) / 2))
    data = pd.concat([pd.DataFrame({"group": "claim's runs", "value": values}),
                      pd.DataFrame({"group": label, "value": reference})])
    return _tested(claim, estimate.text(), f"one-sided t-test ({how}), lower than {label} ({of_reference.text()}): "
                                           f"p = {below:.2g} (higher: p = {above:.2g})", below, above, estimate.mean,
                   abs(estimate.mean - of_reference.mean), sd, data=data,
                   runs=pd.concat([provenance(chosen), provenance(reference_runs)]))


def _trend(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    test = claim.test
    data = pd.DataFrame({"factor": pd.to_numeric(chosen[f"params.{test.factor}"], errors="coerce"),
                         "seed": chosen["seed"], "value": _values(chosen, claim.metric)}).dropna()
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
        return _tested(claim, f"change over {name} {levels[0]:g} to {levels[-1]:g}{of}: {change.text()}",
                       f"non-inferiority, change above -{number(test.margin)} (the claim's margin{of}): "
                       f"p = {p_equivalent:.2g}; decrease: p = {p_decrease:.2g} (per-seed slopes, one-sided t)",
                       p_equivalent, p_decrease, change.mean, abs(change.mean + test.margin), change.sd, data=data,
                       quantity="relative change" if test.relative else "change")
    falling = test.direction == "decreasing"
    if recurring:
        rising, dropping = one_sided(slopes * span)
        p, against = (dropping, rising) if falling else (rising, dropping)
        change = Estimate.of(slopes * span, "change")
        return _tested(claim, f"{measured}; change over the range {change.text()}",
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


def _every(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    values, reference, against = _paired(claim, chosen)
    keep = ~(np.isnan(values) | np.isnan(reference))
    n = int(keep.sum())
    if n < 2:
        return _needs_two(claim, Estimate.of(values, claim.metric))
    meets = values[keep] > reference[keep] if claim.test.reference_metric else values[keep] >= reference[keep]
    k = int(meets.sum())
    low, high = clopper_pearson(k, n)
    relation = "above" if claim.test.reference_metric else "at least"
    missing = sorted(chosen["seed"][keep][~meets].tolist())
    return Verdict(claim, HOLDS if k == n else FAILS, value=k / n, quantity="seeds",
                   measured=f"{k} of {n} seeds ({k / n:.0%}, Clopper-Pearson 95 % [{low:.2f}, {high:.2f}])",
                   test=f"each seed {relation} {against}: every seed must" +
                        (f"; seeds {', '.join(map(str, missing))} do not" if missing else ""),
                   data=pd.DataFrame({"seed": chosen["seed"], "value": values, "reference": reference}))


def phase_ends(curve: list[tuple[int, float]], phases: list[tuple[int, float]]) -> list[float]:
    """The curve's value at the last point of each training phase, in phase order."""
    phase_at = dict(phases)
    ends: dict[int, float] = {}
    for step, value in sorted(curve):
        if step in phase_at:
            ends[int(phase_at[step])] = value
    return [ends[k] for k in sorted(ends)]


def _reversal(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
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
    p_remap, p_no_remap = one_sided(development - counter)
    p_repair, p_no_repair = one_sided(repair - counter)
    remap = development - counter
    measured = "; ".join(f"{phase_label(phase)} {Estimate.of(wide[phase], claim.metric).text()}" for phase in PHASES)
    return _tested(claim, measured, f"paired one-sided t-tests: counter-mirror below development p = {p_remap:.2g}, "
                                    f"repair above counter-mirror p = {p_repair:.2g}",
                   max(p_remap, p_repair), min(p_no_remap, p_no_repair), float(remap.mean()),
                   abs(remap.mean()), remap.std(ddof=1), data=data, quantity="fall")


_JUDGES = {"range": _range, "above": _above, "equivalent": _equivalent, "lower_than": _lower_than,
           "trend": _trend, "every": _every, "reversal": _reversal}
