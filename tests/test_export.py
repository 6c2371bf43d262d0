"""A model run as a recording (mirror.export): the run's test activity written as an NWB session, which NWB
Inspector passes with nothing critical and no best-practice violation, and which, read back as a recording by the
command the export prints, gives the run's own shared-analysis and battery numbers (float32 tolerance)."""

from __future__ import annotations

import math
import shlex
import subprocess
import sys

import pytest
from mlflow.tracking import MlflowClient

from tests.conftest import TINY, run_cli, store_overrides

FAST = ["analysis.n_permutations=100", "analysis.cka_permutations=5", "analysis.silhouette_samples=200",
        "analysis.rotations=2"]


def _only_run(client: MlflowClient, experiment: str):
    (run,) = client.search_runs([client.get_experiment_by_name(experiment).experiment_id])
    return run


@pytest.mark.slow
@pytest.mark.parametrize("model", [["model=shared_gru", *TINY], ["model=asl_associative"]], ids=["gru", "associative"])
def test_an_exported_run_passes_nwb_inspector_and_reads_back_as_a_recording_with_the_same_numbers(tmp_path, model):
    from nwbinspector import Importance, inspect_nwbfile

    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    done = run_cli(*model, *FAST, *store_overrides(tmp_path), "tracking.experiment=model",
                   f"hydra.run.dir={tmp_path}/model", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    client = MlflowClient(tracking_uri=uri)
    original = _only_run(client, "model")
    session = tmp_path / "model.nwb"
    exported = subprocess.run([sys.executable, "-m", "mirror.export", original.info.run_id, str(session),
                               "--tracking-uri", uri], capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr[-2000:]
    messages = list(inspect_nwbfile(nwbfile_path=str(session)))
    serious = [m for m in messages if m.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)]
    assert not serious, [m.message for m in serious]

    command = shlex.split(exported.stdout.strip().splitlines()[-1])
    assert command[:3] == ["python", "-m", "mirror.run"]
    read = run_cli(*command[3:], *store_overrides(tmp_path), "tracking.experiment=recording",
                   f"hydra.run.dir={tmp_path}/recording", cwd=tmp_path)
    assert read.returncode == 0, read.stderr[-2000:]
    recording = _only_run(client, "recording")
    assert recording.data.tags["recording.origin"] == "exported"
    ours, theirs = original.data.metrics, recording.data.metrics
    shared = sorted(key for key in ours if key.startswith("analysis/") and key in theirs)
    assert len(shared) > 60 and any(key.startswith("analysis/subspace/") for key in shared)
    differ = {key: (ours[key], theirs[key]) for key in shared
              if not (math.isclose(ours[key], theirs[key], rel_tol=1e-4, abs_tol=1e-5)
                      or (math.isnan(ours[key]) and math.isnan(theirs[key])))}
    assert not differ, differ


def test_an_export_of_a_run_the_store_does_not_hold_is_one_line_and_writes_nothing(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    done = subprocess.run([sys.executable, "-m", "mirror.export", "0" * 32, str(tmp_path / "x.nwb"), "--tracking-uri",
                           uri], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and not (tmp_path / "x.nwb").exists()
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no run 000" in lines[0], done.stderr
