"""Multiruns end to end through the real CLI: launchers, sweep grouping, resume, failures, the report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow.tracking import MlflowClient

from mirror.intervals import interval
from tests.conftest import TINY, run_cli, store_overrides
from tests.test_run_e2e import artifact_paths

pytestmark = pytest.mark.slow

QUICK = (*TINY, "analysis.n_permutations=50", "analysis.cka_permutations=5", "trainer.enable_progress_bar=false")


def sweep(tmp_path: Path, name: str, *overrides: str) -> subprocess.CompletedProcess:
    return run_cli("-m", *QUICK, *store_overrides(tmp_path), f"hydra.sweep.dir={tmp_path / name}", *overrides,
                   cwd=tmp_path)


def runs_of(tmp_path: Path) -> tuple[list, list]:
    """(job runs, sweep parent runs) of the 'mirror' experiment."""
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    runs = client.search_runs([client.get_experiment_by_name("mirror").experiment_id], max_results=1000)
    parents = [r for r in runs if r.data.tags.get("mirror.role") == "sweep"]
    return [r for r in runs if r.data.tags.get("mirror.role") != "sweep"], parents


def test_a_basic_multirun_is_one_sweep_with_a_parent_run(tmp_path):
    result = sweep(tmp_path, "multirun", "seed=0,1,2")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "1", "2"]
    assert {r.info.status for r in jobs} == {"FINISHED"} and parent.info.status == "FINISHED"
    sweep_id = parent.data.tags["mirror.sweep_id"]
    for run in jobs:
        assert run.data.tags["mirror.sweep_id"] == sweep_id
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert f"seed={run.data.params['seed']}" in run.data.tags["mirror.overrides"]
        assert run.info.run_name == f"shared_gru-seed{run.data.params['seed']}"
    assert parent.data.params["planned_jobs"] == "3" and parent.data.metrics["sweep/runs_finished"] == 3
    job_dirs = sorted(p.name for p in (tmp_path / "multirun").iterdir() if p.is_dir() and p.name[0].isdigit())
    assert [name.split("_")[0] for name in job_dirs] == ["0", "1", "2"]
    log = result.stdout + result.stderr
    assert "job 3 of 3 (seed=2): 2 done, about" in log, "progress names the job, the count and the time left"
    assert "[job 2/3 seed=1] epoch 1/" in log, "every line a job logs names the job"


def test_a_sweep_ends_with_its_summary_over_seeds_in_mlflow_and_on_the_console(tmp_path):
    result = sweep(tmp_path, "multirun", "seed=0,1,2")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    headline = "analysis/centred/fraction_mirror"
    values = [run.data.metrics[headline] for run in jobs]
    low, high, _ = interval(headline, np.array(values))  # the reports' interval: t, or bootstrap inside [0, 1]
    metrics = parent.data.metrics
    assert metrics[f"summary/{headline}/mean"] == pytest.approx(np.mean(values))
    assert (metrics[f"summary/{headline}/ci_low"], metrics[f"summary/{headline}/ci_high"]) == pytest.approx((low, high))
    assert metrics["summary/n_runs"] == 3
    command = f"python -m mirror.report --experiment mirror --sweep {parent.data.tags['mirror.sweep_id']}"
    assert parent.data.tags["mirror.report_command"] == command
    note = parent.data.tags["mlflow.note.content"]
    assert note.startswith("**Sweep FINISHED.**") and f"`{headline}`" in note and command in note
    assert f"| all runs | 3 | {np.mean(values):.3g} [{low:.3g}, {high:.3g}] |" in note
    log = result.stdout + result.stderr
    assert "FINISHED; across seeds, mean [95 % interval]:" in log and f"next: {command}" in log
    for run in jobs:  # each run's page opens on its summary, the headline metrics first
        description = run.data.tags["mlflow.note.content"]
        assert description.index(headline) < description.index("```") and f"seed {run.data.params['seed']}" in description
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    experiment = client.get_experiment_by_name("mirror")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    for run in jobs:  # and each job prints a link to its page that opens in the model-training view
        page = f"/#/experiments/{experiment.experiment_id}/runs/{run.info.run_id}?workflowType=machine_learning"
        assert page in log
    # The command it names makes the report, which the parent run then links.
    report = subprocess.run([sys.executable, *command.split()[1:], "--tracking-uri", f"sqlite:///{tmp_path}/mlruns/mlflow.db",
                             "--out", str(tmp_path / "reports")], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-2000:]
    linked = client.get_run(parent.info.run_id).data.tags["mirror.report_run"]
    (report_run,) = [r for r in client.search_runs([experiment.experiment_id], "tags.`mirror.role` = 'report'")]
    assert linked.startswith(report_run.info.run_id) and "workflowType=machine_learning" in linked


def test_a_sweep_whose_job_folder_names_would_be_too_long_names_them_by_number_and_digest(tmp_path):
    """22 overrides make a folder name over 255 bytes, which no file system takes; the jobs still run,
    each in a folder of its own."""
    defaults = [f"{field}={value}" for field, value in (
        ("model.lr", 0.001), ("model.divergence_factor", 100.0), ("data.sensory_dim", 16), ("data.seq_len", 12),
        ("data.decay", 0.9), ("data.noise_std", 0.1), ("data.persistence", 0.0), ("analysis.mirror_threshold", 0.75),
        ("analysis.anti_mirror_threshold", -0.6), ("analysis.abs_threshold", 0.6), ("analysis.fdr_alpha", 0.05),
        ("analysis.decoder_folds", 2), ("analysis.top_units", 3), ("analysis.max_lag", 3), ("data.n_actions", 4),
        ("trainer.log_every_n_steps", 10), ("analysis.rotations", 10), ("trainer.deterministic", True),
        ("analysis.headline", "centred"), ("data.pairing", "matched"), ("model.readout", "own"))]
    result = sweep(tmp_path, "multirun", "seed=0,1", *defaults)
    assert result.returncode == 0, result.stderr[-3000:]
    job_dirs = sorted(p.name for p in (tmp_path / "multirun").iterdir() if p.is_dir() and p.name[0].isdigit())
    assert len(job_dirs) == 2 and all(len(name.encode()) <= 200 for name in job_dirs)
    assert [name.split("_")[0] for name in job_dirs] == ["0", "1"] and job_dirs[0][2:] != job_dirs[1][2:]
    jobs, _ = runs_of(tmp_path)
    assert {run.info.status for run in jobs} == {"FINISHED"} and len(jobs) == 2


def test_joblib_runs_jobs_in_worker_processes_and_a_reused_worker_leaks_nothing(tmp_path):
    result = sweep(tmp_path, "multirun", "seed=0,1,0", "tracking.resume=false",
                   "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    assert len(jobs) == 3 and {r.info.status for r in jobs} == {"FINISHED"}
    # Jobs run in the launcher's worker processes, never in the launching one, and at most two of
    # them (whether two jobs overlap in time depends on how fast each worker starts: not tested).
    workers = {r.data.tags["mirror.pid"] for r in jobs}
    assert parent.data.tags["mirror.pid"] not in workers and 1 <= len(workers) <= 2
    cores = len(os.sched_getaffinity(0))
    assert {r.data.tags["mirror.torch_threads"] for r in jobs} == {str(max(1, cores // 2))}
    assert {r.data.tags["mirror.blas_threads"] for r in jobs} == {"1"}
    seed0 = [r.data.metrics for r in jobs if r.data.params["seed"] == "0"]
    analysis = {k for k in seed0[0] if not k.startswith("time/")}
    assert {k: seed0[0][k] for k in analysis} == {k: seed0[1][k] for k in analysis}, (
        "the third job runs in a reused worker and must give the first job's numbers"
    )
    assert {r.data.tags["mlflow.parentRunId"] for r in jobs} == {parent.info.run_id}


def test_submitit_local_runs_the_cluster_code_path(tmp_path):
    result = sweep(tmp_path, "multirun", "seed=0,1", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "1"]
    assert {r.info.status for r in jobs} == {"FINISHED"} and parent.info.status == "FINISHED"
    assert {r.data.tags["mirror.sweep_id"] for r in jobs} == {parent.data.tags["mirror.sweep_id"]}
    assert list((tmp_path / "multirun" / ".submitit").glob("*/*_result.pkl")), "jobs went through submitit"


def test_parallel_jobs_on_an_empty_store_are_all_logged(tmp_path):
    """Independent runs started together on a store that does not exist yet (no launching process
    prepares it): the first-time database creation must not race."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "1"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mirror.run", *QUICK, *store_overrides(tmp_path), f"seed={seed}",
             f"hydra.run.dir={tmp_path / f'run{seed}'}"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for seed in range(4)
    ]
    outputs = [p.communicate(timeout=600) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err[-2000:] for _, err in outputs]
    jobs, parents = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "1", "2", "3"] and not parents
    assert {r.info.status for r in jobs} == {"FINISHED"}


