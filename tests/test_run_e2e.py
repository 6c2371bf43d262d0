"""The real Hydra app end to end, read back from the MLflow store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
import torch
from mlflow.tracking import MlflowClient
from omegaconf import OmegaConf

from mirror.analysis.callback import MirrorAnalysisCallback
from mirror.models.predictive_gru import PredictiveGRU
from mirror.pipeline.job import run_job
from mirror.tracking.job_context import JobContext
from tests.conftest import ROOT, TINY, compose_job, run_cli, store_overrides

pytestmark = pytest.mark.slow

ANALYSIS_ARTIFACTS = {
    "analysis/units.csv",
    "analysis/figure1_per_unit_r.png",
    "analysis/figure2_permutation_decoding.png",
    "analysis/figure3_lags_anti_mirror.png",
    "analysis/figure4_geometry_pca.png",
    "analysis/figure5_battery.png",
    "analysis/activity.npz",
}
ANALYSIS_METRICS = {
    "analysis/centred/fraction_mirror",
    "analysis/raw/fraction_mirror",
    "analysis/sequence_null/n_significant_positive",
    "analysis/sequence_null/n_significant_negative",
    "analysis/decoding/perform_to_observe",
    "analysis/decoding/observe_to_perform",
    "analysis/decoding/within_perform",
    "analysis/decoding/chance",
    "analysis/lag/fraction_top_units_peak_at_zero",
    "analysis/matching/mean_r",
    "analysis/matching/fraction_self_matched",
    "analysis/cka/value",
    "analysis/cka/null_mean",
    "analysis/geometry/silhouette_perform",
    "analysis/geometry/silhouette_observe",
}
QUICK_ANALYSIS = ("analysis.n_permutations=100", "analysis.cka_permutations=10")


def client_for(root: Path) -> MlflowClient:
    return MlflowClient(tracking_uri=f"sqlite:///{root}/mlruns/mlflow.db")


def all_runs(root: Path):
    client = client_for(root)
    experiment = client.get_experiment_by_name("mirror")
    return client.search_runs([experiment.experiment_id]) if experiment else []


def artifact_paths(client: MlflowClient, run_id: str, path: str | None = None) -> set[str]:
    found = set()
    for item in client.list_artifacts(run_id, path):
        found |= artifact_paths(client, run_id, item.path) if item.is_dir else {item.path}
    return found


def test_a_run_records_params_metrics_tags_and_artifacts(tiny_job, tmp_path):
    outcome = run_job(tiny_job("model.hidden_size=10"))
    client = client_for(tmp_path)
    run = client.get_run(outcome.run_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name.startswith("shared_gru-seed42")
    assert run.data.params["model.hidden_size"] == "10"
    assert run.data.params["data.n_train"] == "96"
    assert run.data.params["model._target_"] == "mirror.models.gru_variants.SharedCoreGRU"
    assert "model.hidden_size=10" in run.data.tags["mirror.overrides"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode == 0:
        assert run.data.tags["mlflow.source.git.commit"] == head.stdout.strip()

    assert len(client.get_metric_history(run.info.run_id, "train/loss")) == 2
    assert len(client.get_metric_history(run.info.run_id, "val/loss")) == 2
    metrics = run.data.metrics
    for name in ("fraction_mirror", "fraction_abs", "max_r", "min_r"):
        for kind in ("centred", "raw"):
            assert f"analysis/{kind}/{name}" in metrics
    assert metrics["analysis/n_units"] == 10
    assert {"time/startup_s", "time/train_s", "time/analysis_s"} <= metrics.keys()

    assert {"config.yaml", "model.pt", *ANALYSIS_ARTIFACTS} <= artifact_paths(client, run.info.run_id)
    units = pd.read_csv(client.download_artifacts(run.info.run_id, "analysis/units.csv", str(tmp_path)))
    assert len(units) == 10
    assert metrics["analysis/centred/fraction_mirror"] == pytest.approx((units["r_centred"] > 0.75).mean())
    assert metrics["analysis/raw/max_r"] == pytest.approx(units["r_raw"].max())


@pytest.mark.parametrize(
    ("model", "target"),
    [
        ("separate_gru", "SeparateCoreGRU"),
        ("forward_only_gru", "ForwardOnlyGRU"),
        ("shuffled_gru", "ShuffledLabelGRU"),
    ],
)
def test_every_control_goes_through_the_same_analysis(tiny_job, tmp_path, model, target):
    outcome = run_job(tiny_job(f"model={model}", *QUICK_ANALYSIS))
    client = client_for(tmp_path)
    run = client.get_run(outcome.run_id)
    assert run.info.status == "FINISHED" and run.info.run_name.startswith(f"{model}-seed42")
    assert run.data.params["model._target_"].endswith(target)
    assert ANALYSIS_METRICS <= run.data.metrics.keys()
    assert ANALYSIS_ARTIFACTS <= artifact_paths(client, run.info.run_id)
    units = pd.read_csv(client.download_artifacts(run.info.run_id, "analysis/units.csv", str(tmp_path)))
    assert {"r_centred", "mirror", "p_sequence_null", "q_sequence_null", "sequence_null_significant", "peak_lag",
            "matched_partner", "same_unit_significant"} <= set(units.columns)
    metrics = run.data.metrics
    assert metrics["analysis/sequence_null/n_significant_positive"] == units["sequence_null_significant"].sum()
    assert metrics["analysis/same_unit/n_significant"] == units["same_unit_significant"].sum()
    assert metrics["analysis/centred/fraction_mirror"] == pytest.approx(units["mirror"].mean())


def test_the_textbook_model_with_untied_heads_is_scored_in_the_dark_and_lesioned(tiny_job, tmp_path):
    outcome = run_job(tiny_job("model.perform_input=action_and_previous_state", "model.readout=both",
                               "model.heads=untied", "analysis.lesion_draws=20",
                               "analysis.lesion_fractions=[0.05,0.1,0.2]", *QUICK_ANALYSIS))  # more sizes on request
    client = client_for(tmp_path)
    run = client.get_run(outcome.run_id)
    metrics = run.data.metrics
    assert run.info.status == "FINISHED" and run.data.params["model.heads"] == "untied"
    assert {f"dark/{name}" for name in ANALYSIS_METRICS} <= metrics.keys()
    lesions = {f"lesion/{size}pct/{lesion}/{measure}" for size in (5, 10, 20) for lesion in ("mirror", "random", "p")
               for measure in ("observe_accuracy_drop", "forward_loss_rise")}
    assert lesions <= metrics.keys()
    assert all(1 / 21 <= metrics[f"lesion/{size}pct/p/observe_accuracy_drop"] <= 1 for size in (5, 10, 20))
    assert {"controls/units_in_the_dark.csv", "controls/metrics.json"} <= artifact_paths(client, run.info.run_id)
    units = pd.read_csv(client.download_artifacts(run.info.run_id, "analysis/units.csv", str(tmp_path)))
    assert metrics["analysis/congruence/n_strictly_congruent"] == units["strictly_congruent"].sum()
    assert units["strictly_congruent"].le(units["broadly_congruent"]).all()
    assert "performing in the dark" in outcome.describe(
        JobContext("shared_gru", tmp_path, config_hash="unused"), tiny_job(*QUICK_ANALYSIS))


def test_the_pairing_error_control_runs_through_the_same_analysis(tiny_job, tmp_path):
    outcome = run_job(tiny_job("data.pairing=independent", *QUICK_ANALYSIS))
    run = client_for(tmp_path).get_run(outcome.run_id)
    assert run.info.status == "FINISHED" and run.data.params["data.pairing"] == "independent"
    assert ANALYSIS_METRICS <= run.data.metrics.keys()


def test_the_untrained_baseline_is_scored_at_initialisation(tiny_job, tmp_path):
    outcome = run_job(tiny_job("trainer.max_epochs=0", *QUICK_ANALYSIS))
    run = client_for(tmp_path).get_run(outcome.run_id)
    assert run.info.status == "FINISHED"
    assert "train/loss" not in run.data.metrics
    assert ANALYSIS_METRICS <= run.data.metrics.keys()


def test_accelerator_auto_runs_where_there_is_no_gpu_with_the_metrics_of_cpu(tiny_job, tmp_path):
    """Nothing may require a GPU: 'auto' falls back to the CPU, and there gives the CPU's numbers."""
    cpu = run_job(tiny_job(*QUICK_ANALYSIS, name="cpu"))
    auto = run_job(tiny_job("trainer.accelerator=auto", *QUICK_ANALYSIS, name="auto"))
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: 'auto' trains there, with its own rounding")
    assert auto.metrics == cpu.metrics


