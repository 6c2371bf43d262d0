"""Faults through real processes and signals: each ends with the right MLflow status, the right exit
status and nothing lost, and nothing stays RUNNING after its process is gone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch
from mlflow.tracking import MlflowClient

from tests.conftest import run_cli, store_overrides

pytestmark = pytest.mark.slow

TINY = ["trainer=fast", "data.n_train=64", "data.n_val=16", "data.n_test=32", "analysis.n_permutations=20",
        "analysis.cka_permutations=5", "model.hidden_size=12"]


TRAINING = "epoch 1/"
"""A run off a terminal logs each epoch as it ends: training is under way and the job's run is
open (the store is not polled before then: a second process creating a fresh sqlite store
corrupts it)."""


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    """``python -m mirror.run`` in the background, its output in a file."""
    log = tmp_path / f"run-{time.monotonic_ns()}.log"
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "mirror.run", *args], cwd=tmp_path, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, log


def wait_until(condition, timeout: float = 120.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def store(tmp_path: Path) -> MlflowClient:
    return MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlruns/mlflow.db")


def runs(tmp_path: Path, experiment: str = "mirror") -> list:
    if not (tmp_path / "mlruns" / "mlflow.db").exists():
        return []
    found = store(tmp_path).get_experiment_by_name(experiment)
    return store(tmp_path).search_runs([found.experiment_id]) if found else []


def job_runs(tmp_path: Path) -> list:
    return [run for run in runs(tmp_path) if "mirror.role" not in run.data.tags]


@pytest.mark.parametrize(
    ("where", "overrides", "reached"),
    [
        # Outside Lightning's loop: well inside two million permutations after training ended.
        ("analysis", ["analysis.n_permutations=2000000"], "analysis: per-unit r"),
        # Inside it, where Lightning alone would exit 0.
        ("training", ["trainer.max_epochs=100000"], TRAINING),
    ],
)
def test_sigterm_marks_the_run_killed_and_exits_143(tmp_path, where, overrides, reached):
    process, log = start(tmp_path, *TINY, *overrides, *store_overrides(tmp_path))
    wait_until(lambda: reached in log.read_text(), what=f"the {where} to be under way")
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    (run,) = job_runs(tmp_path)
    assert run.info.status == "KILLED"
    assert "SIGTERM" in run.data.tags["mirror.error"]
    # Metrics are written every few seconds: those logged since the last write are written on the way out.
    epochs_ended = sum(line.startswith("epoch ") for line in log.read_text().splitlines())
    written = len(store(tmp_path).get_metric_history(run.info.run_id, "train/loss"))
    assert epochs_ended >= 1 and written >= epochs_ended - 1  # the epoch under way when stopped may be unlogged


def test_a_sigkilled_sweep_is_marked_failed_by_the_next_run_of_its_experiment(tmp_path):
    process, log = start(tmp_path, *TINY, "trainer.max_epochs=100000", "seed=0,1", *store_overrides(tmp_path), "-m")
    wait_until(lambda: TRAINING in log.read_text(), what="the first job to train")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert {r.info.status for r in runs(tmp_path)} == {"RUNNING"}, "a killed process cannot close its runs"
    later = run_cli(*TINY, *store_overrides(tmp_path), cwd=tmp_path, timeout=300)
    assert later.returncode == 0, later.stderr[-2000:]
    by_role = {r.data.tags.get("mirror.role", "job"): r for r in runs(tmp_path) if r.info.status != "FINISHED"}
    assert set(by_role) == {"sweep", "job"}
    for run in by_role.values():
        assert run.info.status == "FAILED"
        assert "ended without closing the run" in run.data.tags["mirror.error"]


def test_two_sweeps_started_in_the_same_second_keep_their_own_folders_and_ids(tmp_path):
    # Other seeds in each: with the same configs, whichever sweep runs a job second would resume it
    # from the other's FINISHED run (skip it), and how many each ran would depend on timing.
    started = [start(tmp_path, *TINY, seeds, *store_overrides(tmp_path), "-m") for seeds in ("seed=0,1", "seed=2,3")]
    assert [process.wait(timeout=300) for process, _ in started] == [0, 0]
    folders = sorted(path for path in (tmp_path / "multirun").glob("*/*") if path.is_dir())
    assert len(folders) == 2
    parents = [r for r in runs(tmp_path) if r.data.tags.get("mirror.role") == "sweep"]
    assert len({p.data.tags["mirror.sweep_id"] for p in parents}) == 2
    for parent in parents:
        jobs = [r for r in job_runs(tmp_path) if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
        assert len(jobs) == 2
        assert all(r.data.tags["mirror.sweep_id"] == parent.data.tags["mirror.sweep_id"] for r in jobs)
        assert all(r.data.tags["mirror.output_dir"].startswith(parent.data.tags["mirror.sweep_dir"]) for r in jobs)
        assert parent.data.metrics["sweep/jobs_done"] == 2


TINY_HEBBIAN = ["model=hebbian_face", "data.image_size=24", "data.n_steps=40", "data.parent_transforms=4",
                "data.test_trials=6", "data.pretrain_identities=4", "data.pretrain_transforms=2",
                "data.sequence_length=4", "data.test_identities=4", "model.vision.wavelengths=[2.0,4.0]",
                "model.vision.sheet_size=8", "model.vision.fan_in=[40,20,20,20]",
                "model.vision.fan_in_radius=[3.0,3.0,4.0,5.0]", "model.vision.sparseness=[0.05,0.1,0.12,0.1]",
                "model.vision.epochs_per_layer=1", "model.mirror.sheet_size=5", "analysis.selectivity_permutations=50",
                "analysis.n_permutations=50", "analysis.cka_permutations=5"]


def test_a_truncated_or_empty_vision_cache_is_named_pre_trained_again_and_replaced(tmp_path):
    settings = [*TINY_HEBBIAN, *store_overrides(tmp_path), f"model.vision.cache_dir={tmp_path / 'cache'}"]
    assert run_cli(*settings, cwd=tmp_path).returncode == 0
    (cache,) = (tmp_path / "cache").glob("visnet-*.pt")
    intact, weights = cache.read_bytes(), torch.load(cache, weights_only=True)
    for damaged in (intact[: len(intact) // 3], b""):
        cache.write_bytes(damaged)
        result = run_cli(*settings, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert f"cached vision weights {cache} are unreadable" in result.stdout + result.stderr
        replaced = torch.load(cache, weights_only=True)
        assert replaced.keys() == weights.keys(), "the file was replaced by a whole one"
        for name, value in weights.items():
            assert torch.equal(replaced[name], value), "pre-trained again to the same weights"
    assert {r.info.status for r in job_runs(tmp_path)} == {"FINISHED"}


def test_a_run_whose_artifacts_cannot_be_written_is_marked_failed_not_left_running(tmp_path):
    """The experiment's artifact folder became unwritable after it was created (a full disk, a read-only
    mount): the config's upload fails, the traceback's upload fails too, and the run is still closed."""
    settings = [*TINY, *store_overrides(tmp_path)]
    client = MlflowClient(settings[-2].split("=", 1)[1])
    client.create_experiment("mirror", artifact_location="file:///proc/nope/art")
    result = run_cli(*settings, cwd=tmp_path)
    assert result.returncode == 1
    (run,) = job_runs(tmp_path)
    assert run.info.status == "FAILED" and run.info.end_time is not None
    assert "could not be recorded in full" in result.stdout + result.stderr


def test_a_diverging_training_fails_with_its_reason_in_one_line_and_its_traceback_in_mlflow(tmp_path):
    result = run_cli(*TINY, "model.lr=1e6", *store_overrides(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    (run,) = job_runs(tmp_path)
    assert run.info.status == "FAILED"
    assert run.data.tags["mirror.error"].startswith("TrainingDiverged: training diverged")
    mine = [line for line in result.stderr.splitlines() if line.startswith("mirror: ")]
    assert mine == [line for line in mine if line.startswith("mirror: the run failed: TrainingDiverged: training "
                                                              "diverged")] and len(mine) == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = [line for line in result.stderr.splitlines() if line.strip() and " INFO mlflow." not in line]
    assert len(said) <= 2, said  # Hydra's line naming the job's overrides, and this one
    trace = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db").download_artifacts(run.info.run_id, "error.txt",
                                                                                     str(tmp_path))
    assert "Traceback" in Path(trace).read_text()


def test_a_store_locked_past_sqlite_s_own_wait_loses_no_write_and_says_so_once(tmp_path, caplog):
    from mirror.tracking.store import prepare_experiment

    client, experiment_id = prepare_experiment(f"sqlite:///{tmp_path}/mlflow.db", "locked", str(tmp_path / "art"),
                                               patience_s=120)
    run_id = client.create_run(experiment_id).info.run_id
    holding = threading.Event()

    def hold_the_lock(seconds: float) -> None:
        connection = sqlite3.connect(tmp_path / "mlflow.db", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        holding.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold_the_lock, args=(25.0,))
    holder.start()
    holding.wait()
    with caplog.at_level("WARNING"):
        client.log_metric(run_id, "analysis/centred/fraction_mirror", 0.25)  # sqlite alone gives up after 20 s
    client.set_terminated(run_id, "FINISHED")
    holder.join()
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["analysis/centred/fraction_mirror"] == 0.25
    messages = [record.getMessage() for record in caplog.records if record.levelname != "INFO"]
    assert len(messages) == 1 and messages[0].startswith("the tracking store is locked by another writer (log_metric)"), \
        "one line for the whole episode, none of MLflow's SQL tracebacks"


def test_a_sigterm_inside_a_store_write_waits_for_the_write_to_end():
    from mirror.termination import Terminated, stop_on_sigterm, uninterrupted

    finished = []
    with pytest.raises(Terminated, match="SIGTERM"), stop_on_sigterm():
        with uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the signal is delivered here, inside the write
            finished.append("write")
        finished.append("after")
    assert finished == ["write"], "the write ended, and the stop came right after it"


@pytest.mark.parametrize("code, status, stderr", [(None, 0, ""), (3, 3, ""), ("a reason", 1, "a reason\n")])
def test_the_entry_point_s_exit_joins_threads_runs_exit_handlers_and_flushes(code, status, stderr):
    """Skipping the modules' tear-down must lose nothing an exit does that anyone sees."""
    script = (
        "import atexit, threading, time\n"
        "from mirror.run import exit_without_teardown\n"
        "atexit.register(lambda: print('exit handler', flush=True))\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), print('thread done'))).start()\n"
        "print('buffered', end=' ')\n"
        f"exit_without_teardown({code!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (status, "buffered thread done\nexit handler\n", stderr)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("fault", ["killed", "hung"])
def test_a_tracking_server_lost_mid_run_ends_the_job_within_seconds_saying_where_the_metrics_are(tmp_path, fault):
    """The server dies (SIGKILL: requests are refused) or hangs (SIGSTOP: requests time out) while the job
    trains. Bounded requests fail within seconds: a dead server fails the job by itself (exit 1); a SIGTERM
    to a job waiting on a hung one ends it with 143, not masked by the close that cannot reach the server.
    Either way the job says the server lost the run's end and where its metrics are."""
    import urllib.request

    port = _free_port()
    server_log = tmp_path / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{tmp_path}/server.db", "--default-artifact-root", str(tmp_path / "art")],
        cwd=tmp_path, stdout=server_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the tracking server did not start: {server_log.read_text()[-2000:]}")
        process, log = start(tmp_path, *TINY, "trainer.max_epochs=400", "trainer.enable_progress_bar=false",
                             f"tracking.uri=http://127.0.0.1:{port}", "tracking.request_timeout_s=2",
                             "tracking.request_retries=1")
        deadline = time.monotonic() + 300
        while TRAINING not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert TRAINING in log.read_text(), log.read_text()[-3000:]
        lost_at = time.monotonic()
        os.killpg(server.pid, signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
        if fault == "hung":
            time.sleep(1.0)
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=60)
    output = log.read_text()
    assert process.returncode == (1 if fault == "killed" else 143), output[-3000:]
    assert time.monotonic() - lost_at < 30, "neither the job nor a stop is held for minutes by a lost server"
    status = "FAILED" if fault == "killed" else "KILLED"
    assert f"did not record this run's end as {status}" in output and "analysis/metrics.json" in output
    lost = [line for line in output.splitlines() if line.strip() and not line.startswith("epoch ")]
    assert len(lost) <= 25 and "Traceback" not in output, "\n".join(lost)
