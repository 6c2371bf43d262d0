"""The cross-run report, checked against hand computations on runs logged to a temporary store."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mirror.report.__main__ import main
from mirror.report.build import build_report, log_report_run
from mirror.report.figures import design_cells, in_order
from mirror.report.runs import RunSelection, load_runs, swept_factors
from mirror.intervals import t_interval
from mirror.report.stats import compare_models
from mirror.tracking.store import prepare_experiment
from mirror.vocabulary.associative import DELTA_P
from mirror.vocabulary.hebbian import DEVELOPS_MIRROR_NEURONS

FRACTION = "analysis/centred/fraction_mirror"
# model -> hidden size -> fraction per seed 0..2
FRACTIONS = {
    "shared_gru": {8: [0.10, 0.20, 0.30], 16: [0.30, 0.32, 0.40]},
    "separate_gru": {8: [0.05, 0.10, 0.12], 16: [0.00, 0.04, 0.05]},
}


@pytest.fixture
def store(tmp_path):
    """Twelve finished runs, one failed run, a sweep parent and a duplicate, as the pipeline logs them."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client, experiment_id = prepare_experiment(uri, "toy", str(tmp_path / "artifacts"))
    rng = np.random.default_rng(0)

    def log(model: str, hidden: int, seed: int, fraction: float, status: str = "FINISHED", digest: str = "") -> None:
        run = client.create_run(experiment_id, tags={
            "mirror.model": model, "mirror.config_hash": digest or f"{model}-{hidden}-{seed}",
        })
        run_id = run.info.run_id
        params = {"seed": seed, "data.seed": seed, "model.hidden_size": hidden, "analysis.headline": "centred",
                  "analysis.mirror_threshold": 0.75, "model._target_": f"mirror.models.{model}",
                  "tracking.experiment": "toy", "threads": 1, "trainer.max_epochs": 2}
        for key, value in params.items():
            client.log_param(run_id, key, value)
        client.log_metric(run_id, FRACTION, fraction)
        client.log_metric(run_id, "analysis/cka/value", 0.5 + fraction)
        units = pd.DataFrame({"unit": range(6), "r_centred": rng.uniform(-1, 1, 6), "r_raw": 0.0})
        client.log_text(run_id, units.to_csv(index=False), "analysis/units.csv")
        client.set_terminated(run_id, status)

    for model, by_hidden in FRACTIONS.items():
        for hidden, fractions in by_hidden.items():
            for seed, fraction in enumerate(fractions):
                log(model, hidden, seed, fraction)
    log("shared_gru", 8, 0, 0.10, digest="shared_gru-8-0")  # the same config re-run: counted once
    log("shared_gru", 8, 5, 0.99, status="FAILED")
    parent = client.create_run(experiment_id, tags={"mirror.role": "sweep"})
    client.set_terminated(parent.info.run_id, "FINISHED")
    return uri, client


def test_t_interval_matches_scipy():
    values = [0.1, 0.4, 0.35, 0.2, 0.5]
    expected = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    np.testing.assert_allclose(t_interval(values), expected)
    assert np.isnan(t_interval([0.3])).all()


def test_runs_are_finished_jobs_once_each_and_the_swept_value_is_found(store):
    _, client = store
    runs = load_runs(client, RunSelection(["toy"]))
    assert len(runs) == 12, "failed runs, sweep parents and repeated configs are left out"
    assert swept_factors(runs) == ["params.model.hidden_size"], "seed copies and model-implied params are not factors"


def test_models_are_compared_paired_by_seed(store):
    _, client = store
    runs = load_runs(client, RunSelection(["toy"]))
    table = compare_models(runs, ["params.model.hidden_size"], [f"metrics.{FRACTION}"], "shared_gru")
    assert list(table["model"]) == ["separate_gru", "separate_gru"]
    for hidden, row in zip((8, 16), table.itertuples()):
        expected = stats.ttest_rel(FRACTIONS["separate_gru"][hidden], FRACTIONS["shared_gru"][hidden])
        assert row.test == "paired t"
        assert row.p == pytest.approx(expected.pvalue) and row.statistic == pytest.approx(expected.statistic)
    np.testing.assert_allclose(table["q_bh"], stats.false_discovery_control(table["p"]))


def test_welch_when_seeds_do_not_pair():
    runs = pd.DataFrame({"model": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2, 3, 4, 5],
                         "m": [1.0, 2.0, 3.5, 2.0, 4.0, 5.0]})
    (row,) = compare_models(runs, [], ["m"], "a").itertuples()
    expected = stats.ttest_ind([2.0, 4.0, 5.0], [1.0, 2.0, 3.5], equal_var=False)
    assert row.test == "Welch t" and row.p == pytest.approx(expected.pvalue)


