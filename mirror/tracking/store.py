"""The tracking store: an embedded sqlite database plus an artifact folder, or a server."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

SQLITE_PREFIX = "sqlite:///"


def resolve_uri(uri: str) -> str:
    """Make a relative sqlite path absolute (and create its folder), so every job of a
    sweep writes to the same database whatever its working directory."""
    if not uri.startswith(SQLITE_PREFIX):
        return uri
    path = Path(uri[len(SQLITE_PREFIX):]).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"{SQLITE_PREFIX}{path}"


def is_local(uri: str) -> bool:
    """True when no server is involved, so artifact locations are ours to choose."""
    return uri.startswith(SQLITE_PREFIX)


@contextmanager
def creation_lock(uri: str) -> Iterator[None]:
    """Serialise store and experiment creation between processes on this machine.

    A fresh sqlite store migrated by several processes at once is corrupted
    (half-applied migrations), and ``create_experiment`` races; an exclusive lock on a
    file beside the database makes independent jobs started together safe. A server
    does its own locking.
    """
    if not is_local(uri):
        yield
        return
    lock_path = Path(uri[len(SQLITE_PREFIX):]).with_suffix(".lock")
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def prepare_experiment(uri: str, experiment: str, artifact_root: str) -> tuple[MlflowClient, str]:
    """Create the store and the experiment if needed; return a client and the experiment id.

    Safe to call from many processes at once; a multirun also calls it once in the
    launching process before its jobs fan out.
    """
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    uri = resolve_uri(uri)
    with creation_lock(uri):
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        if found is not None:
            return client, found.experiment_id
        location = Path(artifact_root).expanduser().resolve().as_uri() if is_local(uri) else None
        try:
            return client, client.create_experiment(experiment, artifact_location=location)
        except MlflowException:
            # On a server, another client created it between our look-up and our create.
            found = client.get_experiment_by_name(experiment)
            if found is None:
                raise
            return client, found.experiment_id
