"""Recordings through the same analysis (docs/recordings.md): NWB sessions built from planted populations, read,
binned and scored like a model; a mirror-rich session looks mirror-rich and a mirror-free one does not; every bad
file is one line naming the file and the table or column, before any run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from mirror.analysis.summary import analyse
from mirror.config import AnalysisConfig, ConfigError
from mirror.config.recording import RecordingDataConfig
from mirror.data.planted import Population, plant
from mirror.data.planted_sessions import write_session

FAST = AnalysisConfig(n_permutations=100, cka_permutations=5, silhouette_samples=100, rotations=1)


def _session(tmp_path: Path, name: str, mirror_fraction: float, signal: str = "units", units: int = 30) -> Path:
    """40 execution and 40 observation trials of 20 bins, unpaired: each context its own trials of the same
    population, one condition (of four) per trial."""
    rng = np.random.default_rng(0)
    conditions = rng.integers(0, 4, 80)
    labels = np.repeat(conditions[:, None], 20, axis=1)
    activity = plant(Population(units, mirror_fraction, 0.0, "permuted", 0, 0.1, 0.1), labels, labels, 4, rng)
    return write_session(tmp_path / f"{name}.nwb", activity.perform[:40], activity.observe[40:], conditions[:40],
                         conditions[40:], signal=signal)


@pytest.mark.parametrize("signal", ["units", "roi"])
def test_a_mirror_rich_session_aligns_and_correlates_across_contexts_and_a_mirror_free_one_does_not(tmp_path, signal):
    measures = {}
    for name, fraction in (("rich", 1.0), ("free", 0.0)):
        session = RecordingDataConfig(path=str(_session(tmp_path, name, fraction, signal)), signal=signal).session()
        assert session.perform.shape == (40, 20, 30) and session.observe.shape == (40, 20, 30)
        metrics = analyse(session.activity(), FAST, session.trials()).metrics
        measures[name] = {k.split("/")[-1]: v for k, v in metrics.items() if k.startswith("analysis/subspace/")}
    assert measures["rich"]["population_correlation"] > 0.8 and measures["rich"]["population_correlation_p"] < 0.05
    assert measures["rich"]["alignment_observe_in_perform"] > 0.8
    assert abs(measures["free"]["population_correlation"]) < 0.4
    assert measures["free"]["alignment_observe_in_perform"] < 0.5


def _bad(tmp_path: Path, case: str) -> tuple[dict, str]:
    good = _session(tmp_path, "good", 0.5)
    if case == "missing file":
        return {"path": str(tmp_path / "nowhere.nwb")}, "is not a file"
    if case == "not nwb":
        text = tmp_path / "notes.nwb"
        text.write_text("not an NWB file")
        return {"path": str(text)}, "cannot be read as NWB"
    if case == "missing column":
        return {"path": str(good), "condition_column": "grip"}, "trials table has no column 'grip' (data.condition_column)"
    if case == "unknown context":
        return {"path": str(good), "observation_value": "watch"}, "has values ['observation'] that are neither"
    if case == "no roi series":
        return {"path": str(good), "signal": "roi"}, "has no RoiResponseSeries"
    silent = write_session(tmp_path / "silent.nwb", np.full((4, 20, 3), -50.0), np.full((4, 20, 3), -50.0),
                           np.arange(4), np.arange(4))
    return {"path": str(silent)}, "holds not a single spike"


@pytest.mark.parametrize("case", ["missing file", "not nwb", "missing column", "unknown context", "no roi series",
                                  "no spikes"])
def test_a_bad_session_is_one_error_naming_the_file_and_what_is_missing(tmp_path, case):
    fields, expected = _bad(tmp_path, case)
    with pytest.raises(ConfigError, match="^path .*" + expected.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        RecordingDataConfig(**fields).validate()


def test_a_session_runs_as_a_run_into_mlflow_and_a_bad_one_stops_with_exit_2_writing_nothing(tmp_path):
    """The real CLI: a session becomes a FINISHED run with its provenance; a missing column exits 2 in one line."""
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    common = [sys.executable, "-m", "mirror.run", "model=recording", f"tracking.uri={uri}", "tracking.experiment=rec",
              f"hydra.run.dir={tmp_path}/out", "analysis.n_permutations=50", "analysis.cka_permutations=5",
              "analysis.silhouette_samples=100", "analysis.rotations=1"]
    path = _session(tmp_path, "session", 0.5)
    done = subprocess.run([*common, f"data.path={path}"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    client = MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("rec").experiment_id])
    assert run.info.status == "FINISHED" and run.data.tags["recording.identifier"] == "planted-session"
    assert len(run.data.tags["recording.sha256"]) == 64 and run.data.metrics["recording/n_units"] == 30
    assert "analysis/subspace/alignment_observe_in_perform" in run.data.metrics
    bad = subprocess.run([*common, f"data.path={path}", "data.context_column=mode"], capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "data.path" in lines[0] and "'mode' (data.context_column)" in lines[0], bad.stderr
    assert len(client.search_runs([client.get_experiment_by_name("rec").experiment_id])) == 1, "nothing written"


def test_spikes_are_binned_as_a_histogram_of_each_trials_window_by_hand():
    from mirror.data.recording import bin_spikes

    spikes = [np.array([0.01, 0.06, 0.07, 1.02, 1.5]), np.array([])]
    rates = bin_spikes(spikes, np.array([0.0, 1.0]), 0.0, 0.1, 0.05)
    np.testing.assert_array_equal(rates[..., 0], [[20.0, 40.0], [20.0, 0.0]])
    assert (rates[..., 1] == 0).all()
    expected = np.histogram(spikes[0] - 1.0, np.arange(0.0, 0.1 + 0.025, 0.05))[0] / 0.05
    np.testing.assert_array_equal(rates[1, :, 0], expected)


def test_modulation_against_the_pre_event_baseline_finds_units_facilitated_in_execution_and_suppressed_in_observation(
        tmp_path):
    """Kraskov et al.'s signed classes on single trials: ten units fire above their baseline in execution and below
    it in observation, the rest at it; found as such, and nothing else."""
    from mirror.analysis.modulation import modulation

    conditions = np.arange(80) % 4
    perform, observe = np.zeros((40, 20, 30)), np.zeros((40, 20, 30))
    perform[..., :10], observe[..., :10] = 1.0, -1.0
    path = write_session(tmp_path / "signed.nwb", perform, observe, conditions[:40], conditions[40:])
    session = RecordingDataConfig(path=str(path)).session()
    measures = {k.split("/")[-1]: v for k, v in modulation(session.trials(), "bh", 0.05).items()}
    assert measures["perform_facilitated"] == pytest.approx(10 / 30) and measures["perform_suppressed"] == 0
    assert measures["observe_suppressed"] == pytest.approx(10 / 30) and measures["observe_facilitated"] == 0
    assert measures["observe_suppressed_of_perform_facilitated"] == 1.0


@pytest.mark.slow
def test_a_recorded_session_is_judged_on_the_claims_page_beside_the_models_and_a_planted_one_never_is(tmp_path):
    """The documented command puts a session into experiment 'recordings'; the claims page judges the mouse study's
    claims on it by each claim's rule. A planted session (its NWB keyword) in the same experiment is not shown, and
    with no recorded session the page says so."""
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    common = [sys.executable, "-m", "mirror.run", "model=recording", f"tracking.uri={uri}",
              f"tracking.artifact_root={tmp_path}/mlruns/artifacts", "analysis.n_permutations=50",
              "analysis.cka_permutations=5", "analysis.silhouette_samples=100", "analysis.rotations=1"]

    def page() -> str:
        done = subprocess.run([sys.executable, "-m", "mirror.claims", "--no-mlflow-run", "--tracking-uri", uri,
                               "--out", str(tmp_path / "page")], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        markdown = (tmp_path / "page" / "claims.md").read_text()
        return markdown[markdown.index("### Recordings beside the models"):]

    planted = _session(tmp_path, "planted", 0.5)
    rng = np.random.default_rng(1)
    conditions = rng.integers(0, 4, 80)
    labels = np.repeat(conditions[:, None], 20, axis=1)
    activity = plant(Population(30, 0.0, 0.0, "permuted", 0, 0.1, 0.1), labels, labels, 4, rng)
    lab = write_session(tmp_path / "lab.nwb", activity.perform[:40], activity.observe[40:], conditions[:40],
                        conditions[40:], keywords=())
    for path, name in ((planted, "planted"), (lab, "lab")):
        done = subprocess.run([*common, f"data.path={path}", f"hydra.run.dir={tmp_path}/{name}"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("recordings").experiment_id])
    assert sorted(r.data.tags["recording.origin"] for r in runs) == ["planted", "recorded"]
    section = page()
    assert "session planted-lab: M0 meets, M1 " in section and ", M2 " in section, section[:3000]
    assert "planted-planted" not in section, "a planted session is never shown as data"
    assert "| measure | planted-lab (recorded) |" in section, "its column beside the models' (none in this store)"
    for run in runs:
        client.delete_run(run.info.run_id)
    assert "The store holds no recorded session in experiment 'recordings'" in page()
