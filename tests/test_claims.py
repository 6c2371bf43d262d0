"""The claims page built from a handful of runs in a real MLflow store, each verdict checked by hand."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from scipy import stats

from mirror.claims.spec import ClaimError, read_claims
from mirror.claims.verdicts import FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, judge, phase_ends

CLAIMS = """
source: a test paper
claims:
  - id: R1
    statement: the fraction is 25-30 %
    runs: {experiment: seeds, where: {model: shared_gru}}
    metric: analysis/fraction
    test: {kind: range, low: 0.25, high: 0.30}
  - id: R2
    statement: the control's fraction is 25-30 % too
    runs: {experiment: seeds, where: {model: control}}
    metric: analysis/fraction
    test: {kind: range, low: 0.25, high: 0.30}
  - id: B1
    statement: decoding beats chance
    runs: {experiment: seeds, where: {model: shared_gru}}
    metric: analysis/decoding
    test: {kind: above, reference_metric: analysis/chance}
  - id: L1
    statement: the control is lower
    runs: {experiment: seeds, where: {model: control}}
    metric: analysis/fraction
    test: {kind: lower_than, reference: {model: shared_gru}}
  - id: T1
    statement: falls with the lag
    runs: {experiment: lags, where: {model: shared_gru}}
    metric: analysis/fraction
    test: {kind: trend, factor: data.lag, direction: decreasing}
  - id: V1
    statement: counter-mirror training reverses, repair restores
    runs: {experiment: lags, where: {model: shared_gru, data.lag: 0}}
    metric: curve/index
    test: {kind: reversal, phase_metric: curve/phase}
  - id: N1
    statement: nobody ran this
    runs: {experiment: never_run}
    metric: analysis/fraction
    test: {kind: range, low: 0, high: 1}