@pytest.mark.slow
def test_report_writes_tidy_csv_table_figures_and_a_report_run(store, tmp_path):
    uri, client = store
    folder = tmp_path / "reports" / "toy"
    report = build_report(client, RunSelection(["toy"]), folder)
    tidy = pd.read_csv(folder / "runs.csv")
    assert set(tidy.columns) == {"run_id", "model", "seed", "model.hidden_size", "metric", "value"}
    assert len(tidy) == 12 * 2
    summary = pd.read_csv(folder / "summary.csv").set_index(["model", "model.hidden_size", "metric"])
    shared = summary.loc[("shared_gru", 16, FRACTION)]
    low, high = stats.t.interval(0.95, 2, loc=np.mean([0.30, 0.32, 0.40]), scale=stats.sem([0.30, 0.32, 0.40]))
    assert shared["mean"] == pytest.approx(np.mean([0.30, 0.32, 0.40]))
    assert (shared["ci_low"], shared["ci_high"]) == pytest.approx((low, high))
    text = report.read_text()
    assert f"{np.mean([0.30, 0.32, 0.40]):.3f} ± {(high - low) / 2:.3f}" in text
    # A proportion whose t-interval leaves [0, 1] gets scipy's percentile bootstrap instead, marked.
    separate = summary.loc[("separate_gru", 16, FRACTION)]
    assert stats.t.interval(0.95, 2, loc=0.03, scale=stats.sem([0.0, 0.04, 0.05]))[0] < 0
    expected = stats.bootstrap(([0.0, 0.04, 0.05],), np.mean, method="percentile", n_resamples=9999,
                               random_state=np.random.default_rng(0)).confidence_interval
    assert separate["interval"] == "bootstrap" and 0 <= separate["ci_low"] <= separate["ci_high"] <= 1
    assert (separate["ci_low"], separate["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert f"0.03 [{expected.low:.3g}, {expected.high:.3g}]†" in text
    # What was held constant, the code and the runs are stated.
    assert "- `trainer.max_epochs` = 2 (default 20)" in text
    assert "`mirror_threshold` = 0.75" in text and "Run ids (12)" in text and "Code: commit `unknown` (12 runs)" in text
    assert list(pd.read_csv(folder / "trend_tests.csv").columns) == [
        "model", "held", "factor", "metric", "n", "spearman_rho", "p"], "no trend applies: a header, no rows"
    assert "paired t-test over seeds" in text and "Benjamini-Hochberg" in text
    tests = pd.read_csv(folder / "model_tests.csv")
    assert set(tests["metric"]) == {FRACTION, "analysis/cka/value"} and set(tests["model.hidden_size"]) == {8, 16}
    assert {"across_seeds.png", "r_distributions.png", "model_tests.csv", "report.md"} <= {
        p.name for p in folder.iterdir()
    }
    run_id = log_report_run(uri, str(tmp_path / "artifacts"), RunSelection(["toy"]), folder)
    run = client.get_run(run_id)
    assert run.data.tags["mirror.role"] == "report" and run.info.status == "FINISHED"
    assert "report/report.md" in {a.path for a in client.list_artifacts(run_id, "report")}


@pytest.mark.slow
def test_metrics_against_a_numeric_sweep_are_drawn_from_three_values_on(store, tmp_path, capsys, monkeypatch):
    uri, client = store
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    experiment_id = client.get_experiment_by_name("toy").experiment_id
    for seed in range(2):  # runs of another size, logged without the analysis params or units table
        run = client.create_run(experiment_id, tags={"mirror.model": "shared_gru"})
        for key, value in {"seed": seed, "model.hidden_size": 32, "model._target_": "mirror.models.shared_gru"}.items():
            client.log_param(run.info.run_id, key, value)
        client.log_metric(run.info.run_id, FRACTION, 0.5)
        client.set_terminated(run.info.run_id, "FINISHED")
    out = tmp_path / "reports"
    main(["--experiment", "toy", "--tracking-uri", uri, "--out", str(out), "--no-mlflow-run", "--name", "all"])
    assert (out / "all" / "metrics_vs_model_hidden_size.png").exists()
    main(["--experiment", "toy", "--tracking-uri", uri, "--out", str(out), "--no-mlflow-run", "--name", "two",
          "--filter", "params.`model.hidden_size` != '8'"])
    assert not (out / "two" / "metrics_vs_model_hidden_size.png").exists(), "two sizes are not a curve"
    assert "14 finished runs" in (out / "all" / "report.md").read_text()
    assert f"report: {out / 'two'}/" in capsys.readouterr().out


def test_a_design_property_a_family_logs_is_an_axis_of_its_own_with_a_point_per_condition(tmp_path):
    """Runs that log the programmed Delta P get metrics drawn against it; the points are the condition's
    means over seeds, the bars the tables' t-interval; a Delta P the same in every run draws nothing."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client, experiment_id = prepare_experiment(uri, "contingency", str(tmp_path / "artifacts"))
    strength = {("hebb", 0.0): [9.0, 10.0, 11.0], ("hebb", 0.8): [5.0, 6.0, 8.0],
                ("rescorla_wagner", 0.0): [17.0, 18.0, 16.0], ("rescorla_wagner", 0.4): [10.0, 9.0, 12.0],
                ("rescorla_wagner", 0.8): [3.0, 4.0, 2.0]}
    for (rule, fraction), values in strength.items():
        for seed, value in enumerate(values):
            run_id = client.create_run(experiment_id, tags={"mirror.model": "asl_associative"}).info.run_id
            for key, param in {"seed": seed, "model.rule": rule, "data.unpaired_fraction": fraction}.items():
                client.log_param(run_id, key, param)
            client.log_metric(run_id, "associative/selective_response", value)
            client.log_metric(run_id, DELTA_P, 1.0 - fraction + 0.01 * seed)
            client.set_terminated(run_id, "FINISHED")
    runs = load_runs(client, RunSelection(["contingency"]))
    factors = swept_factors(runs)
    cells = design_cells(runs, f"metrics.{DELTA_P}", ["metrics.associative/selective_response"], factors)
    assert len(cells) == 5
    cell = cells[(cells["params.model.rule"] == "rescorla_wagner") & (cells["params.data.unpaired_fraction"] == 0.8)]
    assert cell["x"].item() == pytest.approx(0.2 + 0.01) and cell["y"].item() == pytest.approx(3.0)
    low, high = t_interval(np.array([3.0, 4.0, 2.0]))
    assert (cell["low"].item(), cell["high"].item()) == pytest.approx((low, high))
    build_report(client, RunSelection(["contingency"]), tmp_path / "varied")
    assert (tmp_path / "varied" / "metrics_vs_delta_p.png").exists()
    build_report(client, RunSelection(["contingency"], filter_string="params.`data.unpaired_fraction` = '0.0'"),
                 tmp_path / "constant")
    assert not (tmp_path / "constant" / "metrics_vs_delta_p.png").exists()


def test_an_unknown_experiment_is_a_clear_error(store, tmp_path):
    uri, client = store
    with pytest.raises(ValueError, match="no MLflow experiment named 'nope'"):
        load_runs(client, RunSelection(["nope"]))
    with pytest.raises(SystemExit, match="^mirror.report: no MLflow experiment named 'nope'"):
        main(["--experiment", "nope", "--tracking-uri", uri, "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="no run logged analysis/no/such"):
        main(["--experiment", "toy", "--tracking-uri", uri, "--out", str(tmp_path), "--metric", "analysis/no/such"])


PATH_NAME = "must be a name, not a path"
LONG_NAME = "must be at most 100 characters"
CONTROL = "must not hold a newline or control character"


@pytest.mark.parametrize(("name", "refusal"), [
    ("../../x", PATH_NAME), ("/tmp/elsewhere", PATH_NAME), ("..", PATH_NAME), ("a/b", PATH_NAME),
    ("x" * 300, LONG_NAME), ("two\nlines", CONTROL), ("tab\there", CONTROL),
])
def test_a_report_name_that_is_a_path_too_long_or_unprintable_is_refused_and_nothing_is_written(store, tmp_path,
                                                                                                  name, refusal):
    uri, _ = store
    out = tmp_path / "reports"
    with pytest.raises(SystemExit, match=rf"^mirror.report: --name {refusal}"):
        main(["--experiment", "toy", "--tracking-uri", uri, "--out", str(out), "--name", name])
    assert not out.exists()


@pytest.mark.parametrize("experiment", ["../../../x", "a/b", ".."])
def test_an_experiment_name_that_would_put_the_report_outside_out_is_refused_before_the_store_is_read(tmp_path,
                                                                                                     experiment):
    """Its default folder is named after the experiment: ../../../x wrote the report three folders above --out."""
    out = tmp_path / "deep" / "er" / "reports"
    with pytest.raises(SystemExit, match=rf"^mirror.report: --experiment {PATH_NAME}"):
        main(["--experiment", experiment, "--tracking-uri", f"sqlite:///{tmp_path}/none.db", "--out", str(out)])
    assert not out.exists() and not (tmp_path / "none.db").exists() and list(tmp_path.rglob("*")) == []


def test_a_report_folder_that_cannot_be_written_is_one_line(store):
    uri, _ = store
    with pytest.raises(SystemExit) as stopped:
        main(["--experiment", "toy", "--tracking-uri", uri, "--out", "/proc/nope", "--no-mlflow-run"])
    message = str(stopped.value)
    assert message.startswith("mirror.report: cannot write the report under --out /proc/nope") and "\n" not in message


@pytest.mark.parametrize(("option", "value"), [("--filter", "params.x ==== 3"), ("--sweep", "a'b")])
def test_a_selection_mlflow_refuses_is_one_line_not_a_traceback(store, tmp_path, option, value):
    uri, _ = store
    with pytest.raises(SystemExit) as stopped:
        main(["--experiment", "toy", "--tracking-uri", uri, "--out", str(tmp_path), option, value])
    message = str(stopped.value)
    assert message.startswith("mirror.report: MLflow refused the selection") and "\n" not in message


def test_markdown_cells_keep_their_bars():
    from mirror.report.tables import markdown_table

    table = markdown_table(pd.DataFrame({"metric": ["matched |r|"], "value": [0.5]}))
    assert table.splitlines()[2] == "| matched \\|r\\| | 0.5 |"


def test_a_sweeps_report_folder_says_which_experiment_and_when_not_a_hash(store, tmp_path, monkeypatch):
    uri, client = store
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    experiment_id = client.get_experiment_by_name("toy").experiment_id
    parent = client.create_run(experiment_id, tags={"mirror.role": "sweep", "mirror.sweep_id": "f00d"})
    client.set_terminated(parent.info.run_id, "FINISHED")
    for run in client.search_runs([experiment_id], "tags.`mirror.model` = 'shared_gru'"):
        client.set_tag(run.info.run_id, "mirror.sweep_id", "f00d")
    out = tmp_path / "reports"
    main(["--experiment", "toy", "--sweep", "f00d", "--tracking-uri", uri, "--out", str(out), "--no-mlflow-run"])
    started = datetime.datetime.fromtimestamp(parent.info.start_time / 1000)
    assert [p.name for p in out.iterdir()] == [f"toy_sweep_{started:%Y-%m-%d_%H-%M-%S}"]


def test_a_report_without_an_experiment_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert stopped.value.code == 2
    assert "the following arguments are required: --experiment" in capsys.readouterr().err


@pytest.mark.parametrize(("metric", "bounded"), [
    ("analysis/centred/fraction_mirror", True), ("hebbian/fraction_anti_mirror", True),
    ("val/observe_accuracy", True), ("vision/trained/read_out_parent", True), ("analysis/decoding/chance", True),
    (DEVELOPS_MIRROR_NEURONS, True),
    ("analysis/centred/max_r", False), ("hebbian/n_mirror", False), ("associative/mirror_index", False),
])
def test_proportions_are_known_by_their_names(metric, bounded):
    from mirror.vocabulary import is_proportion

    assert is_proportion(metric) is bounded


def test_figures_order_swept_values_as_numbers_inside_their_labels():
    assert in_order(pd.Series(["lag=10", "lag=2", "lag=1", "lag=2"])) == ["lag=1", "lag=2", "lag=10"]
    assert in_order(pd.Series(["hidden_size=128", "hidden_size=16", "hidden_size=8"])) == [
        "hidden_size=8", "hidden_size=16", "hidden_size=128"]
    assert in_order(pd.Series(["noise_std=0.1", "noise_std=0.05", "noise_std=0.0"])) == [
        "noise_std=0.0", "noise_std=0.05", "noise_std=0.1"]
    assert in_order(pd.Series(["max_epochs=20, readout=own", "max_epochs=0, readout=own", "max_epochs=20, readout=both"])) == [
        "max_epochs=0, readout=own", "max_epochs=20, readout=both", "max_epochs=20, readout=own"]
    assert in_order(pd.Series(["shared_gru", "forward_only_gru"])) == ["forward_only_gru", "shared_gru"]


def test_axes_name_a_metric_so_that_measures_of_one_statistic_stay_apart():
    from mirror.plotting import axis_label

    names = {axis_label(m) for m in ("analysis/centred/fraction_mirror", "analysis/chance/fraction_mirror",
                                     "metrics.analysis/raw/fraction_mirror")}
    assert names == {"centred fraction mirror", "chance fraction mirror", "raw fraction mirror"}
    assert axis_label("associative/selective_response") == "associative selective response"