def test_the_same_command_twice_gives_identical_metrics(tiny_job, tmp_path):
    first = run_job(tiny_job(name="first"))
    second = run_job(tiny_job(name="second"))
    assert first.metrics == second.metrics
    client = client_for(tmp_path)
    losses = [client.get_run(o.run_id).data.metrics["train/loss"] for o in (first, second)]
    assert losses[0] == losses[1]


def test_a_run_that_raises_is_marked_failed_with_its_error(tiny_job, tmp_path, monkeypatch):
    def explode(self, trainer, pl_module):
        raise RuntimeError("analysis exploded")

    monkeypatch.setattr(MirrorAnalysisCallback, "on_fit_end", explode)
    with pytest.raises(RuntimeError, match="analysis exploded"):
        run_job(tiny_job())
    (run,) = all_runs(tmp_path)
    client = client_for(tmp_path)
    assert run.info.status == "FAILED"
    assert "analysis exploded" in run.data.tags["mirror.error"]
    assert "error.txt" in artifact_paths(client, run.info.run_id)


def test_ctrl_c_marks_the_run_killed(tiny_job, tmp_path, monkeypatch, restore_sigint):
    def interrupt(self, batch, batch_idx):
        raise KeyboardInterrupt

    monkeypatch.setattr(PredictiveGRU, "training_step", interrupt)
    with pytest.raises((KeyboardInterrupt, SystemExit)):
        run_job(tiny_job())
    (run,) = all_runs(tmp_path)
    assert run.info.status == "KILLED"


