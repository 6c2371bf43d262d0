"""A claim's verdict from the runs that test it: the measured value with its 95 % interval over
seeds, the test and its p, and holds / does not hold / not run yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from mirror.claims.spec import Claim
from mirror.report.stats import interval
from mirror.vocabulary import PHASES, phase_label

HOLDS, FAILS, INCONCLUSIVE, NOT_RUN = "holds", "does not hold", "inconclusive", "not run yet"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, NOT_RUN)
ALPHA = 0.05
"""One-sided level of every test on the page."""

History = Callable[[str, str], list[tuple[int, float]]]
"""(run id, metric) -> [(step, value), ...]: a metric's logged history."""


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its 95 % t-interval (the value itself when there is one seed)."""

    mean: float
    low: float
    high: float
    n: int
    method: str = "t"
    """'t', or 'bootstrap' for a proportion whose t-interval would leave [0, 1] (as in the reports)."""

    @classmethod
    def of(cls, values: pd.Series | np.ndarray, metric: str) -> Estimate:
        values = np.asarray(values, dtype=np.float64)
        values = values[~np.isnan(values)]
        if values.size == 0:
            return cls(float("nan"), float("nan"), float("nan"), 0)
        if values.size == 1:
            return cls(float(values[0]), float(values[0]), float(values[0]), 1)
        low, high, method = interval(metric, values)
        return cls(float(values.mean()), low, high, int(values.size), method)

    def text(self) -> str:
        if self.n == 1:
            return f"{_number(self.mean)} (1 seed, no interval)"
        marked = ", bootstrap" if self.method == "bootstrap" else ""
        return f"{_number(self.mean)} [{_number(self.low)}, {_number(self.high)}] (n = {self.n}{marked})"


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    verdict: str
    measured: str = ""
    """The measured value(s), each with its 95 % interval over seeds."""
    test: str = ""
    """The test as computed: its statistic and p, or why there is none."""
    p: float = float("nan")
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What the claim's figure draws (columns depend on the test)."""


def _number(value: float) -> str:
    """Three significant digits: enough for a fraction or a correlation, no false precision."""
    return f"{value:.3g}" if np.isfinite(value) else "n/a"


def _matches(column: pd.Series, wanted: object) -> pd.Series:
    """Params come back from MLflow as strings or numbers; compare either way."""
    as_text = column.astype(str) == str(wanted)
    try:
        return as_text | np.isclose(pd.to_numeric(column, errors="coerce"), float(wanted))
    except (TypeError, ValueError):
        return as_text


def select(runs: pd.DataFrame, where: dict) -> pd.DataFrame:
    """The runs whose params have every value in ``where`` (``model`` is the run's model)."""
    chosen = pd.Series(True, index=runs.index)
    for name, wanted in where.items():
        column = "model" if name == "model" else f"params.{name}"
        if column not in runs:
            return runs.iloc[0:0]
        chosen &= _matches(runs[column], wanted)
    return runs[chosen]


def _one_sided(result: object) -> float:
    p = float(result.pvalue)
    return p if np.isfinite(p) else float("nan")


def _greater(differences: np.ndarray) -> float:
    """One-sided p that the mean difference exceeds 0; a constant difference is decided by its sign."""
    if np.ptp(differences) == 0:
        return 0.0 if differences[0] > 0 else 1.0
    return _one_sided(stats.ttest_1samp(differences, 0.0, alternative="greater"))


def check_names(claim: Claim, runs: pd.DataFrame) -> None:
    """Every metric and param the claim names exists in some finished run of its experiment: with runs
    there, a name none of them has is a typo in the claim file (:class:`ClaimError`), not 'not run yet'."""
    test = claim.test
    metrics = {"metric": claim.metric, "test.reference_metric": test.reference_metric,
               "test.phase_metric": test.phase_metric}
    for field, name in metrics.items():
        if name is not None and f"metrics.{name}" not in runs:
            raise claim.error(field, f"{name!r} was logged by none of the {len(runs)} finished runs of "
                                     f"experiment '{claim.experiment}'")
    params = {f"runs.where.{k}": k for k in claim.where} | {f"test.reference.{k}": k for k in test.reference}
    if test.factor is not None:
        params["test.factor"] = test.factor
    for field, name in params.items():
        if name != "model" and f"params.{name}" not in runs:
            raise claim.error(field, f"names {name!r}, a param none of the {len(runs)} finished runs of experiment "
                                     f"'{claim.experiment}' has")