"""
FRACTION = {"shared_gru": [0.26, 0.29, 0.31], "control": [0.01, 0.03, 0.02]}
DECODING, CHANCE = [0.6, 0.75, 0.8], 0.25
LAG_VALUES = {0: [0.9, 0.8], 2: [0.5, 0.6], 4: [0.1, 0.3]}
PHASE_ENDS = [[5.0, -1.0, 4.5], [6.0, -0.5, 4.0]]
"""Development, counter-mirror and repair ends of the curves of the two lag-0 runs."""


def _run(client: MlflowClient, experiment_id: str, model: str, params: dict, metrics: dict,
         histories: dict | None = None) -> None:
    run = client.create_run(experiment_id, tags={"mirror.model": model, "mirror.config_hash": uuid.uuid4().hex})
    for name, value in params.items():
        client.log_param(run.info.run_id, name, value)
    for name, value in metrics.items():
        client.log_metric(run.info.run_id, name, value)
    for name, points in (histories or {}).items():
        for step, value in points:
            client.log_metric(run.info.run_id, name, value, step=step)
    client.set_terminated(run.info.run_id, "FINISHED")


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
            _run(client, seeds, model, {"seed": seed}, metrics)
    lags = client.create_experiment("lags", artifact_location=str(root / "artifacts"))
    for lag, values in LAG_VALUES.items():
        for seed, value in enumerate(values):
            histories = None
            if lag == 0:  # curves over three phases: development, counter-mirror, repair
                ends = PHASE_ENDS[seed]
                histories = {"curve/index": [(0, 0.0), (10, ends[0]), (20, ends[1]), (30, ends[2])],
                             "curve/phase": [(0, 0.0), (10, 0.0), (20, 1.0), (30, 2.0)]}
            _run(client, lags, "shared_gru", {"seed": seed, "data.lag": lag}, {"analysis/fraction": value}, histories)
    _run(client, lags, "shared_gru", {"seed": 0, "data.lag": 4}, {"analysis/fraction": 0.2}, {
        "curve/index": [(0, 0.0), (10, 1.0)], "curve/phase": [(0, 0.0), (10, 0.0)]})  # another lag, one phase
    claims_dir = root / "claims"
    claims_dir.mkdir()
    (claims_dir / "1_test.yaml").write_text(CLAIMS)
    return uri, claims_dir, root


def _t_interval(values):
    values = np.asarray(values)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


@pytest.fixture(scope="module")
def verdicts(store):
    from mirror.claims.page import evaluate

    uri, claims_dir, _ = store
    return {v.claim.id: v for v in evaluate(MlflowClient(tracking_uri=uri), read_claims(claims_dir))}


def test_range_verdicts_by_hand(verdicts):
    low, high = _t_interval(FRACTION["shared_gru"])
    assert high >= 0.25 and low <= 0.30
    assert verdicts["R1"].verdict == HOLDS
    assert verdicts["R1"].measured == f"{np.mean(FRACTION['shared_gru']):.3g} [{low:.3g}, {high:.3g}] (n = 3)"
    low, high = _t_interval(FRACTION["control"])
    assert high < 0.25 and verdicts["R2"].verdict == FAILS, "an interval wholly below the range does not hold"


def test_above_is_a_paired_one_sided_t_test_by_hand(verdicts):
    differences = np.array(DECODING) - CHANCE
    t = differences.mean() / (differences.std(ddof=1) / np.sqrt(3))
    assert verdicts["B1"].p == pytest.approx(stats.t.sf(t, 2))
    assert verdicts["B1"].verdict == HOLDS


def test_lower_than_is_welchs_test_by_hand(verdicts):
    a, b = np.array(FRACTION["control"]), np.array(FRACTION["shared_gru"])
    va, vb = a.var(ddof=1) / 3, b.var(ddof=1) / 3
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 2)
    assert verdicts["L1"].p == pytest.approx(stats.t.cdf(t, dof))
    assert verdicts["L1"].verdict == HOLDS


def test_trend_is_spearmans_rho_over_every_run_by_hand(verdicts):
    lags = [lag for lag, values in LAG_VALUES.items() for _ in values] + [4]
    values = [v for values in LAG_VALUES.values() for v in values] + [0.2]
    rho = np.corrcoef(stats.rankdata(lags), stats.rankdata(values))[0, 1]
    t = rho * np.sqrt((len(lags) - 2) / (1 - rho**2))
    assert verdicts["T1"].p == pytest.approx(stats.t.cdf(t, len(lags) - 2))
    assert f"rho = {rho:.2f}" in verdicts["T1"].test and verdicts["T1"].verdict == HOLDS


def test_reversal_reads_each_phases_end_and_tests_both_changes(verdicts):
    ends = np.array(PHASE_ENDS)
    remap, repair = ends[:, 0] - ends[:, 1], ends[:, 2] - ends[:, 1]
    p = [stats.t.sf(d.mean() / (d.std(ddof=1) / np.sqrt(2)), 1) for d in (remap, repair)]
    assert verdicts["V1"].p == pytest.approx(max(p))
    assert verdicts["V1"].verdict == HOLDS
    assert phase_ends([(0, 0.0), (10, 3.0), (20, 1.0)], [(0, 0.0), (10, 0.0), (20, 1.0)]) == [3.0, 1.0]


def test_a_claim_without_runs_is_not_run_yet(verdicts, store):
    assert verdicts["N1"].verdict == NOT_RUN
    assert judge(read_claims(store[1])[0], None).verdict == NOT_RUN


def test_the_page_is_one_self_contained_file_logged_to_mlflow(store):
    uri, claims_dir, root = store
    result = subprocess.run([sys.executable, "-m", "mirror.claims", "--claims", str(claims_dir), "--out",
                             str(root / "paper"), "--tracking-uri", uri, "--artifact-root", str(root / "artifacts")],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (root / "paper" / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 6, "a figure for every claim that was run"
    assert "src=\"http" not in page and "<link" not in page, "nothing outside the file"
    for claim_id, verdict in (("R1", HOLDS), ("R2", FAILS), ("N1", NOT_RUN)):
        assert f"<b>{claim_id}</b>" in page and verdict in page
    client = MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("claims").experiment_id])
    assert run.data.tags["mirror.role"] == "report" and run.info.status == "FINISHED"
    assert run.data.metrics == {"claims/n_holds": 5.0, "claims/n_does_not_hold": 1.0, "claims/n_inconclusive": 0.0,
                                "claims/n_not_run_yet": 1.0}
    assert [a.path for a in client.list_artifacts(run.info.run_id, "paper")] == ["paper/index.html"]


def test_a_wrong_claim_file_names_the_file_claim_and_field(tmp_path):
    (tmp_path / "bad.yaml").write_text(textwrap.dedent("""
        source: x
        claims:
          - {id: X1, statement: s, runs: {experiment: e}, metric: m, test: {kind: range, low: 0.5, high: 0.1}}
    """))
    with pytest.raises(ClaimError, match=r"^bad.yaml, claim X1: a range test needs low <= high$"):
        read_claims(tmp_path)
    (tmp_path / "bad.yaml").write_text("source: x\nclaims:\n  - {id: X2, statement: s, runs: {experiment: e}, "
                                       "metric: m, test: {kind: median}}\n")
    with pytest.raises(ClaimError, match=r"X2: test.kind must be one of"):
        read_claims(tmp_path)


@pytest.mark.parametrize(("claim", "expected"), [
    ("{id: X, statement: s, runs: {experiment: seeds}, metric: analysis/fractoin, test: {kind: range, low: 0, high: 1}}",
     "1_typo.yaml, claim X: metric 'analysis/fractoin' was logged by none of the 6 finished runs of experiment 'seeds'"),
    ("{id: X, statement: s, runs: {experiment: seeds, where: {data.lgs: 3}}, metric: analysis/fraction, "
     "test: {kind: range, low: 0, high: 1}}",
     "1_typo.yaml, claim X: runs.where.data.lgs names 'data.lgs', a param none of the 6 finished runs"),
    ("{id: X, statement: s, runs: {experiment: lags}, metric: analysis/fraction, "
     "test: {kind: trend, factor: data.lg}}", "1_typo.yaml, claim X: test.factor names 'data.lg'"),
    ("{id: X, statement: s, runs: {experiment: lags}, metric: curve/index, "
     "test: {kind: reversal, phase_metric: curve/phse}}", "1_typo.yaml, claim X: test.phase_metric 'curve/phse'"),
    ("{id: X, statement: s, runs: {experiment: seeds}, metric: analysis/fraction, "
     "test: {kind: above, reference_metric: analysis/chanse}}", "1_typo.yaml, claim X: test.reference_metric 'analysis/chanse'"),
])
def test_a_name_no_run_has_is_an_error_in_the_claim_file_not_a_claim_not_run_yet(store, tmp_path, claim, expected):
    from mirror.claims.page import evaluate

    uri, _, _ = store
    (tmp_path / "1_typo.yaml").write_text(f"source: x\nclaims:\n  - {claim}\n")
    with pytest.raises(ClaimError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")):
        evaluate(MlflowClient(tracking_uri=uri), read_claims(tmp_path))


@pytest.mark.parametrize(("files", "expected"), [
    ({"bad.yaml": "source: x\nclaims: [\n"}, r"^bad.yaml: not valid YAML at line \d+"),
    ({"bad.yaml": "source: x\nclaims: 5\n"}, r"^bad.yaml: needs 'source' and a list 'claims'$"),
    ({"bad.yaml": "source: x\nclaims:\n  - {id: X, statement: s, runs: {experiment: e}, metric: m, "
                  "test: {kind: range, low: a, high: 1}}\n"}, r"^bad.yaml, claim X: test.low must be a number, got 'a'$"),
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
    (tmp_path / "1_typo.yaml").write_text("source: x\nclaims:\n  - {id: X, statement: s, runs: {experiment: seeds}, "
                                          "metric: nope, test: {kind: range, low: 0, high: 1}}\n")
    result = subprocess.run([sys.executable, "-m", "mirror.claims", "--claims", str(tmp_path), "--out",
                             str(tmp_path / "paper"), "--tracking-uri", uri, "--no-mlflow-run"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == ("mirror.claims: 1_typo.yaml, claim X: metric 'nope' was logged by none of the 6 "
                                     "finished runs of experiment 'seeds'")
    assert not (tmp_path / "paper").exists()


def test_the_shipped_claims_cover_every_claim_of_the_specification():
    ids = {claim.id.split(" ")[0] for claim in read_claims()}
    assert {*(f"D{k}" for k in range(1, 11)), "H1", "H2", "H3", "H4", "A1", "A2", "A3", "M1"} <= ids


def _no_decrease_verdict(changes_by_seed: list[float], margin: float):
    """A 'no decrease' claim over runs at levels 0, 0.4, 0.8 whose per-seed fall is exactly linear."""
    from mirror.claims.spec import Claim, ClaimTest

    rows = [{"model": "m", "seed": seed, "params.x": level, "metrics.y": 5.0 + change * level / 0.8}
            for seed, change in enumerate(changes_by_seed) for level in (0.0, 0.4, 0.8)]
    claim = Claim(id="Z", source="s", statement="no decrease", experiment="e", where={}, metric="y",
                  test=ClaimTest(kind="trend", factor="x", direction="none", margin=margin))
    return judge(claim, pd.DataFrame(rows))


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


def test_a_claim_of_no_decrease_must_state_its_margin(tmp_path):
    (tmp_path / "bad.yaml").write_text("source: x\nclaims:\n  - {id: X, statement: s, runs: {experiment: e}, "
                                       "metric: m, test: {kind: trend, factor: f, direction: none}}\n")
    with pytest.raises(ClaimError, match="a trend test of no decrease needs margin > 0"):
        read_claims(tmp_path)


def test_every_test_kind_has_a_judge():
    from mirror.claims.spec import TEST_KINDS
    from mirror.claims.verdicts import _JUDGES

    assert set(_JUDGES) == set(TEST_KINDS)
