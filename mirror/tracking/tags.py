"""Every MLflow tag this project writes or reads, the one test of "is this a job run?", and the other
names a run's record is keyed by (params as flattened config fields, the git state).

Light on purpose (no mlflow, no torch): the reports, the claims page and ``mirror.load_runs`` read
runs by these names, and a tag renamed here is renamed for its writers and readers alike.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# MLflow's own tags.
SOURCE_NAME_TAG = "mlflow.source.name"
"""The command that wrote the run: 'mirror.run', 'mirror.report' or 'mirror.claims'."""
PARENT_RUN_TAG = "mlflow.parentRunId"
"""Nests a job run under its sweep's parent run in the UI."""
GIT_COMMIT_TAG = "mlflow.source.git.commit"
NOTE_TAG = "mlflow.note.content"
"""A run's description in the UI (Markdown): its summary, the headline metrics first."""
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
"""Which view MLflow's UI opens an experiment in; without it MLflow 3.17 opens its GenAI view (traces)."""
MODEL_TRAINING_KIND = "custom_model_development"
"""The UI's model-training view: the runs table, charts and metrics."""

# What a recording's run carries (mirror.analysis.recording): its file's provenance.
RECORDING_TAG_PREFIX = "recording."
RECORDING_ORIGIN_TAG = "recording.origin"
"""'recorded', or 'planted' / 'exported' for a session this project wrote: only recorded ones are shown as data."""
RECORDING_IDENTIFIER_TAG = "recording.identifier"
"""The NWB session's identifier."""

# What every job run carries.
MODEL_TAG = "mirror.model"
"""The model's choice in ``conf/model/`` (``shared_gru``): present on job runs, and only on them."""
CONFIG_HASH_TAG = "mirror.config_hash"
"""A digest of everything in the resolved config that can change a result (resumed sweeps)."""
OVERRIDES_TAG = "mirror.overrides"
OUTPUT_DIR_TAG = "mirror.output_dir"
GIT_DIRTY_TAG = "mirror.git_dirty"
TORCH_THREADS_TAG = "mirror.torch_threads"
BLAS_THREADS_TAG = "mirror.blas_threads"
"""NumPy's and SciPy's BLAS threads in the job (absent on runs of earlier versions, which left them to the
launcher: the machine's cores, or a joblib worker's share of them)."""
ERROR_TAG = "mirror.error"
"""Why a run ended FAILED or KILLED."""
COPIED_FROM_TAG = "mirror.copied_from"
"""On a run copied from another experiment's run of the same config: '<run id> in <experiment>', the run
that computed it (:mod:`mirror.tracking.reuse`)."""
CODE_DIGEST_TAG = "mirror.code_digest"
"""A digest of the package's source and its libraries' versions (:func:`code_digest`): a run is copied into
another experiment only by a job of the same code."""
COMPUTED_BY_TAGS = (GIT_COMMIT_TAG, GIT_DIRTY_TAG, TORCH_THREADS_TAG, BLAS_THREADS_TAG)
"""What a copied run keeps of its source's tags: the code and threads that computed its numbers."""

# Sweeps, reports and the claims page.
ROLE_TAG = "mirror.role"
"""'sweep' on a sweep's parent run, 'report' on a report's or the claims page's run; absent on job runs."""
SWEEP_ROLE, REPORT_ROLE = "sweep", "report"
SWEEP_ID_TAG = "mirror.sweep_id"
SWEEP_DIR_TAG = "mirror.sweep_dir"
SWEEP_PARAMS_TAG = "mirror.sweep_params"
LAUNCHER_TAG = "mirror.launcher"
REPORT_EXPERIMENTS_TAG = "mirror.report_experiments"
REPORT_SWEEP_TAG = "mirror.report_sweep"
REPORT_FILTER_TAG = "mirror.report_filter"
REPORT_COMMAND_TAG = "mirror.report_command"
"""On a sweep's parent run: the command that reports the sweep."""
REPORT_RUN_TAG = "mirror.report_run"
"""On a sweep's parent run: the report run of the sweep, once one was made."""

# Liveness: who owns a RUNNING run, and its last sign of life.
HOST_TAG = "mirror.host"
PID_TAG = "mirror.pid"
PROCESS_START_TAG = "mirror.process_start"
"""The process's start time in clock ticks since boot, so a re-used pid is not taken for the owner."""
HEARTBEAT_TAG = "mirror.heartbeat"
"""Unix time of the owner's last sign of life."""


def is_job_run(tags: Mapping[str, str]) -> bool:
    """True for the run of one Hydra job (one trained and analysed model), not a sweep's parent,
    a report or the claims page."""
    return MODEL_TAG in tags and ROLE_TAG not in tags


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested config -> {'model.hidden_size': 96, ...}: a run's param names."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def git_state(directory: Path) -> dict[str, str]:
    """Commit and dirtiness of the checkout the code runs from, as tags (empty outside git)."""
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        return {
            GIT_COMMIT_TAG: git("rev-parse", "HEAD"),
            GIT_DIRTY_TAG: str(bool(git("status", "--porcelain", "--untracked-files=no"))).lower(),
        }
    except (OSError, subprocess.SubprocessError):
        return {}


COMPUTING_LIBRARIES = ("torch", "pytorch-lightning", "numpy", "scipy", "scikit-learn")
"""Distributions whose versions are part of :func:`code_digest` (the package's own source is read whole)."""


def _sources() -> list[Path]:
    return sorted(Path(__file__).resolve().parents[1].rglob("*.py"))


def _stamp() -> tuple[tuple[str, int, int], ...]:
    """Every module's path, size and modification time: what changes when the source is edited."""
    return tuple((str(path), stat.st_size, stat.st_mtime_ns) for path in _sources() for stat in [path.stat()])


@cache
def _digest_at_start() -> tuple[str, tuple[tuple[str, int, int], ...]]:
    from importlib.metadata import PackageNotFoundError, version

    stamp = _stamp()
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for name in COMPUTING_LIBRARIES:
        try:
            digest.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()[:20], stamp


EDITED = "+edited"
"""Appended to the digest of a process whose source was edited after it read it: such a process may run a mix of old
modules and new ones imported later, a code no other process has, so its runs are copied to no one and copy no one's."""


def code_digest() -> str:
    """A digest of the code that computes a run's numbers: every module of this package and the versions
    of the libraries it computes with, read once a process (a sweep's worker runs many jobs of one code). If the
    source has been edited since, the digest says so (``EDITED``)."""
    digest, stamp = _digest_at_start()
    if _stamp() != stamp:
        log.warning("this package's source was edited while this process ran: its runs are recorded as of edited "
                    "code (%s%s) and are neither copied nor copied from", digest, EDITED)
        return digest + EDITED
    return digest
