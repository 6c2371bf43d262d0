"""A claim's verdict from the runs that test it: exactly its planned seeds, judged by its test kind
(mirror/claims/kinds/), its p raw; then every p on the page adjusted together by :func:`settle`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from mirror.claims.kinds import KINDS
from mirror.claims.selection import Refused, exact_runs, provenance, select
from mirror.claims.spec import STATED, Claim
from mirror.claims.statistics import adjust
from mirror.claims.verdict import ALPHA, FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, REFUSED, History, Verdict, decide_with


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
        names += [f"params.{p}" for p in (*claim.selection, *claim.test.reference, *filter(None, [claim.test.factor]))
                  if p != "model"]
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
        verdict = KINDS[claim.test.kind].judge(claim, chosen, every_run, history)
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
            to_decide = decide_with(*verdict.spread, alpha=ALPHA * verdict.p / p if p > 0 else ALPHA)
        settled[id(verdict)] = replace(verdict, verdict=outcome, p_adjusted=p, p_against_adjusted=against,
                                       to_decide=to_decide if outcome == INCONCLUSIVE else "")
    return [settled.get(id(v), v) for v in verdicts]
