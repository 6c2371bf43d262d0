"""Where and how a job runs, not what it computes: the Trainer's settings and the tracking store."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mirror.config.checks import ConfigError, check, check_choice, check_folder_name, creatable_folder


def machine_cores() -> int:
    """The cores this process may run on: what jobs at once and their threads are measured against."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


HEARTBEAT_EVERY_S = 30.0
"""Seconds between a live run's heartbeats (see :mod:`mirror.tracking.liveness`)."""

ACCELERATORS = ("cpu", "gpu", "cuda", "mps", "auto")
"""What ``pytorch_lightning.Trainer(accelerator=...)`` accepts on the machines this runs on."""


@dataclass
class TrainerConfig:
    """Arguments of ``pytorch_lightning.Trainer`` that the experiments use."""

    max_epochs: int = 20
    """Training epochs; 0 evaluates the untrained network."""
    accelerator: str = "cpu"
    """'cpu' keeps runs bit-for-bit reproducible; 'auto' uses a GPU when present."""
    deterministic: bool = True
    """Deterministic algorithms, so the same command gives the same numbers."""
    log_every_n_steps: int = 10
    """Step interval of the training-loss curve."""
    enable_progress_bar: bool = True
    """Show Lightning's progress bars when the output is a terminal; elsewhere (and when false) a
    run logs one line per epoch instead."""
    limit_train_batches: float = 1.0
    """Fraction (or, when above 1, count) of training batches per epoch."""

    def validate(self) -> None:
        check(self.max_epochs >= 0, "max_epochs", "must be non-negative", self.max_epochs)
        check(self.log_every_n_steps >= 1, "log_every_n_steps", "must be positive", self.log_every_n_steps)
        check_choice("accelerator", self.accelerator, ACCELERATORS)
        batches = self.limit_train_batches
        check(batches > 0 and (batches <= 1 or float(batches).is_integer()), "limit_train_batches",
               "must be a fraction in (0, 1] or a whole number of batches", batches)

    def trainer_arguments(self) -> dict[str, Any]:
        """The fields as ``pytorch_lightning.Trainer`` takes them (a count of batches as an int)."""
        arguments = {name: getattr(self, name) for name in self.__dataclass_fields__}
        if arguments["limit_train_batches"] > 1:
            arguments["limit_train_batches"] = int(arguments["limit_train_batches"])
        return arguments


SQLITE_PREFIX = "sqlite:///"
STORE_SCHEMES = ("sqlite", "http", "https", "postgresql", "mysql", "mssql", "databricks")
"""The tracking stores a run can record to: the embedded sqlite file, a tracking server, or a database
MLflow opens itself."""


def is_sqlite_database(path: Path) -> bool:
    """Whether ``path`` opens as an sqlite database (read-only, nothing written): a damaged or foreign file
    is refused before any work instead of failing inside MLflow's migrations."""
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
            return True
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def check_store_address(uri: str, field: str = "uri") -> None:
    """Refuse, before any use, a store address MLflow cannot open: a password in it (masked), an unknown
    scheme, an sqlite database whose folder cannot be created or a file there that is not a database."""
    refuse_credentials(uri, field)
    scheme = urlsplit(uri).scheme
    check(scheme in STORE_SCHEMES and (scheme != "sqlite" or uri.startswith(SQLITE_PREFIX)), field,
          f"must be sqlite:///<path> (the default) or a server or database MLflow opens "
          f"({', '.join(s + '://' for s in STORE_SCHEMES[1:])})", masked(uri))
    if scheme == "sqlite":
        database = Path(uri[len(SQLITE_PREFIX):]).expanduser()
        check(creatable_folder(database.parent), field, "must name a database in a folder this user can create "
              "and write", uri)
        check(not database.exists() or is_sqlite_database(database), field,
              "names a file that is not an sqlite database (damaged, or another kind of file)", uri)


def refuse_credentials(uri: str, field: str = "uri") -> None:
    """Refuse a store address that carries a user name or password, masked in the message: called
    before any use of the address (a run, a sweep, a preset, a report, ``mirror.load_runs``), so it
    is never printed, resolved as a host name or sent anywhere."""
    address = urlsplit(uri)
    if address.username or address.password:
        raise ConfigError(f"{field} must not carry a user name or password (got {masked(uri)}): they would be "
                          "written to the run's params, tags and config; give them in MLFLOW_TRACKING_USERNAME and "
                          "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead")
    if address.scheme in ("http", "https") and (address.query or address.fragment):
        raise ConfigError(f"{field} must not carry a query or fragment (got {masked(uri)}): a token there would be "
                          "written to the run's params and printed; give it in MLFLOW_TRACKING_TOKEN instead")