def test_a_rerun_sweep_skips_finished_jobs_unless_told_not_to(tmp_path):
    assert sweep(tmp_path, "first", "seed=0").returncode == 0
    resumed = sweep(tmp_path, "second", "seed=0,1")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "not run again" in resumed.stdout
    jobs, parents = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "1"], "seed 0 is not repeated"
    second = next(p for p in parents if p.data.tags["mirror.sweep_dir"].endswith("second"))
    assert second.data.metrics["sweep/jobs_skipped"] == 1 and second.data.metrics["sweep/runs_finished"] == 1
    assert second.info.status == "FINISHED"
    assert second.data.metrics["summary/n_runs"] == 2, "the skipped job counts with the earlier run it stands for"
    headline = "analysis/centred/fraction_mirror"
    assert second.data.metrics[f"summary/{headline}/mean"] == pytest.approx(np.mean([r.data.metrics[headline]
                                                                                     for r in jobs]))
    assert sweep(tmp_path, "third", "seed=0", "tracking.resume=false").returncode == 0
    jobs, _ = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "0", "1"]


def test_a_config_finished_in_another_experiment_is_copied_with_every_metric_and_artifact(tmp_path):
    assert sweep(tmp_path, "first", "seed=0,1", "tracking.experiment=ablations").returncode == 0
    second = sweep(tmp_path, "second", "seed=1,2")  # into 'mirror': seed 1 is copied, seed 2 run
    assert second.returncode == 0, second.stderr[-3000:]
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    (source,) = [r for r in client.search_runs([client.get_experiment_by_name("ablations").experiment_id])
                 if r.data.params.get("seed") == "1"]
    assert f"copied from run {source.info.run_id} in ablations" in second.stdout
    jobs, (parent,) = runs_of(tmp_path)
    (copy,) = [r for r in jobs if r.data.params["seed"] == "1"]
    assert copy.info.run_id != source.info.run_id and copy.info.status == "FINISHED"
    assert copy.data.tags["mirror.copied_from"] == f"{source.info.run_id} in ablations"
    assert copy.data.tags["mirror.sweep_id"] == parent.data.tags["mirror.sweep_id"] != source.data.tags["mirror.sweep_id"]
    assert {k for k, v in copy.data.params.items() if source.data.params[k] != v} == {"tracking.experiment"}

    def history(run):
        return {key: [(m.step, m.value, m.timestamp) for m in client.get_metric_history(run.info.run_id, key)]
                for key in run.data.metrics}

    assert history(copy) == history(source) and len(history(copy)["train/loss"]) > 1, "every metric, every step"
    paths = artifact_paths(client, copy.info.run_id)
    assert paths == artifact_paths(client, source.info.run_id) and "analysis/activity.npz" in paths
    copied, original = (client.download_artifacts(r.info.run_id, "analysis/units.csv", str(tmp_path / r.info.run_id))
                        for r in (copy, source))
    assert Path(copied).read_bytes() == Path(original).read_bytes()
    config = yaml.safe_load(Path(client.download_artifacts(copy.info.run_id, "config.yaml", str(tmp_path))).read_text())
    assert config["tracking"]["experiment"] == "mirror", "its own config"
    assert parent.data.metrics["sweep/jobs_copied"] == 1 and parent.data.metrics["sweep/runs_finished"] == 2
    assert sweep(tmp_path, "third", "seed=0", "tracking.resume=false").returncode == 0
    assert not any("mirror.copied_from" in r.data.tags for r in runs_of(tmp_path)[0] if r.data.params["seed"] == "0")


