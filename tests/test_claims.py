"""The claims page built from a handful of runs in a real MLflow store, each verdict checked by hand:
three-valued verdicts, equivalence tests, the page-wide adjustment of p, exact small-n p, paired designs,
claims about every network, conditions side by side, and a selection refused when it is not exactly the
runs a claim names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from scipy import stats

from mirror.claims.spec import STATED, Claim, ClaimError, ClaimTest, read_claims, read_sources
from mirror.claims.statistics import adjust, seeds_to_decide, spearman
from mirror.claims.verdict import FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, REFUSED, Verdict
from mirror.claims.kinds.reversal import phase_ends
from mirror.claims.verdicts import judge, settle

CLAIMS = """
source: a test paper
seeds: [0, 1, 2, 3]
conditions:
  - {name: wide, where: {model.width: 2}}
  - {name: never run, where: {model.width: 7}}
references:
  control runs: {experiment: seeds, where: {model: control}, about: "the control, near zero"}
  shared runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}, about: the shared core}
  wide runs: {experiment: seeds, where: {model: shared_gru, model.width: 2}, about: too spread for any range}
  never run: {experiment: never_run, where: {model: planted}, about: not run}
claims:
  - id: R1
    statement: the fraction is 25-30 %
    runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}}
    metric: analysis/fraction
    test: {kind: range, low: 0.25, high: 0.30, tolerance: 0.01}
    margin_reason: one unit of a hundred
    control: the control's fraction
    controlled_by: [E1]
    calibration: {absent: control runs, present: shared runs}
  - id: R2
    statement: the control's fraction is 25-30 % too
    runs: {experiment: seeds, where: {model: control}}
    metric: analysis/fraction
    test: {kind: range, low: 0.25, high: 0.30, tolerance: 0.0}
    control: none
  - id: R3
    statement: the fraction is 20-28 %
    runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}}
    metric: analysis/fraction
    test: {kind: range, low: 0.20, high: 0.28, tolerance: 0.0}
    control: none
    calibration: {absent: control runs, present: wide runs}
  - id: B1
    statement: decoding beats chance
    runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}}
    metric: analysis/decoding
    test: {kind: above, reference_metric: analysis/chance}
    control: chance
    calibration: {absent: shared runs, present: never run}
  - id: E1
    statement: the control's fraction is zero
    runs: {experiment: seeds, where: {model: control}}
    metric: analysis/fraction
    test: {kind: equivalent, value: 0.0, margin: 0.05}
    margin_reason: five units of a hundred
    control: the shared core
    calibration: {absent: control runs, present: shared runs}
  - id: L1
    statement: the control is lower
    runs: {experiment: seeds, where: {model: control}}
    metric: analysis/fraction
    test: {kind: lower_than, reference: {model: shared_gru, model.width: 1}}
    control: the shared core, paired
  - id: T1
    statement: falls with the lag
    runs: {experiment: lags, where: {model: shared_gru}}
    seeds: [0, 1, 2]
    metric: analysis/fraction
    test: {kind: trend, factor: data.lag, direction: decreasing}
    control: lag 0
  - id: V1
    statement: counter-mirror training reverses, repair restores
    runs: {experiment: lags, where: {model: shared_gru, data.lag: 0}}
    seeds: [0, 1, 2]
    metric: curve/index
    test: {kind: reversal, phase_metric: curve/phase}
    control: development
  - id: W1
    statement: every network decodes above chance
    runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}}
    metric: analysis/decoding
    test: {kind: every, reference_metric: analysis/chance}
    control: chance
  - id: N1
    statement: nobody ran this
    runs: {experiment: never_run}
    metric: analysis/fraction
    test: {kind: range, low: 0, high: 1, tolerance: 0}
    control: none