def masked(uri: str) -> str:
    """``uri`` as it may be printed: a user name and password, and any query or fragment, as ***."""
    address = urlsplit(uri)
    if address.username or address.password:
        address = address._replace(netloc="***@" + address.netloc.rpartition("@")[2])
    return address._replace(query="***" if address.query else "", fragment="***" if address.fragment else "").geturl()


@dataclass
class TrackingConfig:
    """Where runs are recorded. The default is an embedded store under ``mlruns/``."""

    uri: str = "sqlite:///mlruns/mlflow.db"
    """MLflow tracking URI; ``http://host:5000`` points at a shared tracking server."""
    artifact_root: str = "mlruns/artifacts"
    """Where a new experiment keeps its artifacts (ignored by a server that sets its own)."""
    experiment: str = "mirror"
    """MLflow experiment name."""
    run_name: str = ""
    """Readable run name; empty means '<model>-seed<seed>'."""
    resume: bool = True
    """In a multirun, skip a job whose identical config already has a FINISHED run in this
    experiment, so a re-run sweep repeats nothing; ``false`` runs every job again."""
    heartbeat_timeout_s: float = 600.0
    """A RUNNING run whose process is gone from this host, or (from another host) whose heartbeat
    (every 30 s) is older than this, is marked FAILED by the next run or sweep of its experiment."""
    write_patience_s: float = 300.0
    """How long a write to the store is retried, with back-off, while the store is locked by
    another writer (sqlite gives up after 20 s): a finished run is not lost to a busy store."""
    request_timeout_s: float = 15.0
    """Seconds one request to a tracking server may take before it counts as failed."""
    request_retries: int = 2
    """Retries of a failed request to a tracking server (1 s, then 2 s apart): with the timeout, a
    server that died mid-run fails a write within about a minute instead of MLflow's default
    minutes of back-off, and a SIGTERM, which waits for the write in progress, ends the job soon."""

    def validate(self) -> None:
        check(bool(self.uri), "uri", "must not be empty", self.uri)
        check_store_address(self.uri)
        if self.uri.startswith(SQLITE_PREFIX):
            check(creatable_folder(Path(self.artifact_root)), "artifact_root",
                  "must be a folder this user can create and write (a new experiment keeps its artifacts there)",
                  self.artifact_root)
        check_folder_name("experiment", self.experiment)  # a report's default folder is named after it
        check(self.heartbeat_timeout_s > HEARTBEAT_EVERY_S, "heartbeat_timeout_s",
               f"must be longer than the heartbeat interval ({HEARTBEAT_EVERY_S:g} s)", self.heartbeat_timeout_s)
        check(self.write_patience_s >= 0.0, "write_patience_s", "must be non-negative", self.write_patience_s)
        check(self.request_timeout_s > 0.0, "request_timeout_s", "must be positive", self.request_timeout_s)
        check(self.request_retries >= 0, "request_retries", "must be non-negative", self.request_retries)


MAX_THREADS = 1024
"""The most torch threads a job may ask for (``threads``): more than any machine this runs on has cores; a
hundred thousand failed after start-up with "can't start new thread"."""


MAX_SWEEP_JOBS = 10_000
"""The most jobs one sweep may expand to: the largest preset has under a thousand, and each job is composed and
validated before the first starts (``range(20000)`` sat composing for minutes)."""
MAX_JOBS_AT_ONCE = 256
"""The most jobs a plan may assume run at once (``--jobs``)."""


EXECUTION_FIELDS = ("tracking", "threads", "figures", "trainer.enable_progress_bar")
"""Config fields that say where and how a job runs, not what it computes: they are left
out of a job's identity (resumed sweeps), its run name, its sweep folder's name and a
report's conditions. A group's name covers every field of the group."""


FIGURE_CHOICES = ("auto", "always", "never")
"""When a job draws its figures (``figures=``): 'auto' in a single run, not in a sweep's jobs, which draw
them on demand (``python -m mirror.figures``): at four to eight figures a job they cost a sixth to half
of a sweep job's time, for figures nobody opens for hundreds of jobs."""


def draws_figures(choice: str, in_a_sweep: bool) -> bool:
    """Whether a job draws its figures, by the ``figures`` field and whether it is one of a sweep's jobs."""
    return choice == "always" or (choice == "auto" and not in_a_sweep)


def is_execution_field(name: str) -> bool:
    """True for a dotted field name in (or under) :data:`EXECUTION_FIELDS`."""
    return any(name == field_ or name.startswith(f"{field_}.") for field_ in EXECUTION_FIELDS)

