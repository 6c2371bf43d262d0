"""Sweeps that meet in one store, through the real CLI in real processes: two identical sweeps started together run
each config once (the later job of a config is skipped, in one line, not FAILED), two sweeps copying the same runs at
once make one copy of each, and a copy whose source lost its artifacts is run instead. Tiny associative configs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from tests.conftest import store_overrides

pytestmark = pytest.mark.slow

SEEDS = "seed=range(4)"


def _command(tmp_path: Path, name: str, *overrides: str) -> list[str]:
    return [sys.executable, "-m", "mirror.run", "-m", "model=asl_associative", SEEDS, *store_overrides(tmp_path),
            f"hydra.sweep.dir={tmp_path / name}", *overrides]


def _together(tmp_path: Path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Start the commands a fraction of a second apart and wait for all."""
    started = []
    for command in commands:
        started.append(subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True))
        time.sleep(0.3)
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=600), *p.communicate()) for p in started]


def _experiment_runs(tmp_path: Path, experiment: str) -> tuple[list, list]:
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    runs = client.search_runs([client.get_experiment_by_name(experiment).experiment_id], max_results=1000)
    return ([r for r in runs if r.data.tags.get("mirror.role") != "sweep"],
            [r for r in runs if r.data.tags.get("mirror.role") == "sweep"])


def test_two_identical_sweeps_at_once_run_each_config_once_and_two_copying_sweeps_copy_each_once(tmp_path):
    done = _together(tmp_path, _command(tmp_path, "a"), _command(tmp_path, "b"))
    assert [d.returncode for d in done] == [0, 0], [d.stderr[-2000:] for d in done]
    jobs, parents = _experiment_runs(tmp_path, "mirror")
    assert Counter(r.data.params["seed"] for r in jobs) == {str(s): 1 for s in range(4)}, "each config once"
    assert {r.info.status for r in jobs} == {"FINISHED"} and {p.info.status for p in parents} == {"FINISHED"}
    assert sum(p.data.metrics["sweep/runs_finished"] for p in parents) == 4
    assert sum(p.data.metrics["sweep/jobs_skipped"] for p in parents) == 4, "the other sweep's job of each is skipped"
    for output in (d.stdout + d.stderr for d in done):
        assert "Traceback" not in output

    copying = _together(tmp_path, _command(tmp_path, "c", "tracking.experiment=copies"),
                        _command(tmp_path, "d", "tracking.experiment=copies"))
    assert [d.returncode for d in copying] == [0, 0], [d.stderr[-2000:] for d in copying]
    copies, parents = _experiment_runs(tmp_path, "copies")
    assert Counter(r.data.params["seed"] for r in copies) == {str(s): 1 for s in range(4)}, "one copy of each"
    assert all("mirror.copied_from" in r.data.tags for r in copies)
    assert sum(p.data.metrics["sweep/jobs_copied"] for p in parents) == 4, "copies counted once"


def test_a_copy_whose_source_lost_its_artifacts_is_run_instead(tmp_path):
    first = subprocess.run(_command(tmp_path, "first", "tracking.experiment=ablations"), cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    sources, _ = _experiment_runs(tmp_path, "ablations")
    (lost,) = [r for r in sources if r.data.params["seed"] == "0"]
    shutil.rmtree(Path(lost.info.artifact_uri.removeprefix("file://")) / "analysis")  # a disk clean-up gone wrong
    second = subprocess.run(_command(tmp_path, "second"), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert f"run {lost.info.run_id} FINISHED this config but lost analysis/activity.npz" in second.stdout + second.stderr
    jobs, _ = _experiment_runs(tmp_path, "mirror")
    copied = {r.data.params["seed"]: "mirror.copied_from" in r.data.tags for r in jobs}
    assert copied == {"0": False, "1": True, "2": True, "3": True}
