"""Figures on demand: a sweep's jobs draw none, ``python -m mirror.figures`` draws a run's shared four later
from what it kept, and refuses when the recomputed analysis is not the one the run logged."""

from __future__ import annotations

import pytest
from mlflow.tracking import MlflowClient

from mirror.figures import main as figures_main
from tests.conftest import TINY, run_cli, store_overrides

SHARED_FIGURES = {"analysis/figure1_per_unit_r.png", "analysis/figure2_permutation_decoding.png",
                  "analysis/figure3_lags_anti_mirror.png", "analysis/figure4_geometry_pca.png",
                  "analysis/figure5_battery.png"}


def _artifacts(client: MlflowClient, run_id: str) -> set[str]:
    return {artifact.path for artifact in client.list_artifacts(run_id, "analysis")}


@pytest.mark.slow
def test_a_sweeps_jobs_draw_no_figures_and_mirror_figures_draws_them_from_what_the_run_kept(tmp_path, capsys):
    result = run_cli(*TINY, *store_overrides(tmp_path), "seed=0,1", "-m", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    experiment = client.get_experiment_by_name("mirror")
    runs = [run for run in client.search_runs([experiment.experiment_id]) if "seed" in run.data.params]
    assert len(runs) == 2
    for run in runs:
        kept = _artifacts(client, run.info.run_id)
        assert not kept & SHARED_FIGURES and "analysis/r_at_init.npy" in kept
    assert not list((tmp_path / "multirun").rglob("*.png")), "no figure drawn in a sweep's job folder"

    first, second = (run.info.run_id for run in runs)
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    assert figures_main([first, "--tracking-uri", uri]) == 0
    assert SHARED_FIGURES <= _artifacts(client, first)
    assert first in capsys.readouterr().out

    # A run whose logged numbers are not what its activity gives gets no figures of other numbers.
    client.log_metric(second, "analysis/centred/max_r", 123.0, step=10**6)
    assert figures_main([second, "--tracking-uri", uri]) == 1
    assert "differs from what it logged (analysis/centred/max_r)" in capsys.readouterr().err
    assert not SHARED_FIGURES & _artifacts(client, second)
    assert figures_main(["deadbeef", "--tracking-uri", uri]) == 1
    assert "no run deadbeef in the store" in capsys.readouterr().err


def test_figures_is_refused_unless_auto_always_or_never(tmp_path):
    result = run_cli(*TINY, *store_overrides(tmp_path), "figures=sometimes", cwd=tmp_path, timeout=120)
    assert result.returncode != 0
    assert "figures must be one of" in result.stderr and "sometimes" in result.stderr
    assert not (tmp_path / "mlruns").exists()


@pytest.mark.parametrize(("case", "expected"), [
    ("no activity", "keeps no analysis/activity.npz"),
    ("no config", "keeps no config.yaml or analysis/r_at_init.npy"),
    ("another family", "is a run of another version"),
    ("another field", "is a run of another version"),
])
def test_figures_of_a_run_it_cannot_draw_are_one_line_saying_what_is_missing(tmp_path, case, expected):
    """Through the real command: runs of another version, or that lost what figures are drawn from."""
    import subprocess
    import sys

    import numpy as np

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client = MlflowClient(uri)
    run_id = client.create_run(client.create_experiment("old", artifact_location=str(tmp_path / "art")),
                               tags={"mirror.model": "shared_gru"}).info.run_id
    analysis = {"another family": "  _target_: mirror.analysis.gone.Callback\n",
                "another field": "  _target_: mirror.analysis.gru.callback.GRUControlsCallback\n  retired: 3\n"}
    if case != "no config":
        client.log_text(run_id, "seed: 0\nanalysis:\n" + analysis.get(
            case, "  _target_: mirror.analysis.gru.callback.GRUControlsCallback\n"), "config.yaml")
        np.save(tmp_path / "r_at_init.npy", np.zeros(3))
        client.log_artifact(run_id, str(tmp_path / "r_at_init.npy"), "analysis")
    client.set_terminated(run_id, "FINISHED")
    done = subprocess.run([sys.executable, "-m", "mirror.figures", run_id, "--tracking-uri", uri],
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.strip() and " INFO mlflow" not in line]
    assert done.returncode == 1 and len(lines) == 1 and expected in lines[0], done.stderr