def test_a_failing_job_keeps_the_others_and_marks_the_sweep_failed(tmp_path):
    result = sweep(tmp_path, "multirun", "model.lr=0.001,1e6,0.002")  # the second diverges
    assert result.returncode != 0
    assert "training diverged" in result.stdout + result.stderr
    jobs, (parent,) = runs_of(tmp_path)
    by_lr = {r.data.params["model.lr"]: r.info.status for r in jobs}
    assert by_lr == {"0.001": "FINISHED", "1000000.0": "FAILED", "0.002": "FINISHED"}, "jobs after the failure ran"
    assert parent.info.status == "FAILED" and parent.data.metrics["sweep/jobs_failed"] == 1


def test_a_sweep_with_one_bad_value_is_refused_before_any_job_runs(tmp_path):
    result = sweep(tmp_path, "multirun", "model.hidden_size=12,-3,10")
    assert result.returncode == 2
    assert "sweep job 2 of 3" in result.stderr and "model.hidden_size must be positive (got -3)" in result.stderr
    assert not (tmp_path / "mlruns").exists() and not (tmp_path / "multirun").exists()


def test_report_reads_a_real_sweep_back_from_mlflow(tmp_path):
    assert sweep(tmp_path, "multirun", "seed=0,1", "model.hidden_size=8,12,16", "analysis.top_units=4").returncode == 0
    jobs, (parent,) = runs_of(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mirror.report", "--experiment", "mirror", "--sweep", parent.data.tags["mirror.sweep_id"],
         "--tracking-uri", f"sqlite:///{tmp_path}/mlruns/mlflow.db", "--artifact-root", str(tmp_path / "art"),
         "--out", str(tmp_path / "reports"), "--name", "hidden"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / "reports" / "hidden"
    summary = pd.read_csv(folder / "summary.csv")
    fraction = summary[(summary["metric"] == "analysis/centred/fraction_mirror") & (summary["model.hidden_size"] == 12)]
    expected = [r.data.metrics["analysis/centred/fraction_mirror"] for r in jobs
                if r.data.params["model.hidden_size"] == "12"]
    assert fraction["mean"].item() == pytest.approx(sum(expected) / 2) and fraction["n"].item() == 2
    assert {"metrics_vs_model_hidden_size.png", "across_seeds.png", "r_distributions.png"} <= {
        p.name for p in folder.iterdir()
    }
    assert "MLflow report run" in result.stdout
    jobs_and_report, _ = runs_of(tmp_path)
    (report,) = [r for r in jobs_and_report if r.data.tags.get("mirror.role") == "report"]
    assert report.data.tags["mirror.report_sweep"] == parent.data.tags["mirror.sweep_id"]


def test_ctrl_c_during_a_sweep_marks_the_job_and_the_sweep_killed(tmp_path):
    import signal
    import time

    env = {**os.environ, "HYDRA_FULL_ERROR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mirror.run", "-m", *QUICK, *store_overrides(tmp_path), "seed=0,1",
         "trainer.max_epochs=400", f"hydra.sweep.dir={tmp_path / 'multirun'}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # As in a terminal: a test run started in the background inherits SIGINT ignored, and so would the sweep.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    sweep_state = tmp_path / "multirun" / ".mirror" / "sweep.json"  # written once the store is ready
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if sweep_state.exists() and any(r.info.status == "RUNNING" for r in runs_of(tmp_path)[0]):
            break
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=300)
    assert process.returncode != 0, output[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    assert [r.info.status for r in jobs] == ["KILLED"], output[-3000:]
    assert parent.info.status == "KILLED" and parent.data.metrics["sweep/runs_killed"] == 1


def test_a_sweep_preset_runs_as_a_sweep_without_dash_m(tmp_path):
    result = run_cli(*QUICK, *store_overrides(tmp_path), f"hydra.sweep.dir={tmp_path / 'preset'}",
                     "experiment=sweep_seeds", "seed=0,1", "tracking.experiment=mirror", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    jobs, (parent,) = runs_of(tmp_path)
    assert sorted(r.data.params["seed"] for r in jobs) == ["0", "1"]
    assert parent.info.status == "FINISHED" and (tmp_path / "preset").is_dir()


def _start_sweep(tmp_path: Path, name: str, *overrides: str) -> subprocess.Popen:
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "mirror.run", "-m", *QUICK, *store_overrides(tmp_path), "trainer.max_epochs=400",
         f"hydra.sweep.dir={tmp_path / name}", *overrides],
        cwd=tmp_path, env=env, stdout=(tmp_path / f"{name}.log").open("w"), stderr=subprocess.STDOUT,
    )


def _wait_for_running_jobs(tmp_path: Path, name: str, count: int, timeout_s: float = 300) -> list:
    """The sweep's RUNNING job runs, once ``count`` run at once and have logged their params (a run just
    created has its tags but not yet its params). The store is read only after the launcher wrote its sweep
    state: a second process opening a fresh sqlite store while it is created corrupts it."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if (tmp_path / name / ".mirror" / "sweep.json").exists():
            running = [r for r in runs_of(tmp_path)[0] if r.info.status == "RUNNING" and "seed" in r.data.params]
            if len(running) >= count:
                return running
    raise AssertionError(f"{count} jobs never ran at once")


def _parent_of(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_killing_the_launcher_ends_its_workers_and_no_job_starts_after_it(tmp_path):
    """kill -9 of a joblib sweep's launcher: its workers stop their jobs (KILLED) within seconds and
    start no other job, so nothing runs that a resume started meanwhile would run again."""
    import signal
    import time

    launcher = _start_sweep(tmp_path, "multirun", "seed=0,1,2,3", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    running = _wait_for_running_jobs(tmp_path, "multirun", 2)
    workers = {int(run.data.tags["mirror.pid"]) for run in running}
    assert launcher.pid not in workers
    children = {int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
                if _parent_of(stat) == launcher.pid}
    assert workers <= children
    workers |= children  # every process the launcher started, idle or not
    launcher.send_signal(signal.SIGKILL)
    launcher.wait(timeout=30)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its launcher"
    time.sleep(3)  # a worker that had gone on would have opened another job's run by now
    jobs, (parent,) = runs_of(tmp_path)
    assert sorted(r.info.status for r in jobs) == ["KILLED", "KILLED"], (tmp_path / "multirun.log").read_text()[-3000:]
    assert all("terminated" in r.data.tags["mirror.error"] for r in jobs)
    assert parent.info.status == "KILLED", "the workers end the parent their killed launcher could not"
    assert "launching process died" in parent.data.tags["mirror.error"]


@pytest.mark.parametrize("kills", [1, 2])
def test_a_killed_worker_takes_no_other_job_with_it_and_its_own_job_runs_again_once(tmp_path, kills):
    """A joblib worker SIGKILLed mid-job: its run is marked FAILED, the jobs the broken executor took
    with it run again one at a time, and so does the killed one; killed again while it runs alone, it
    is FAILED for good and the others still finish."""
    import signal
    import time

    launcher = _start_sweep(tmp_path, "multirun", "seed=0,1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    first = _wait_for_running_jobs(tmp_path, "multirun", 1)[0]
    seed, pid = first.data.params["seed"], int(first.data.tags["mirror.pid"])
    os.kill(pid, signal.SIGKILL)
    if kills == 2:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            # .get: a run just created may not carry its params and tags yet.
            again = [r for r in runs_of(tmp_path)[0] if r.data.params.get("seed") == seed
                     and r.info.status == "RUNNING" and int(r.data.tags.get("mirror.pid", pid)) != pid]
            if again:
                os.kill(int(again[0].data.tags["mirror.pid"]), signal.SIGKILL)
                break
            time.sleep(0.5)
        else:
            pytest.fail("the killed job was not run again")
    launcher.wait(timeout=600)
    log = (tmp_path / "multirun.log").read_text()
    assert "a worker process died" in log
    jobs, (parent,) = runs_of(tmp_path)
    assert "RUNNING" not in {r.info.status for r in jobs}
    crashed = [r for r in jobs if r.data.params["seed"] == seed]
    assert len(crashed) == 2 and all("ended without closing the run" in r.data.tags["mirror.error"]
                                            for r in crashed if r.info.status == "FAILED")
    others = [r for r in jobs if r.data.params["seed"] != seed and r.info.status == "FINISHED"]
    assert sorted({r.data.params["seed"] for r in others}) == sorted({"0", "1", "2"} - {seed}), log[-3000:]
    if kills == 1:
        assert sorted(r.info.status for r in crashed) == ["FAILED", "FINISHED"]
        assert launcher.returncode == 0 and parent.info.status == "FINISHED", "every job ended well in the end"
    else:
        assert [r.info.status for r in crashed] == ["FAILED", "FAILED"]
        assert f"sweep job {int(seed) + 1}: its worker died while it ran alone" in log
        assert launcher.returncode != 0 and parent.info.status == "FAILED", "a crash for good is a failure"


def test_a_resumed_sweep_does_not_start_a_config_a_live_process_is_running(tmp_path):
    import signal

    first = _start_sweep(tmp_path, "first", "seed=0,1")
    (holding,) = _wait_for_running_jobs(tmp_path, "first", 1)
    second = sweep(tmp_path, "second", "seed=0,1", "trainer.max_epochs=400")
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=120)
    assert second.returncode == 0, "a job another live process holds is skipped, not failed"
    held = [line for line in (second.stdout + second.stderr).splitlines()
            if f"this config is already RUNNING (run {holding.info.run_id}" in line]
    assert len(held) == 1 and "Traceback" not in second.stderr, "one line"
    jobs, _ = runs_of(tmp_path)
    assert sum(r.data.params["seed"] == holding.data.params["seed"] for r in jobs) == 1, "never run twice at once"
