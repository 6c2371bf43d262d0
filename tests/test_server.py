"""The tracking server a lab runs (make server: MLflow over a real PostgreSQL) as a cluster uses it, tiny associative
configs: a second start finds it running and a taken port is one line; two sweeps of two jobs each writing to it at
once finish every config once with every metric, the same as on sqlite; the server killed mid-sweep and restarted,
a resume completes the sweep; the report and the claims page read from it."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

pytestmark = pytest.mark.slow

JOB = ["model=asl_associative", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "tracking.request_timeout_s=3",
       "tracking.request_retries=1"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mirror.tracking.server", *arguments], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def server():
    """A server in a folder the postgres user can reach (pytest's own are private to their owner)."""
    if shutil.which("pg_ctl") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.fail("PostgreSQL is not installed: .ci/run installs it")
    folder = Path(tempfile.mkdtemp(prefix="mirror-server-"))
    folder.chmod(0o755)
    ports = ["--folder", str(folder), "--port", str(_free_port()), "--db-port", str(_free_port())]
    started = _server("start", *ports)
    assert started.returncode == 0, started.stderr
    yield json.loads((folder / "server.json").read_text()), ports
    stopped = _server("stop", "--folder", str(folder))
    assert stopped.returncode == 0 and stopped.stdout.strip() == "tracking server stopped", stopped.stderr
    shutil.rmtree(folder, ignore_errors=True)


def _sweep(cwd: Path, uri: str, name: str, *overrides: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mirror.run", "-m", *JOB, f"tracking.uri={uri}",
                             f"hydra.sweep.dir={cwd / name}", *overrides], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _jobs(uri: str, experiment: str) -> list:
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name(experiment).experiment_id], max_results=1000)
    return [r for r in runs if r.data.tags.get("mirror.role") != "sweep"]


def test_a_second_start_finds_it_running_and_a_taken_port_is_one_line(server):
    running, ports = server
    again = _server("start", *ports)
    assert again.returncode == 0 and "already running at http://127.0.0.1:" in again.stdout
    taken = _server("start", "--folder", str(Path(running["folder"]) / "other"), "--port", str(running["port"]),
                    "--db-port", str(_free_port()))
    assert taken.returncode == 2 and taken.stderr.strip() == (
        f"mirror.tracking.server: port {running['port']} on 127.0.0.1 is already taken by another process: give "
        "another (--port, make server PORT=... DB_PORT=...)")


def test_two_sweeps_writing_at_once_finish_every_config_once_with_the_metrics_sqlite_gets(server, tmp_path):
    running, _ = server
    uri = f"http://127.0.0.1:{running['port']}"
    started = time.monotonic()
    sweeps = [_sweep(tmp_path, uri, name, "seed=range(6)", "tracking.experiment=together") for name in ("a", "b")]
    outputs = [sweep.communicate(timeout=600)[0] for sweep in sweeps]
    seconds = time.monotonic() - started
    assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    on_server = _jobs(uri, "together")
    assert Counter(r.data.params["seed"] for r in on_server) == {str(s): 1 for s in range(6)}
    assert {r.info.status for r in on_server} == {"FINISHED"}
    local = subprocess.run([sys.executable, "-m", "mirror.run", "-m", *JOB, "seed=range(6)",
                            f"tracking.uri=sqlite:///{tmp_path}/local.db", f"tracking.artifact_root={tmp_path}/art",
                            "tracking.experiment=together", f"hydra.sweep.dir={tmp_path / 'local'}"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stdout[-2000:]
    by_seed = {r.data.params["seed"]: r.data.metrics for r in _jobs(f"sqlite:///{tmp_path}/local.db", "together")}
    client = MlflowClient(uri)
    for run in on_server:
        ours, theirs = run.data.metrics, by_seed[run.data.params["seed"]]
        assert set(ours) == set(theirs), "every metric, none lost"
        differ = [key for key in ours if not key.startswith("time/") and ours[key] != theirs[key]
                  and not (math.isnan(ours[key]) and math.isnan(theirs[key]))]
        assert not differ, differ
        history = client.get_metric_history(run.info.run_id, "associative/mirror_index")
        assert len(history) == len(MlflowClient(f"sqlite:///{tmp_path}/local.db").get_metric_history(
            next(r.info.run_id for r in _jobs(f"sqlite:///{tmp_path}/local.db", "together")
                 if r.data.params["seed"] == run.data.params["seed"]), "associative/mirror_index")), "none twice"
    metrics = sum(len(r.data.metrics) for r in on_server)
    print(f"load: 12 jobs (6 run, 6 skipped) and {metrics} metrics in {seconds:.1f} s: "
          f"{6 / seconds:.2f} runs/s, {metrics / seconds:.1f} metrics/s")


def test_a_server_killed_mid_sweep_and_restarted_lets_a_resume_complete_the_sweep(server, tmp_path):
    running, ports = server
    uri = f"http://127.0.0.1:{running['port']}"
    sweep = _sweep(tmp_path, uri, "first", "seed=range(8)", "tracking.experiment=restarted")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if sum(r.info.status == "FINISHED" for r in _jobs(uri, "restarted")) >= 2:
                break
        except Exception:  # noqa: BLE001 - the experiment may not exist yet
            pass
        time.sleep(0.5)
    os.killpg(running["mlflow_pid"], signal.SIGKILL)
    output = sweep.communicate(timeout=300)[0]
    assert "Traceback" not in output, output[-3000:]
    restarted = _server("start", *ports)
    assert restarted.returncode == 0 and "started at" in restarted.stdout, restarted.stderr
    running.update(json.loads((Path(running["folder"]) / "server.json").read_text()))
    resumed = _sweep(tmp_path, uri, "resumed", "seed=range(8)", "tracking.experiment=restarted")
    output = resumed.communicate(timeout=600)[0]
    assert resumed.returncode == 0, output[-3000:]
    finished = [r for r in _jobs(uri, "restarted") if r.info.status == "FINISHED"]
    assert Counter(r.data.params["seed"] for r in finished) == {str(s): 1 for s in range(8)}
    assert not [r for r in _jobs(uri, "restarted") if r.info.status == "RUNNING"], "nothing left RUNNING"

    report = subprocess.run([sys.executable, "-m", "mirror.report", "--experiment", "restarted", "--tracking-uri",
                             uri, "--out", str(tmp_path / "reports"), "--no-mlflow-run"], capture_output=True,
                            text=True, timeout=300)
    assert report.returncode == 0 and "8 finished runs" in report.stdout, report.stderr[-2000:]
    page = subprocess.run([sys.executable, "-m", "mirror.claims", "--tracking-uri", uri, "--out",
                           str(tmp_path / "page"), "--no-mlflow-run"], capture_output=True, text=True, timeout=600)
    assert page.returncode == 0 and (tmp_path / "page" / "claims.md").exists(), page.stderr[-2000:]