def judge(claim: Claim, runs: pd.DataFrame | None, history: History | None = None) -> Verdict:
    """The verdict on one claim from its experiment's runs (None: the experiment has none)."""
    if runs is None or runs.empty:
        return Verdict(claim, NOT_RUN, test=f"no finished runs in experiment '{claim.experiment}'")
    check_names(claim, runs)
    chosen = select(runs, claim.where)
    metric = f"metrics.{claim.metric}"
    kind = claim.test.kind
    if chosen.empty:
        wanted = ", ".join(f"{k}={v}" for k, v in claim.where.items())
        return Verdict(claim, NOT_RUN, test=f"no run of '{claim.experiment}' has {wanted}")
    if kind != "reversal" and (metric not in chosen or chosen[metric].isna().all()):
        return Verdict(claim, NOT_RUN, test=f"no selected run logged {claim.metric}")
    return _JUDGES[kind](claim, chosen, runs, history)


def _range(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    test = claim.test
    estimate = Estimate.of(chosen[f"metrics.{claim.metric}"], claim.metric)
    meets = estimate.high >= test.low and estimate.low <= test.high
    return Verdict(claim, HOLDS if meets else FAILS, measured=estimate.text(),
                   test=f"interval {'meets' if meets else 'lies outside'} the claimed [{_number(test.low)}, "
                        f"{_number(test.high)}]",
                   data=pd.DataFrame({"seed": chosen["seed"], "value": chosen[f"metrics.{claim.metric}"]}))


def _above(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    test = claim.test
    values = chosen[f"metrics.{claim.metric}"].to_numpy(np.float64)
    if test.reference_metric is not None:
        column = f"metrics.{test.reference_metric}"
        if column not in chosen:
            return Verdict(claim, NOT_RUN, test=f"no selected run logged {test.reference_metric}")
        reference = chosen[column].to_numpy(np.float64)
        against = f"{test.reference_metric} ({Estimate.of(reference, test.reference_metric).text()}), paired"
    else:
        reference = np.full_like(values, test.value)
        against = _number(test.value)
    keep = ~(np.isnan(values) | np.isnan(reference))
    if keep.sum() < 2:
        return Verdict(claim, NOT_RUN, measured=Estimate.of(values, claim.metric).text(), test="needs at least 2 seeds")
    p = _greater(values[keep] - reference[keep])
    found = p < ALPHA
    holds = found if test.kind == "above" else not found
    return Verdict(claim, HOLDS if holds else FAILS, measured=Estimate.of(values, claim.metric).text(),
                   test=f"one-sided t-test, greater than {against}: p = {p:.2g}", p=p,
                   data=pd.DataFrame({"seed": chosen["seed"], "value": values, "reference": reference}))


def _lower_than(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    reference_where = {**claim.where, **claim.test.reference}
    reference = select(runs, reference_where)[f"metrics.{claim.metric}"].dropna().to_numpy(np.float64)
    values = chosen[f"metrics.{claim.metric}"].dropna().to_numpy(np.float64)
    label = ", ".join(f"{k}={v}" for k, v in claim.test.reference.items())
    if len(values) < 2 or len(reference) < 2:
        return Verdict(claim, NOT_RUN, measured=Estimate.of(values, claim.metric).text(),
                       test=f"needs at least 2 seeds here and of {label}")
    p = _one_sided(stats.ttest_ind(values, reference, equal_var=False, alternative="less"))
    data = pd.concat([pd.DataFrame({"group": "claim's runs", "value": values}),
                      pd.DataFrame({"group": label, "value": reference})])
    return Verdict(claim, HOLDS if p < ALPHA else FAILS, measured=Estimate.of(values, claim.metric).text(),
                   test=f"one-sided Welch t-test, lower than {label} ({Estimate.of(reference, claim.metric).text()}): p = {p:.2g}",
                   p=p, data=data)


def _trend(claim: Claim, chosen: pd.DataFrame, runs: pd.DataFrame, history: History | None) -> Verdict:
    test = claim.test
    column = f"params.{test.factor}"
    if column not in chosen:
        return Verdict(claim, NOT_RUN, test=f"the runs did not sweep {test.factor}")
    data = pd.DataFrame({"factor": pd.to_numeric(chosen[column], errors="coerce"), "seed": chosen["seed"],
                         "value": chosen[f"metrics.{claim.metric}"]}).dropna()
    levels = sorted(data["factor"].unique())
    if len(levels) < 3:
        return Verdict(claim, NOT_RUN, test=f"needs at least 3 levels of {test.factor}, found {len(levels)}")
    if test.direction == "none":
        return _no_decrease(claim, data, levels)
    alternative = "greater" if test.direction == "increasing" else "less"
    result = stats.spearmanr(data["factor"], data["value"], alternative=alternative)
    p = _one_sided(result)
    rho = float(result.statistic)
    holds = bool(np.isfinite(p) and p < ALPHA)
    first, last = (Estimate.of(data.loc[data["factor"] == level, "value"], claim.metric) for level in (levels[0], levels[-1]))
    name = test.factor.rsplit(".", 1)[-1]
    looked_for = "decreasing" if alternative == "less" else "increasing"
    return Verdict(claim, HOLDS if holds else FAILS,
                   measured=f"{first.text()} at {name} = {levels[0]:g}; {last.text()} at {name} = {levels[-1]:g}",
                   test=f"Spearman rho = {rho:.2f} over {len(data)} runs, one-sided ({looked_for}): p = {p:.2g}",
                   p=p, data=data)


def _no_decrease(claim: Claim, data: pd.DataFrame, levels: list[float]) -> Verdict:
    """A claim of absence ("no decrease") shown, not assumed: each seed's change over the swept range
    (its least-squares slope times the range; every seed recurs at every level) must lie above
    -margin by a one-sided t-test (non-inferiority). Holds when it does; does not hold when the change
    is shown below zero instead; inconclusive when neither is shown."""
    margin = claim.test.margin
    span = levels[-1] - levels[0]
    changes = np.array([np.polyfit(seed["factor"], seed["value"], 1)[0] * span
                        for _, seed in data.groupby("seed") if seed["factor"].nunique() >= 2])
    if len(changes) < 2:
        return Verdict(claim, NOT_RUN, test="needs at least 2 seeds that each ran 2 or more levels")

    def beyond(bound: float, alternative: str) -> float:
        """One-sided p that the mean change is above (greater) or below (less) ``bound``; 0 or 1 when
        every seed's change is the same (a rule that ignores the unpaired trials changes nothing)."""
        if np.ptp(changes) == 0:
            shown = changes[0] > bound if alternative == "greater" else changes[0] < bound
            return 0.0 if shown else 1.0
        return float(stats.ttest_1samp(changes, bound, alternative=alternative).pvalue)

    p_equivalent, p_decrease = beyond(-margin, "greater"), beyond(0.0, "less")
    verdict = HOLDS if p_equivalent < ALPHA else FAILS if p_decrease < ALPHA else INCONCLUSIVE
    name = claim.test.factor.rsplit(".", 1)[-1]
    change = Estimate.of(changes, claim.metric)
    return Verdict(claim, verdict, measured=f"change over {name} {levels[0]:g} to {levels[-1]:g}: {change.text()}",
                   test=f"non-inferiority, change above -{_number(margin)} (the claim's margin): p = {p_equivalent:.2g}; "
                        f"decrease: p = {p_decrease:.2g} (per-seed slopes, one-sided t)",
                   p=p_equivalent, data=data)


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
    p_remap = _greater(development - counter)
    p_repair = _greater(repair - counter)
    p = max(p_remap, p_repair)
    measured = "; ".join(f"{phase_label(phase)} {Estimate.of(wide[phase], claim.metric).text()}" for phase in PHASES)
    return Verdict(claim, HOLDS if p < ALPHA else FAILS, measured=measured,
                   test=f"paired one-sided t-tests: counter-mirror below development p = {p_remap:.2g}, "
                        f"repair above counter-mirror p = {p_repair:.2g}", p=p, data=data)


_JUDGES = {"range": _range, "above": _above, "not_above": _above, "lower_than": _lower_than, "trend": _trend,
           "reversal": _reversal}