def test_command_line_run_prints_where_the_results_are_a_line_per_epoch_off_a_terminal(tmp_path):
    result = run_cli(*TINY, "trainer.enable_progress_bar=true", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MLflow run" in result.stdout and "outputs:" in result.stdout
    (run,) = all_runs(tmp_path)
    assert run.info.status == "FINISHED" and run.info.run_name.startswith("shared_gru-seed42")
    (output_dir,) = (tmp_path / "outputs").glob("*/*_shared_gru_seed42")
    assert (output_dir / "analysis" / "units.csv").exists()
    # Piped, not a terminal: no bar redraws, one line per epoch, and the summary in the job's log too.
    printed = result.stdout + result.stderr
    assert "\r" not in printed and "it/s" not in printed
    epochs = int(run.data.params["trainer.max_epochs"])
    assert [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("epoch ")] == [
        f"epoch {k}/{epochs}" for k in range(1, epochs + 1)]
    log = (output_dir / "run.log").read_text()
    assert "mirror units of" in log and run.info.run_id in log


TINY_HEBBIAN = (
    "model=hebbian_face",
    "trainer.enable_progress_bar=false",
    "data.image_size=32",
    "data.n_steps=60",
    "data.counter_mirror_steps=20",
    "data.parent_transforms=4",
    "data.test_trials=8",
    "data.pretrain_identities=4",
    "data.pretrain_transforms=2",
    "data.sequence_length=4",
    "data.test_identities=4",
    "model.vision.wavelengths=[2.0,4.0]",
    "model.vision.sheet_size=8",
    "model.vision.fan_in=[40,20,20,20]",
    "model.vision.fan_in_radius=[3.0,3.0,4.0,5.0]",
    "model.vision.sparseness=[0.05,0.1,0.12,0.1]",
    "model.vision.epochs_per_layer=1",
    "model.mirror.sheet_size=5",
    "analysis.selectivity_permutations=100",
    "analysis.eval_every=20",
    *QUICK_ANALYSIS,
)


def test_hebbian_model_runs_through_hydra_into_mlflow_and_caches_its_vision(tmp_path):
    cache = tmp_path / "visnet-cache"
    settings = [*TINY_HEBBIAN, *store_overrides(tmp_path), f"model.vision.cache_dir={cache}"]
    first = run_job(compose_job(settings, tmp_path / "first"))
    second = run_job(compose_job([*settings, "data.mismatch=0.3"], tmp_path / "second"))
    repeat = run_job(compose_job(settings, tmp_path / "repeat"))
    client = client_for(tmp_path)
    how_vision_was_had = {"vision/loaded_from_cache", "vision/updates_per_layer"}
    hebbian = {k: v for k, v in first.metrics.items()
               if not k.startswith(("time/", "vision/last_epoch")) and k not in how_vision_was_had}
    assert {k: repeat.metrics[k] for k in hebbian} == pytest.approx(hebbian, rel=0, abs=0, nan_ok=True), \
        "a cached vision module must not change the results (a measure with nothing to measure is NaN in both)"
    assert first.metrics["hebbian/n_mirror"] == client.get_run(first.run_id).data.metrics["hebbian/n_mirror"]
    summary = first.describe(JobContext("hebbian_face", tmp_path, config_hash="unused"),
                             compose_job(settings, tmp_path / "describe"))
    assert "Hebbian test on the drive (calibrated)" in summary and "shuffled pairing" in summary
    # The calibrated test's headline: mirror neurons beyond both controls the same test scores.
    controls = max(first.metrics["hebbian/before/n_mirror"], first.metrics["hebbian/shuffled_pairing/n_mirror"])
    assert first.metrics["hebbian/mirror_above_controls"] == first.metrics["hebbian/n_mirror"] - controls
    assert first.metrics["hebbian/develops_mirror_neurons"] == float(first.metrics["hebbian/mirror_above_controls"] > 0)
    assert 0 <= first.metrics["vision/trained/n_cells_informative_parent"] <= 64
    assert 1 <= first.metrics["hebbian/n_distinct_neurons"] <= 25
    first_run, repeat_run = (client.get_run(o.run_id).data.metrics for o in (first, repeat))
    for name in ("hebbian/n_mirror", "hebbian/n_motor_selective", "hebbian/before/n_motor_selective"):
        assert first_run[name] == repeat_run[name]
    runs = [client.get_run(o.run_id) for o in (first, second)]
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    assert [r.data.metrics["vision/loaded_from_cache"] for r in runs] == [0.0, 1.0]
    assert len(list(cache.glob("visnet-*.pt"))) == 1, "a noise sweep reuses one pre-trained vision module"
    metrics = runs[0].data.metrics
    assert {"hebbian/n_mirror", "hebbian/n_anti_mirror", "hebbian/before/n_mirror",
            "vision/trained/max_single_cell_information", "vision/untrained/max_single_cell_information",
            "vision/trained/read_out_held_out_identities", "vision/trained/read_out_parent",
            *ANALYSIS_METRICS} - {"analysis/lag/fraction_top_units_peak_at_zero"} <= metrics.keys()
    assert metrics["analysis/n_units"] == 25
    curve = client.get_metric_history(runs[0].info.run_id, "hebbian/curve/n_mirror")
    assert [point.step for point in curve] == [20, 40, 60, 80]
    phases = client.get_metric_history(runs[0].info.run_id, "hebbian/curve/phase")
    assert [point.value for point in phases] == [0.0, 0.0, 0.0, 1.0]
    assert {"hebbian/faces.png", "hebbian/rates_before_after.png", "hebbian/mirror_counts.png",
            *ANALYSIS_ARTIFACTS} <= artifact_paths(client, runs[0].info.run_id)
    assert runs[1].data.params["data.mismatch"] == "0.3"


def test_associative_model_runs_through_hydra_into_mlflow_with_its_curves(tmp_path):
    settings = ["model=asl_associative", "data.n_trials=60", "data.counter_mirror_trials=40", "data.batch_size=10",
                "analysis.eval_every=20", *QUICK_ANALYSIS, *store_overrides(tmp_path)]
    hebb = run_job(compose_job([*settings, "model.rule=hebb"], tmp_path / "hebb"))
    client = client_for(tmp_path)
    run = client.get_run(hebb.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["model.rule"] == "hebb"
    metrics = run.data.metrics
    assert {"associative/mirror_index", "associative/before/mirror_index", "associative/fraction_self_preferring",
            *ANALYSIS_METRICS} - {"analysis/lag/fraction_top_units_peak_at_zero"} <= metrics.keys()
    assert metrics["analysis/n_units"] == 8
    curve = client.get_metric_history(hebb.run_id, "associative/curve/mirror_index")
    assert [point.step for point in curve] == [20, 40, 60, 80, 100]
    phases = client.get_metric_history(hebb.run_id, "associative/curve/phase")
    assert [point.value for point in phases] == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert {"associative/weights_before_after.png", "associative/mirror_index.png",
            *ANALYSIS_ARTIFACTS} <= artifact_paths(client, hebb.run_id)


def test_results_from_python_runs_as_a_dataframe_and_activity_that_re_analyses_to_the_logged_metrics(
        tiny_job, tmp_path):
    import mirror
    from mirror.analysis.summary import analyse
    from mirror.config import AnalysisConfig

    cfg = tiny_job(*QUICK_ANALYSIS)
    outcome = run_job(cfg)
    run_job(tiny_job(*QUICK_ANALYSIS, "seed=7", name="other"))
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    runs = mirror.load_runs(experiment="mirror", tracking_uri=uri)
    assert len(runs) == 2 and set(runs["seed"]) == {42, 7}
    assert {"run_id", "model", "params.model.hidden_size", "metrics.analysis/centred/fraction_mirror"} <= set(runs)
    only = mirror.load_runs(experiment="mirror", filter="params.seed = '42'", tracking_uri=uri)
    assert list(only["run_id"]) == [outcome.run_id]
    activity = mirror.load_activity(outcome.run_id, tracking_uri=uri)
    settings = OmegaConf.to_object(cfg.analysis)  # the GRUs' analysis: the shared one and their controls'
    assert isinstance(settings, AnalysisConfig)
    again = analyse(activity, settings).metrics
    assert again == pytest.approx({k: outcome.metrics[k] for k in again}, nan_ok=True)