"""
SEEDS = tuple(range(4))
"""The planned seeds of the claims built here."""
FRACTION = {"shared_gru": [0.26, 0.27, 0.28, 0.27], "control": [0.01, 0.03, 0.02, 0.0]}
WIDE = [0.3, 0.5, 0.1, 0.2]
"""model.width = 2: too spread for any range."""
DECODING, CHANCE = [0.6, 0.75, 0.8, 0.2], 0.25
LAG_VALUES = {0: [0.9, 0.8, 0.85], 2: [0.5, 0.6, 0.55], 4: [0.1, 0.3, 0.2]}
PHASE_ENDS = [[5.0, -1.0, 4.5], [6.0, -0.5, 4.0], [5.5, -0.7, 4.2]]
"""Development, counter-mirror and repair ends of the curves of the lag-0 runs."""


def _run(client: MlflowClient, experiment_id: str, model: str, params: dict, metrics: dict,
         histories: dict | None = None) -> str:
    run = client.create_run(experiment_id, tags={"mirror.model": model, "mirror.config_hash": uuid.uuid4().hex,
                                                 "mirror.sweep_id": "sweep1", "mlflow.source.git.commit": "abc123"})
    for name, value in params.items():
        client.log_param(run.info.run_id, name, value)
    for name, value in metrics.items():
        client.log_metric(run.info.run_id, name, value)
    for name, points in (histories or {}).items():
        for step, value in points:
            client.log_metric(run.info.run_id, name, value, step=step)
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("claims")
    uri = f"sqlite:///{root}/mlflow.db"
    client = MlflowClient(tracking_uri=uri)
    seeds = client.create_experiment("seeds", artifact_location=str(root / "artifacts"))
    for model, values in FRACTION.items():
        for seed, value in enumerate(values):
            metrics = {"analysis/fraction": value}
            if model == "shared_gru":
                metrics |= {"analysis/decoding": DECODING[seed], "analysis/chance": CHANCE}
            _run(client, seeds, model, {"seed": seed, "model.width": 1}, metrics)
    for seed, value in enumerate(WIDE):
        _run(client, seeds, "shared_gru", {"seed": seed, "model.width": 2},
             {"analysis/fraction": value, "analysis/decoding": 0.9, "analysis/chance": CHANCE})
    lags = client.create_experiment("lags", artifact_location=str(root / "artifacts"))
    for lag, values in LAG_VALUES.items():
        for seed, value in enumerate(values):
            histories = None
            if lag == 0:  # curves over three phases: development, counter-mirror, repair
                ends = PHASE_ENDS[seed]
                histories = {"curve/index": [(0, 0.0), (10, ends[0]), (20, ends[1]), (30, ends[2])],
                             "curve/phase": [(0, 0.0), (10, 0.0), (20, 1.0), (30, 2.0)]}
            _run(client, lags, "shared_gru", {"seed": seed, "data.lag": lag, "model.width": 1},
                 {"analysis/fraction": value}, histories)
    claims_dir = root / "claims"
    claims_dir.mkdir()
    (claims_dir / "1_test.yaml").write_text(CLAIMS)
    return uri, claims_dir, root


def _t_interval(values):
    values = np.asarray(values)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


@pytest.fixture(scope="module")
def matrix(store):
    from mirror.claims.matrix import evaluate

    uri, claims_dir, _ = store
    (matrix,) = evaluate(MlflowClient(tracking_uri=uri), read_sources(claims_dir))
    return matrix


@pytest.fixture(scope="module")
def verdicts(matrix):
    return {claim.id: matrix.cell(claim, STATED) for claim in matrix.source.claims}


def test_range_is_three_valued_by_hand(verdicts):
    low, high = _t_interval(FRACTION["shared_gru"])
    assert 0.24 <= low and high <= 0.31, "inside the range widened by its tolerance"
    assert verdicts["R1"].verdict == HOLDS
    assert verdicts["R1"].measured == f"{np.mean(FRACTION['shared_gru']):.3g} [{low:.3g}, {high:.3g}] (n = 4)"
    assert _t_interval(FRACTION["control"])[1] < 0.25 and verdicts["R2"].verdict == FAILS, "wholly outside"
    assert low < 0.28 < high and verdicts["R3"].verdict == INCONCLUSIVE, "an interval that straddles a bound"
    sd, distance = np.std(FRACTION["shared_gru"], ddof=1), 0.28 - np.mean(FRACTION["shared_gru"])
    n = next(n for n in range(2, 1000) if stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) < distance)
    assert verdicts["R3"].to_decide.startswith(f"about {n} seeds would decide it")


def test_every_p_on_the_page_is_adjusted_together_by_benjamini_hochberg(matrix):
    tested = [v for v in matrix.cells.values() if v.tested]
    for raw, adjusted in (("p", "p_adjusted"), ("p_against", "p_against_adjusted")):
        expected = stats.false_discovery_control([getattr(v, raw) for v in tested], method="bh")
        assert [getattr(v, adjusted) for v in tested] == pytest.approx(expected)
    assert adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04]), "by hand: 3p/1, 3p/3, min(3p/2, next)"


def test_above_is_a_paired_one_sided_t_test_judged_on_its_adjusted_p(verdicts):
    differences = np.array(DECODING) - CHANCE
    t = differences.mean() / (differences.std(ddof=1) / np.sqrt(4))
    verdict = verdicts["B1"]
    assert verdict.p == pytest.approx(stats.t.sf(t, 3)) and verdict.p_against == pytest.approx(stats.t.cdf(t, 3))
    assert verdict.p_adjusted >= verdict.p
    assert verdict.verdict == (HOLDS if verdict.p_adjusted < 0.05 else INCONCLUSIVE)


def test_settle_turns_a_borderline_p_from_holds_to_inconclusive():
    claim = Claim(id="X", source="s", seeds=SEEDS, statement="", experiment="e", where={}, metric="m",
                  test=ClaimTest(kind="above", value=0.0))

    alone = settle([Verdict(claim, INCONCLUSIVE, p=0.049, p_against=0.95)])
    assert alone[0].verdict == HOLDS
    crowded = settle([Verdict(claim, INCONCLUSIVE, p=0.049, p_against=0.95),
                      Verdict(claim, INCONCLUSIVE, p=0.5, p_against=0.5)])
    assert crowded[0].p_adjusted == pytest.approx(0.098) and crowded[0].verdict == INCONCLUSIVE


def test_absence_is_an_equivalence_test_by_hand(verdicts):
    values = np.array(FRACTION["control"])
    se = values.std(ddof=1) / 2
    p_low = stats.t.sf((values.mean() + 0.05) / se, 3)
    p_high = stats.t.cdf((values.mean() - 0.05) / se, 3)
    assert verdicts["E1"].p == pytest.approx(max(p_low, p_high))
    assert verdicts["E1"].verdict == HOLDS and "within +-0.05" in verdicts["E1"].test


def test_absence_is_not_assumed_from_a_non_significant_test():
    """Values spread around chance are neither shown equivalent nor shown above it: inconclusive, where the
    old rule called a non-significant excess 'holds'."""
    rows = pd.DataFrame({"model": "m", "seed": range(4), "run_id": list("abcd"),
                         "metrics.y": [0.01, 0.54, 0.3, 0.2]})
    claim = Claim(id="Z", source="s", seeds=SEEDS, statement="", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="equivalent", value=0.25, margin=0.05))
    (verdict,) = settle([judge(claim, rows)])
    assert verdict.verdict == INCONCLUSIVE


def test_lower_than_pairs_by_seed_when_both_hold_the_same_seeds(verdicts):
    differences = np.array(FRACTION["control"]) - np.array(FRACTION["shared_gru"])
    t = differences.mean() / (differences.std(ddof=1) / 2)
    assert verdicts["L1"].p == pytest.approx(stats.t.cdf(t, 3)) and "paired by seed" in verdicts["L1"].test
    assert verdicts["L1"].verdict == HOLDS


def test_a_trend_whose_seeds_recur_at_every_level_tests_the_per_seed_slopes(verdicts):
    slopes = [np.polyfit([0, 2, 4], [LAG_VALUES[lag][seed] for lag in (0, 2, 4)], 1)[0] for seed in range(3)]
    t = np.mean(slopes) / (np.std(slopes, ddof=1) / np.sqrt(3))
    assert verdicts["T1"].p == pytest.approx(stats.t.cdf(t, 2))
    assert "per-seed slopes (3 seeds" in verdicts["T1"].test and verdicts["T1"].verdict == HOLDS


def test_spearman_on_three_runs_has_the_exact_p_of_one_sixth():
    rho, p, _, exact = spearman(np.array([0, 1, 2]), np.array([3.0, 2.0, 1.0]))
    assert rho == pytest.approx(-1.0) and p == pytest.approx(1 / 6) and exact
    x, y = np.arange(12.0), np.array([5, 3, 8, 1, 9, 2, 7, 4, 6, 0, 11, 10.0])
    assert spearman(x, y)[2] == pytest.approx(stats.spearmanr(x, y, alternative="greater").pvalue)
    # Four runs, by hand: of the 24 orderings of y, rho = 0.8 or more in 4 (the identity and three one-swaps
    # of neighbours give 1, 0.8, 0.8, 0.8), rho <= 0.8 in 23.
    rho, p_less, p_greater, exact = spearman(np.arange(4.0), np.array([1.0, 0.0, 2.0, 3.0]))
    assert rho == pytest.approx(0.8) and p_greater == pytest.approx(4 / 24) and p_less == pytest.approx(23 / 24)


def test_reversal_reads_each_phases_end_and_tests_each_sign(verdicts):
    ends = np.array(PHASE_ENDS)
    signed = (ends[:, 0], -ends[:, 1], ends[:, 2])  # above 0, below 0, above 0 again
    p = [stats.t.sf(d.mean() / (d.std(ddof=1) / np.sqrt(3)), 2) for d in signed]
    assert verdicts["V1"].p == pytest.approx(max(p))
    assert verdicts["V1"].verdict == HOLDS and verdicts["V1"].value == pytest.approx(ends[:, 1].mean())
    assert phase_ends([(0, 0.0), (10, 3.0), (20, 1.0)], [(0, 0.0), (10, 0.0), (20, 1.0)]) == [3.0, 1.0]


def test_a_curve_that_only_weakens_is_not_a_reversal(verdicts):
    """Any rule that keeps learning lowers its curve in counter-mirror training; only a change of sign re-maps."""
    from mirror.claims.kinds.reversal import Reversal

    def judged(counter_ends):
        def history(run_id, metric):
            ends = (5.0, counter_ends[run_id], 4.5)
            return ([(10 * k, float(k)) for k in range(3)] if metric == "curve/phase"
                    else [(10 * k, end) for k, end in enumerate(ends)])
        chosen = pd.DataFrame({"run_id": [0, 1, 2], "seed": [0, 1, 2]})
        return Reversal().judge(verdicts["V1"].claim, chosen, chosen, history)

    weakened, remapped = judged([1.0, 1.5, 0.8]), judged([-1.0, -1.5, -0.8])
    assert weakened.p > 0.5 and weakened.p_against < 0.05, "still above zero after counter-mirror training"
    assert remapped.p < 0.05 and remapped.p_against > 0.5


def test_a_claim_about_every_network_is_judged_seed_by_seed(verdicts, matrix):
    verdict = verdicts["W1"]
    low, high = stats.binomtest(3, 4).proportion_ci(method="exact")
    assert verdict.verdict == FAILS and verdict.value == 0.75, "seed 3 decodes below chance"
    assert f"3 of 4 seeds (75%, Clopper-Pearson 95 % [{low:.2f}, {high:.2f}])" == verdict.measured
    assert "seeds 3 do not" in verdict.test and not verdict.tested
    wide = matrix.cells["W1", "wide"]
    assert wide.verdict == HOLDS and wide.value == 1.0


def test_each_condition_with_runs_is_a_column_and_the_sentences_follow_from_the_matrix(matrix):
    from mirror.claims.matrix import synthesis

    assert matrix.columns == (STATED, "wide"), "a condition the store has no runs for is no column"
    assert matrix.cells["R1", "wide"].verdict == INCONCLUSIVE
    assert matrix.cells["R2", "wide"].verdict == NOT_RUN, "no control run is wide"
    sentences = synthesis(matrix)
    assert sentences[0].startswith("Under no condition do all 10 claims hold together")
    assert "W1 (does not hold as stated) holds under 'wide'." in sentences
    assert "Not run yet as stated: N1." in sentences and not any(s.startswith("N1 (") for s in sentences)


def test_a_verdict_counts_only_where_its_own_rule_separates_its_two_references(matrix):
    from mirror.claims.calibration import DIAGNOSTIC, NOT_CALIBRATED, NOT_DIAGNOSTIC
    from mirror.claims.page import counted
    from mirror.claims.spec import ABSENT, PRESENT

    calibration = {claim.id: matrix.calibration(claim) for claim in matrix.source.claims}
    r1 = calibration["R1"]  # 25-30 %: the control (about 1.5 %) is outside, the shared core (27 %) inside
    assert (r1.references[ABSENT].verdict, r1.references[PRESENT].verdict, r1.status) == (FAILS, HOLDS, DIAGNOSTIC)
    assert r1.references[ABSENT].value == pytest.approx(np.mean(FRACTION["control"]))
    r3 = calibration["R3"]  # the present reference is too spread to hold: the rule cannot show the effect there
    assert (r3.references[PRESENT].verdict, r3.status) == (INCONCLUSIVE, NOT_DIAGNOSTIC)
    assert "inconclusive where its effect is present" in r3.why()
    e1 = calibration["E1"]  # a claim of absence: it must hold where the effect is absent and not where it is present
    assert (e1.references[ABSENT].verdict, e1.references[PRESENT].verdict, e1.status) == (HOLDS, FAILS, DIAGNOSTIC)
    assert calibration["B1"].status == NOT_CALIBRATED and "effect present reference" in calibration["B1"].why()
    assert calibration["R2"].status == NOT_CALIBRATED and calibration["R2"].references == {}
    assert matrix.cell(matrix.source.claims[2], STATED).verdict == INCONCLUSIVE, "R3 itself, shown but counted apart"
    assert counted([matrix]) == {HOLDS: 2, NOT_DIAGNOSTIC: 1, NOT_CALIBRATED: 6, NOT_RUN: 1}
    references = [v for c in calibration.values() for v in c.references.values() if v.tested]
    assert references and all(np.isfinite(v.p_adjusted) for v in references), "settled as a family of their own"


def test_a_reference_must_name_what_it_is_and_a_claim_both_of_its_references(tmp_path):
    claim = "{id: X1, statement: s, runs: {experiment: e}, metric: m, control: c, test: {kind: range, low: 0, high: 1, tolerance: 0}"
    for references, calibration, message in (
            ("{a: {experiment: e, where: {}}}", "", r"reference 'a': needs about"),
            ("{a: {experiment: e, where: {}, about: x, by: y}}", "", r"reference 'a': has unknown field\(s\) by"),
            ("{a: {experiment: e, where: {}, about: x}}", ", calibration: {absent: a}", r"X1: calibration must name two"),
            ("{a: {experiment: e, where: {}, about: x}}", ", calibration: {absent: a, present: b}",
             r"X1: calibration names b, no reference of this file"),
            ("{a: {experiment: e, where: {}, about: x}}", ", calibration: {none: ''}",
             r"X1: calibration: none must say why no reference is known")):
        (tmp_path / "bad.yaml").write_text(f"source: x\nseeds: [0, 1]\nreferences: {references}\n"
                                           f"claims:\n  - {claim}{calibration}}}\n")
        with pytest.raises(ClaimError, match=message):
            read_claims(tmp_path)


def test_a_claim_may_say_why_no_reference_is_known_and_stays_not_calibrated(tmp_path):
    from mirror.claims.calibration import NOT_CALIBRATED, Calibration

    claim = ("{id: X1, statement: s, runs: {experiment: e}, metric: m, control: c, "
             "test: {kind: range, low: 0, high: 1, tolerance: 0}, calibration: {none: no network is known to}}")
    (tmp_path / "ok.yaml").write_text(f"source: x\nseeds: [0, 1]\nclaims:\n  - {claim}\n")
    (read,) = read_claims(tmp_path)
    calibration = Calibration(read, {})
    assert calibration.status == NOT_CALIBRATED
    assert calibration.why() == "not calibrated: no reference is known (no network is known to)"


def test_a_reference_may_plan_its_own_seeds(tmp_path):
    from mirror.claims.spec import ABSENT, PRESENT

    claim = ("{id: X1, statement: s, runs: {experiment: e}, metric: m, control: c, "
             "test: {kind: range, low: 0, high: 1, tolerance: 0}, calibration: {absent: a, present: b}}")
    (tmp_path / "ok.yaml").write_text("source: x\nseeds: [0, 1, 2, 3]\nreferences: {a: {experiment: e, where: {}, "
                                      "about: x, seeds: [0, 1]}, b: {experiment: e, where: {}, about: y}}\n"
                                      f"claims:\n  - {claim}\n")
    (read,) = read_claims(tmp_path)
    assert read.on(ABSENT).seeds == (0, 1) and read.on(PRESENT).seeds == (0, 1, 2, 3) == read.seeds
    (tmp_path / "ok.yaml").write_text((tmp_path / "ok.yaml").read_text().replace("seeds: [0, 1]}", "seeds: [0, 0]}"))
    with pytest.raises(ClaimError, match="reference 'a': seeds lists a seed twice"):
        read_claims(tmp_path)


def test_a_store_with_few_runs_reads_as_correct_sentences(matrix):
    from dataclasses import replace

    from mirror.claims.calibration import Calibration
    from mirror.claims.matrix import synthesis
    from mirror.claims.page import adjustment_line

    nothing = replace(matrix, cells={key: Verdict(cell.claim, NOT_RUN) for key, cell in matrix.cells.items()},
                      calibrations={claim.id: Calibration(claim, {}) for claim in matrix.source.claims})
    claims = len(matrix.source.claims)
    assert synthesis(nothing) == [f"None of the {claims} claims holds under any condition the store has runs for.",
                                  "Not run yet as stated: " + ", ".join(c.id for c in matrix.source.claims) + "."]
    assert adjustment_line([nothing]) == "No cell was tested yet, so no p is shown or adjusted."


def test_the_page_names_a_server_by_its_address_and_no_path_outside_the_repository(tmp_path):
    from mirror.claims.page import store_name

    assert store_name("sqlite:///mlruns/mlflow.db") == "the local MLflow store mlruns/mlflow.db"
    assert store_name(f"sqlite:///{tmp_path}/mlflow.db") == "a local MLflow store"
    assert store_name("http://127.0.0.1:5999/?token=abc") == "the MLflow server http://127.0.0.1:5999/"


def test_a_selection_that_mixes_configs_or_repeats_a_seed_is_refused():
    rows = pd.DataFrame({"model": "m", "seed": [0, 1, 0], "run_id": list("abc"), "params.trainer.max_epochs": [20, 20, 0],
                         "metrics.y": [0.3, 0.2, 0.1]})
    claim = Claim(id="Z", source="s", seeds=(0, 1), statement="", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="range", low=-10, high=10, tolerance=0))
    verdict = judge(claim, rows)
    assert verdict.verdict == REFUSED and "trainer.max_epochs (0, 20) differ; pin them" in verdict.test
    pinned = judge(Claim(**{**claim.__dict__, "where": {"trainer.max_epochs": 20}}), rows)
    assert pinned.verdict == HOLDS and list(pinned.runs["run_id"]) == ["a", "b"]
    twice = judge(claim, rows.assign(**{"params.trainer.max_epochs": 20}))
    assert twice.verdict == REFUSED and "seed 0 appears twice" in twice.test
    # A param that follows the seed is no config, even as floats (a column other models of the experiment lack).
    following = judge(Claim(**{**claim.__dict__, "where": {"trainer.max_epochs": 20}}),
                      rows.assign(**{"params.model.seed": [0.0, 1.0, 0.0]}))
    assert following.verdict == HOLDS


def test_absence_against_other_runs_of_the_same_seeds_is_tost_paired_by_seed_by_hand():
    trained, untrained = np.array([0.36, 0.40, 0.33, 0.38]), np.array([0.35, 0.36, 0.35, 0.36])
    rows = pd.DataFrame({"model": "m", "seed": [0, 1, 2, 3] * 2, "run_id": list("abcdefgh"),
                         "params.trainer.max_epochs": [20] * 4 + [0] * 4,
                         "metrics.cka": np.concatenate([trained, untrained])})
    claim = Claim(id="Z", source="s", seeds=(0, 1, 2, 3), statement="", experiment="e",
                  where={"trainer.max_epochs": 20}, metric="cka",
                  test=ClaimTest(kind="equivalent", reference={"trainer.max_epochs": 0}, margin=0.1))
    verdict = judge(claim, rows)
    differences = trained - untrained
    p_inside = max(stats.ttest_1samp(differences, -0.1, alternative="greater").pvalue,
                   stats.ttest_1samp(differences, 0.1, alternative="less").pvalue)
    assert verdict.p == pytest.approx(p_inside) and "trainer.max_epochs=0" in verdict.test
    assert sorted(verdict.runs["run_id"]) == list("abcdefgh"), "both groups' runs are its provenance"
    one_missing = judge(claim, rows.drop(index=7))
    assert one_missing.verdict == NOT_RUN and "needs the same seeds" in one_missing.test


def test_a_claim_without_runs_is_not_run_yet(verdicts, store):
    assert verdicts["N1"].verdict == NOT_RUN
    assert judge(read_claims(store[1])[0], None).verdict == NOT_RUN


def test_seeds_to_decide_by_hand():
    assert seeds_to_decide(0.5, 1.0, 0.05) == next(n for n in range(2, 100)
                                                 if stats.t.ppf(0.95, n - 1) / np.sqrt(n) < 0.5)
    assert seeds_to_decide(0.0, 1.0, 0.05) is None


def test_the_page_is_one_self_contained_file_with_its_figures_as_pdf_and_its_markdown_logged_to_mlflow(store):
    uri, claims_dir, root = store
    result = subprocess.run([sys.executable, "-m", "mirror.claims", "--claims", str(claims_dir), "--out",
                             str(root / "paper"), "--tracking-uri", uri, "--artifact-root", str(root / "artifacts"),
                             "--publish", str(root / "published.md")],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (root / "paper" / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 9, "a figure for every claim that was run"
    assert "src=\"http" not in page and "<link" not in page, "nothing outside the file"
    assert "Benjamini-Hochberg" in page and 'href="#claim-' in page, "the adjustment named; cells link to rows"
    markdown = (root / "paper" / "claims.md").read_text()
    assert markdown == (root / "published.md").read_text()
    assert ("| R1 | the fraction is 25-30 % | 🎯 diagnostic | ✅ holds 27 % of units | ❌ does not hold 1.5 % of units | "
            "✅ holds 27 % of units | ❔ inconclusive 27.5 % of units |") in markdown, "each number with its unit"
    assert "seeds 0-3; sweep sweep1; trained at abc123" in markdown
    client = MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("claims").experiment_id])
    assert run.data.tags["mirror.role"] == "report" and run.info.status == "FINISHED"
    assert run.data.metrics == {"claims/n_holds": 2.0, "claims/n_does_not_hold": 0.0, "claims/n_inconclusive": 0.0,
                                "claims/n_not_diagnostic": 1.0, "claims/n_not_calibrated": 6.0,
                                "claims/n_not_run_yet": 1.0, "claims/n_refused": 0.0}
    assert sorted(a.path for a in client.list_artifacts(run.info.run_id, "paper")) == ["paper/claims.md",
                                                                                        "paper/figures",
                                                                                        "paper/index.html"]
    figures = sorted(path.name for path in (root / "paper" / "figures").iterdir())
    assert len(figures) == 18 and {name.rsplit(".", 1)[1] for name in figures} == {"png", "pdf"}, "a PDF per PNG"
    assert page.count('.pdf" title="the figure as a PDF"') == 9


def test_a_wrong_claim_file_names_the_file_claim_and_field(tmp_path):
    claim = "{id: X1, statement: s, runs: {experiment: e}, metric: m, control: c, test: %s}"
    for test, message in (("{kind: range, low: 0.5, high: 0.1, tolerance: 0}", r"^bad.yaml, claim X1: a range test needs low <= high$"),
                          ("{kind: median}", r"X1: test.kind must be one of"),
                          ("{kind: range, low: 0, high: 1}", r"X1: a range test needs tolerance >= 0"),
                          ("{kind: equivalent, value: 0}", r"X1: an equivalent test needs margin > 0")):
        (tmp_path / "bad.yaml").write_text(f"source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {claim % test}\n")
        with pytest.raises(ClaimError, match=message):
            read_claims(tmp_path)
    (tmp_path / "bad.yaml").write_text("source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {id: X1, statement: s, runs: {experiment: e}, metric: m, "
                                       "test: {kind: range, low: 0, high: 1, tolerance: 0}}\n")
    with pytest.raises(ClaimError, match=r"X1: missing field\(s\) control$"):
        read_claims(tmp_path)


@pytest.mark.parametrize(("claim", "expected"), [
    ("{id: X, statement: s, control: c, runs: {experiment: seeds}, metric: analysis/fractoin, test: {kind: range, low: 0, high: 1, tolerance: 0}}",
     "1_typo.yaml, claim X: metric 'analysis/fractoin' was logged by none of the 12 finished runs of experiment 'seeds'"),
    ("{id: X, statement: s, control: c, runs: {experiment: seeds, where: {data.lgs: 3}}, metric: analysis/fraction, "
     "test: {kind: range, low: 0, high: 1, tolerance: 0}}",
     "1_typo.yaml, claim X: runs.where.data.lgs names 'data.lgs', a param none of the 12 finished runs"),
    ("{id: X, statement: s, control: c, runs: {experiment: lags}, metric: analysis/fraction, "
     "test: {kind: trend, factor: data.lg}}", "1_typo.yaml, claim X: test.factor names 'data.lg'"),
    ("{id: X, statement: s, control: c, runs: {experiment: lags}, metric: curve/index, "
     "test: {kind: reversal, phase_metric: curve/phse}}", "1_typo.yaml, claim X: test.phase_metric 'curve/phse'"),
    ("{id: X, statement: s, control: c, runs: {experiment: seeds}, metric: analysis/fraction, "
     "test: {kind: above, reference_metric: analysis/chanse}}", "1_typo.yaml, claim X: test.reference_metric 'analysis/chanse'"),
])
def test_a_name_no_run_has_is_an_error_in_the_claim_file_not_a_claim_not_run_yet(store, tmp_path, claim, expected):
    from mirror.claims.matrix import evaluate

    uri, _, _ = store
    (tmp_path / "1_typo.yaml").write_text(f"source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {claim}\n")
    with pytest.raises(ClaimError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")):
        evaluate(MlflowClient(tracking_uri=uri), read_sources(tmp_path))


def test_a_condition_naming_a_param_no_run_has_is_an_error(store, tmp_path):
    from mirror.claims.matrix import evaluate

    uri, _, _ = store
    every_experiment_run = CLAIMS[:CLAIMS.index("  - id: N1")]  # checked once each experiment has runs
    (tmp_path / "1_typo.yaml").write_text(every_experiment_run.replace("model.width: 7", "model.wdth: 7"))
    with pytest.raises(ClaimError, match=r"^1_typo.yaml, condition 'never run': where.model.wdth names a param"):
        evaluate(MlflowClient(tracking_uri=uri), read_sources(tmp_path))


GOOD = "{id: X, statement: s, control: c, runs: {experiment: e}, metric: m, test: {kind: above, value: 0}}"
"""A claim a file may state: the cases below each break one field of it."""


def _claim_with(**test: str) -> str:
    fields = ", ".join(f"{key}: {value}" for key, value in test.items())
    return f"{{id: X, statement: s, control: c, runs: {{experiment: e}}, metric: m, margin_reason: r, test: {{{fields}}}}}"


@pytest.mark.parametrize(("claim", "expected"), [
    # claims that could not fail, or never be judged: every bound and margin finite, margins positive
    (_claim_with(kind="range", low=0, high=1, tolerance=".inf"), "test.tolerance must be a finite number, got inf"),
    (_claim_with(kind="range", low="-.inf", high=".inf", tolerance=0), "test.low must be a finite number, got -inf"),
    (_claim_with(kind="equivalent", value=0, margin=".inf"), "test.margin must be a finite number, got inf"),
    (_claim_with(kind="equivalent", value=0, margin=-0.1), "test.margin must be positive, got -0.1"),
    (_claim_with(kind="every", value="-.inf"), "test.value must be a finite number, got -inf"),
    (_claim_with(kind="above", value=".nan"), "test.value must be a finite number, got nan"),
    (_claim_with(kind="range", low=0, high=1, tolerance=-1), "test.tolerance must not be negative, got -1"),
    # malformed fields: one line naming the field, before any store is read
    ("{id: X, statement: {a: 1}, control: c, runs: {experiment: e}, metric: m, test: {kind: above, value: 0}}",
     "statement must be text, got {'a': 1}"),
    ("{id: X, statement: s, control: c, runs: {experiment: e, where: [1, 2]}, metric: m, test: {kind: above, value: 0}}",
     "runs.where must map a param to its value, got [1, 2]"),
    ("{id: X, statement: s, control: c, runs: {experiment: e, where: {seed: [1, 2]}}, metric: m, "
     "test: {kind: above, value: 0}}", "runs.where.seed must be one value (text or a finite number), got [1, 2]"),
])
def test_a_claim_that_cannot_fail_or_is_malformed_is_refused_naming_file_claim_and_field(tmp_path, claim, expected):
    (tmp_path / "bad.yaml").write_text(f"source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {claim}\n")
    with pytest.raises(ClaimError, match="^bad.yaml, claim X: " + re.escape(expected) + "$"):
        read_sources(tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    (f"source: x\nseeds: [0]\nconditions:\n  - {{name: n, metrics: {{m: {{metric: m2, margin: -5}}}}}}\n"
     f"claims:\n  - {GOOD}\n", "bad.yaml, condition 1: metrics.m.margin must be a positive finite number, got -5"),
    (f"source: x\nseeds: [0]\nconditions:\n  - {{name: n, metrics: {{m: {{metric: m2, margin: abc}}}}}}\n"
     f"claims:\n  - {GOOD}\n", "bad.yaml, condition 1: metrics.m.margin must be a positive finite number, got 'abc'"),
    (f"source: x\nseeds: [0]\nconditions:\n  - {{name: n, where: [1, 2]}}\nclaims:\n  - {GOOD}\n",
     "bad.yaml, condition 1: where must map a param to its value, got [1, 2]"),
    ("source: x\nseeds: [0]\nclaims: []\n", "bad.yaml: claims must list between 1 and 1000 claims, got 0"),
    (f"source: {{a: 1}}\nseeds: [0]\nclaims:\n  - {GOOD}\n", "bad.yaml: source must name the source in text, got {'a': 1}"),
])
def test_a_malformed_file_or_condition_is_refused_in_one_line(tmp_path, text, expected):
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(ClaimError, match="^" + re.escape(expected) + "$"):
        read_sources(tmp_path)


def test_a_latin_1_file_and_a_file_too_large_are_refused_before_anything_is_read(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(f"source: caf\xe9\nseeds: [0]\nclaims:\n  - {GOOD}\n".encode("latin-1"))
    with pytest.raises(ClaimError, match=r"^bad.yaml: not UTF-8 text \(byte 11\); save it as UTF-8$"):
        read_sources(tmp_path)
    huge = "source: x\nseeds: [0]\nclaims:\n" + "".join(f"  - {GOOD.replace('X', f'X{i}')}\n" for i in range(20000))
    (tmp_path / "bad.yaml").write_text(huge)
    started = time.perf_counter()
    with pytest.raises(ClaimError, match=r"^bad.yaml: is [\d,]+ bytes; a claim file is at most 1,000,000$"):
        read_sources(tmp_path)
    assert time.perf_counter() - started < 5, "refused from its size, not after parsing it"


@pytest.mark.parametrize(("files", "expected"), [
    ({"bad.yaml": "source: x\nseeds: [0, 1, 2, 3]\nclaims: [\n"}, r"^bad.yaml: not valid YAML at line \d+"),
    ({"bad.yaml": "source: x\nseeds: [0, 1, 2, 3]\nclaims: 5\n"}, r"^bad.yaml: needs 'source' and a list 'claims'$"),
    ({"bad.yaml": "source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {id: X, statement: s, control: c, runs: {experiment: e}, metric: m, "
                  "test: {kind: range, low: a, high: 1, tolerance: 0}}\n"}, r"^bad.yaml, claim X: test.low must be a finite number, got 'a'$"),
    ({"bad.yaml": f"source: x\nseeds: [0, 1, 2, 3]\nconditions:\n  - {{where: {{a: 1}}}}\nclaims:\n  - {GOOD}\n"},
     r"^bad.yaml, condition 1: a condition needs a name$"),
    ({}, r"holds no claim files \(\*.yaml\)$"),
])
def test_a_malformed_claims_file_or_folder_is_one_line_naming_it(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ClaimError, match=expected):
        read_claims(tmp_path)
    with pytest.raises(ClaimError, match=r"is not a folder of claim files$"):
        read_claims(tmp_path / "missing")


def test_the_claims_page_stops_on_a_claim_file_error_in_one_line(store, tmp_path):
    uri, _, _ = store
    (tmp_path / "1_typo.yaml").write_text("source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - {id: X, statement: s, control: c, runs: {experiment: seeds}, "
                                          "metric: nope, test: {kind: range, low: 0, high: 1, tolerance: 0}}\n")
    result = subprocess.run([sys.executable, "-m", "mirror.claims", "--claims", str(tmp_path), "--out",
                             str(tmp_path / "paper"), "--tracking-uri", uri, "--no-mlflow-run"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == ("mirror.claims: 1_typo.yaml, claim X: metric 'nope' was logged by none of the 12 "
                                     "finished runs of experiment 'seeds'")
    assert not (tmp_path / "paper").exists()


def test_the_shipped_claims_cover_every_claim_of_the_specification():
    ids = {claim.id.split(" ")[0] for claim in read_claims()}
    assert {*(f"D{k}" for k in (*range(1, 13), 14, 15)), "H1", "H2", "H3", "H4", "A1", "A2", "A2s", "A3", "A4", "A5",
            "M0", "M1", "M2", "M3"} <= ids


def _no_decrease_verdict(changes_by_seed: list[float], margin: float):
    """A 'no decrease' claim over runs at levels 0, 0.4, 0.8 whose per-seed fall is exactly linear."""
    rows = [{"model": "m", "seed": seed, "run_id": f"{seed}-{level}", "params.x": level,
             "metrics.y": 5.0 + change * level / 0.8}
            for seed, change in enumerate(changes_by_seed) for level in (0.0, 0.4, 0.8)]
    claim = Claim(id="Z", source="s", seeds=tuple(range(len(changes_by_seed))), statement="no decrease", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="trend", factor="x", direction="none", margin=margin))
    (verdict,) = settle([judge(claim, pd.DataFrame(rows))])
    return verdict


def test_a_claim_of_no_decrease_is_a_non_inferiority_test_by_hand():
    flat = _no_decrease_verdict([0.0] * 5, margin=1.0)
    assert flat.verdict == HOLDS and flat.p == 0.0, "no change in any seed lies inside any margin"
    small = [0.1, -0.2, 0.0, 0.15, -0.05]
    verdict = _no_decrease_verdict(small, margin=1.0)
    assert verdict.p == pytest.approx(stats.ttest_1samp(small, -1.0, alternative="greater").pvalue)
    assert verdict.verdict == HOLDS
    falling = _no_decrease_verdict([-3.0, -2.5, -3.5, -2.8, -3.1], margin=1.0)
    assert falling.verdict == FAILS, "a fall shown beyond zero does not hold"
    unclear = _no_decrease_verdict([-1.5, 1.2, -0.8, 0.9, -1.4], margin=0.5)
    assert unclear.verdict == INCONCLUSIVE, "neither inside the margin nor shown to fall"
    assert "change above -0.5 (the claim's margin)" in unclear.test


def test_each_test_kind_is_one_module_registered_with_its_judge_figure_and_legend():
    import importlib
    import pkgutil

    import mirror.claims.kinds as kinds
    from mirror.claims.kinds.base import TestKind
    from mirror.claims.spec import TEST_KINDS

    modules = [m.name for m in pkgutil.iter_modules(kinds.__path__) if m.name != "base"]
    for name in modules:
        module = importlib.import_module(f"mirror.claims.kinds.{name}")
        (kind,) = [k for k in vars(module).values()
                   if isinstance(k, type) and issubclass(k, TestKind) and k.__module__ == module.__name__]
        assert kind.name == name and type(kinds.KINDS[name]) is kind, f"{name}.py's kind is registered by its name"
        assert kind.judge is not TestKind.judge and kind.draw is not TestKind.draw and kind.legend
    assert sorted(TEST_KINDS) == sorted(modules), "the page's legend lists every kind, from the kinds themselves"


def test_provenance_names_seeds_sweeps_and_mixed_commits_and_links_runs_to_a_server():
    from mirror.claims.provenance import run_links, summary

    claim = Claim(id="Z", source="s", seeds=SEEDS, statement="", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="above", value=0.0))
    runs = pd.DataFrame({"run_id": ["r1", "r2", "r3"], "seed": [0, 1, 2], "commit": ["aaaa", "aaaa", "bbbb"],
                         "sweep_id": ["s1", "s1", "s2"], "experiment_id": ["7", "7", "7"]})
    verdict = Verdict(claim, HOLDS, runs=runs)
    assert summary(verdict) == ("3 runs, seeds 0-2; sweeps s1, s2; trained at aaaa, bbbb; mixes 2 commits "
                                "(a resumed sweep)")
    assert run_links(verdict, "http://mlflow:5000/")[0] == ("r1", "http://mlflow:5000/#/experiments/7/runs/r1?workflowType=machine_learning")
    assert run_links(verdict, None)[2] == ("r3", None)


def test_an_experiment_without_the_claims_model_is_not_run_yet_and_a_reference_may_be_another_model():
    rows = pd.DataFrame({"model": ["gru"] * 3 + ["control"] * 3, "seed": [0, 1, 2] * 2, "run_id": list("abcdef"),
                         "metrics.y": [0.5, 0.6, 0.55, 0.1, 0.2, 0.15]})
    absent = Claim(id="Z", source="s", seeds=SEEDS, statement="", experiment="e", where={"model": "hebbian"}, metric="nope",
                   test=ClaimTest(kind="above", value=0.0))
    assert judge(absent, rows).verdict == NOT_RUN, "a store holding only other models' runs is not a typo"
    lower = Claim(id="Z", source="s", seeds=(0, 1, 2), statement="", experiment="e", where={"model": "control"}, metric="y",
                  test=ClaimTest(kind="lower_than", reference={"model": "gru"}))
    (verdict,) = settle([judge(lower, rows)])
    assert verdict.p == 0.0 and verdict.verdict == HOLDS, "every seed 0.4 lower: no spread, the sign decides"
    assert len(verdict.runs) == 6, "the claim's runs and the reference's"


def test_the_seeds_that_would_decide_a_claim_are_counted_at_the_level_its_adjusted_p_implies():

    claim = Claim(id="X", source="s", seeds=SEEDS, statement="", experiment="e", where={}, metric="m",
                  test=ClaimTest(kind="above", value=0.0))
    borderline = Verdict(claim, INCONCLUSIVE, p=0.03, p_against=0.97, spread=(0.5, 1.0))
    settled = settle([borderline, Verdict(claim, INCONCLUSIVE, p=0.9, p_against=0.1)])[0]
    assert settled.verdict == INCONCLUSIVE and settled.p_adjusted == pytest.approx(0.06)
    n = seeds_to_decide(0.5, 1.0, 0.025)  # BH doubled the lower p: its raw level is 0.05 / 2
    assert n > seeds_to_decide(0.5, 1.0, 0.05)
    assert settled.to_decide.startswith(f"about {n} seeds would decide it")


def test_a_verdict_reads_exactly_the_planned_seeds_an_extra_one_cannot_move_it_and_fewer_give_none():
    rows = pd.DataFrame({"model": "m", "seed": [0, 1, 2, 3], "run_id": list("abcd"), "metrics.y": [0.26, 0.27, 0.28, 0.27]})
    claim = Claim(id="P", source="s", seeds=SEEDS, statement="", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="range", low=0.25, high=0.30, tolerance=0.01))
    planned = judge(claim, rows)
    assert planned.verdict == HOLDS
    extra = pd.concat([rows, pd.DataFrame({"model": ["m"], "seed": [4], "run_id": ["e"], "metrics.y": [9.0]})])
    again = judge(claim, extra)
    assert (again.verdict, again.value, again.measured) == (planned.verdict, planned.value, planned.measured)
    assert list(again.runs["run_id"]) == list("abcd"), "the extra seed is not read"
    fewer = judge(claim, rows[rows["seed"] < 3])
    assert fewer.verdict == NOT_RUN and fewer.test == "3 of 4 planned seeds: no verdict yet"


def test_a_claim_without_planned_seeds_is_refused_naming_the_field(tmp_path):
    (tmp_path / "1_x.yaml").write_text("source: x\nclaims:\n  - {id: X, statement: s, control: c, runs: {experiment: e}, "
                                       "metric: m, test: {kind: above, value: 0}}\n")
    with pytest.raises(ClaimError, match=r"^1_x.yaml, claim X: needs seeds: the planned seeds"):
        read_sources(tmp_path)
    (tmp_path / "1_x.yaml").write_text("source: x\nseeds: [0, 0]\nclaims:\n  - {id: X, statement: s, control: c, "
                                       "runs: {experiment: e}, metric: m, test: {kind: above, value: 0}}\n")
    with pytest.raises(ClaimError, match=r"seeds lists a seed twice"):
        read_sources(tmp_path)


def test_a_claim_edited_after_its_runs_were_trained_is_flagged(tmp_path):
    from mirror.claims.registration import claim_files_digest, registration_note

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}).stdout.strip()

    claims_dir = tmp_path / "claims"
    claims_dir.mkdir()
    text = ("source: x\nseeds: [0, 1]\nclaims:\n  - {id: X, statement: s, control: c, runs: {experiment: e}, metric: m, "
            "test: {kind: equivalent, value: 0, margin: 0.1}, margin_reason: a tenth}\n")
    (claims_dir / "1_x.yaml").write_text(text)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "claims")
    trained_at = git("rev-parse", "HEAD")

    def note() -> str:
        (claim,) = read_claims(claims_dir)
        runs = pd.DataFrame({"run_id": ["r0", "r1"], "seed": [0, 1], "commit": [trained_at] * 2})
        return registration_note(Verdict(claim, HOLDS, runs=runs), claims_dir)

    before = claim_files_digest(claims_dir)
    assert note() == "", "as registered when its runs were trained"
    (claims_dir / "1_x.yaml").write_text(text.replace("margin: 0.1", "margin: 0.5"))
    assert note().startswith(f"edited after its runs were trained: the claim file read otherwise at {trained_at[:10]}")
    assert claim_files_digest(claims_dir) != before
    (claims_dir / "1_x.yaml").write_text(text.replace("control: c", "control: another"))
    assert note() == "", "the control's wording is not what the verdict rests on"


def test_a_not_run_row_names_the_make_target_that_fills_it_and_a_condition_is_explained_once(matrix):
    from mirror.claims.page import conditions_shown, fill_text
    from mirror.claims.presets import filled_by

    assert filled_by("planted") == "make planted"
    assert filled_by("readout") == "make readout", "four presets, one target"
    assert filled_by("sweep_seeds").startswith("make sweep-seeds, make hebbian-conditions")
    assert filled_by("no_such_experiment") == ""
    planted = Claim(id="Z", source="s", seeds=(0,), statement="", experiment="planted", where={}, metric="m",
                    test=ClaimTest(kind="range", low=0, high=1, tolerance=0))
    assert fill_text(Verdict(planted, NOT_RUN)) == "fill it: make planted (every one: make paper)"
    assert fill_text(Verdict(planted, HOLDS)) == ""
    assert conditions_shown(matrix) == ["wide: model.width=2"], "only the columns shown, each once"


def test_an_equivalence_against_other_runs_draws_both_groups_seed_by_seed(tmp_path):
    from mirror.claims.figures import draw

    rows = pd.DataFrame({"model": "m", "seed": [0, 1, 0, 1], "run_id": list("abcd"),
                         "params.trainer.max_epochs": [20, 20, 0, 0], "metrics.cka": [0.4, 0.42, 0.35, 0.36]})
    claim = Claim(id="Z", source="s", seeds=(0, 1), statement="", experiment="e", where={"trainer.max_epochs": 20},
                  metric="cka", test=ClaimTest(kind="equivalent", reference={"trainer.max_epochs": 0}, margin=0.1))
    png = draw(judge(claim, rows), tmp_path / "z.png")
    assert png is not None and png.stat().st_size > 0 and png.with_suffix(".pdf").exists()


def test_a_unit_free_margin_reads_each_seeds_change_as_a_fraction_of_its_level_and_ignores_the_metrics_scale():
    from mirror.claims.spec import Condition

    # Straight lines: each seed falls by 5 %, 7.5 % and 3.3 % of its level over the range.
    strength = {0.0: [2.0, 4.0, 3.0], 0.4: [1.95, 3.85, 2.95], 0.8: [1.9, 3.7, 2.9]}
    rows = pd.DataFrame([{"model": "m", "seed": seed, "run_id": f"{level}-{seed}", "params.data.f": level,
                          "metrics.s": value} for level, values in strength.items() for seed, value in enumerate(values)])
    test = ClaimTest(kind="trend", factor="data.f", direction="none", margin=0.1, relative=True)
    claim = Claim(id="Z", source="s", seeds=(0, 1, 2), statement="", experiment="e", where={}, metric="s", test=test)
    verdict = judge(claim, rows)
    changes = np.array([-0.1 / 2.0, -0.3 / 4.0, -0.1 / 3.0])
    assert verdict.value == pytest.approx(changes.mean())
    assert verdict.p == pytest.approx(stats.ttest_1samp(changes, -0.1, alternative="greater").pvalue)
    scaled = judge(claim, rows.assign(**{"metrics.s": rows["metrics.s"] * 50}))  # another unit of the same measure
    assert scaled.p == pytest.approx(verdict.p), "a unit-free margin: the metric's scale cannot move the verdict"
    swapped = claim.under(Condition(name="index", metrics={"s": {"metric": "t", "margin": 0.5}}))
    assert swapped.test.margin == 0.1 and swapped.metric == "t", "a condition's margin, in its units, is not a fraction"


def test_a_constant_sample_is_decided_by_its_sign_but_not_by_rounding():
    from mirror.claims.statistics import one_sided

    assert one_sided(np.full(5, 0.2)) == (0.0, 1.0) and one_sided(np.full(5, -0.2)) == (1.0, 0.0)
    # An untrained model's per-seed slopes over a sweep: the same weights at every level, differences of rounding.
    assert one_sided(np.full(10, -1.96e-19)) == (1.0, 1.0), "a slope of 1e-19 is no decrease"
    assert one_sided(np.full(3, 0.1 - 0.3 + 0.2), 0.0) == (1.0, 1.0)


@pytest.mark.parametrize(("meeting", "n", "expected"), [(20, 20, HOLDS), (19, 20, INCONCLUSIVE), (12, 20, FAILS),
                                                         (5, 5, INCONCLUSIVE)])
def test_a_claim_about_most_networks_is_an_exact_binomial_test_of_its_share(meeting, n, expected):
    """'In at least 80 % of networks': 20 of 20 show it; 19 of 20, or 5 of 5, cannot tell it from 80 % (0.8^5 = 0.33);
    12 of 20 shows fewer."""
    from mirror.claims.kinds.share import seeds_all_meeting

    claim = Claim(id="S", source="s", seeds=tuple(range(n)), statement="", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="share", value=1.0, share=0.8))
    rows = pd.DataFrame({"model": "m", "run_id": [f"r{s}" for s in range(n)], "seed": range(n),
                         "metrics.y": [1.0] * meeting + [0.0] * (n - meeting)})
    (verdict,) = settle([judge(claim, rows)])
    assert verdict.verdict == expected and verdict.value == meeting / n
    assert verdict.p == pytest.approx(stats.binomtest(meeting, n, 0.8, alternative="greater").pvalue)
    assert seeds_all_meeting(0.8) == 14 and 0.8 ** 14 < 0.05 < 0.8 ** 13
    if expected == INCONCLUSIVE:
        more = int(verdict.to_decide.split()[0])
        assert stats.binomtest(meeting + more, n + more, 0.8, alternative="greater").pvalue < 0.05
        assert stats.binomtest(meeting + more - 1, n + more - 1, 0.8, alternative="greater").pvalue >= 0.05


@pytest.mark.parametrize("share", [None, 0, 1, 1.5])
def test_a_share_test_needs_a_share_strictly_between_0_and_1(tmp_path, share):
    field = "" if share is None else f", share: {share}"
    (tmp_path / "1_x.yaml").write_text("source: x\nseeds: [0, 1]\nclaims:\n  - {id: X, statement: s, control: c, "
                                       "runs: {experiment: e}, metric: m, test: {kind: share, value: 1" + field + "}}\n")
    with pytest.raises(ClaimError, match="a share test needs share"):
        read_sources(tmp_path)


def test_a_trend_under_a_condition_whose_runs_lack_its_factor_is_not_run_and_a_typo_in_the_stated_design_is_an_error():
    rows = pd.DataFrame({"model": "gru", "seed": [0, 1], "run_id": ["a", "b"], "metrics.y": [0.1, 0.2]})
    claim = Claim(id="T", source="s", seeds=(0, 1), statement="", experiment="readout", where={}, metric="y",
                  test=ClaimTest(kind="trend", factor="data.effect_redraw", direction="decreasing"))
    verdict = judge(replace(claim, condition="readout both"), rows)
    assert verdict.verdict == NOT_RUN and "params.data.effect_redraw" in verdict.test
    with pytest.raises(ClaimError, match="test.factor names 'data.effect_redraw'"):
        judge(claim, rows)


def test_a_condition_naming_an_experiment_the_store_has_not_says_so_not_merely_not_run_yet(store, tmp_path):
    from mirror.claims.matrix import evaluate

    uri, _, _ = store
    (tmp_path / "1_x.yaml").write_text(
        "source: x\nseeds: [0, 1, 2, 3]\nconditions:\n  - {name: elsewhere, experiment: nowhere}\nclaims:\n"
        "  - {id: X, statement: s, control: c, runs: {experiment: seeds, where: {model: shared_gru, model.width: 1}}, "
        "metric: analysis/fraction, test: {kind: above, value: 0}}\n")
    (matrix,) = evaluate(MlflowClient(tracking_uri=uri), read_sources(tmp_path))
    claim = matrix.source.claims[0]
    assert matrix.cell(claim, STATED).verdict == HOLDS
    assert matrix.cell(claim, "elsewhere").test.startswith("the store has no experiment 'nowhere'")
