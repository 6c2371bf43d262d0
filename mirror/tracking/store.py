"""The tracking store: an embedded sqlite database plus an artifact folder, or a server."""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirror.config.execution import SQLITE_PREFIX, check_store_address, masked
from mirror.termination import uninterrupted
from mirror.tracking.tags import EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)


LOCAL_UI = "http://127.0.0.1:5000"
"""Where ``make ui`` serves a local store (its PORT's default)."""
MODEL_TRAINING_VIEW = "workflowType=machine_learning"
"""MLflow 3.17's UI picks its view from this query parameter, else from what the browser last chose (GenAI at
first); an experiment's ``mlflow.experimentKind`` tag is read only where the view switch is off. So every link
the project prints carries it."""


def ui_page(uri: str, experiment_id: str, run_id: str | None = None) -> str:
    """The UI page of an experiment or a run, in the model-training view: on the server at ``uri``, or where
    ``make ui`` serves a local store."""
    base = uri.rstrip("/") if uri.startswith(("http://", "https://")) else LOCAL_UI
    run = f"/runs/{run_id}" if run_id else ""
    return f"{base}/#/experiments/{experiment_id}{run}?{MODEL_TRAINING_VIEW}"


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


class StoreUnreachable(ConnectionError):
    """The tracking server does not answer; the message says where and how it was checked."""


REACHABLE_TIMEOUT_S = 5.0


def check_reachable(uri: str, timeout_s: float = REACHABLE_TIMEOUT_S) -> None:
    """Ask a tracking server once, with a short timeout, whether it is there.

    MLflow's client retries an unreachable server with back-off for minutes before saying
    anything; one quick look up front turns that into one clear line. An address with a user
    name or password (masked), or one MLflow cannot open, is refused first
    (:class:`~mirror.config.ConfigError`), before any network or file use.
    """
    check_store_address(uri, "tracking.uri")
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=timeout_s):
            return
    except urllib.error.HTTPError:
        return  # it answered: an older server without /health, or one behind authentication
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StoreUnreachable(f"tracking.uri {masked(uri)} does not answer ({reason}; asked once, {timeout_s:g} s timeout): "
                               "start the server or point tracking.uri elsewhere") from None


def bound_server_requests(timeout_s: float, retries: int) -> None:
    """Bound every request this process makes to a tracking server (MLflow reads these at each request)."""
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = f"{timeout_s:g}"
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = str(retries)
    os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "1"


def is_locked(error: BaseException | str) -> bool:
    """True for the error (or message) of a write that found the sqlite store locked by another writer."""
    return "database is locked" in str(error)


class _LockedStoreTracebacks(logging.Filter):
    """Drops MLflow's own report of a locked sqlite store (a full SQL traceback on every try, hundreds of
    lines for a long lock): :class:`RetryingClient` retries those writes and says so once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not is_locked(record.getMessage())


_QUIET_LOCKS = _LockedStoreTracebacks()


class RetryingClient:
    """An MlflowClient whose calls are retried, with back-off, while the store is locked.

    sqlite makes a writer wait 20 s for a lock and then fails the write; a sweep of many
    jobs, a report and the UI on one store can hold it longer than that.
    """

    def __init__(self, client: MlflowClient, patience_s: float) -> None:
        self._client, self._patience_s = client, patience_s
        logging.getLogger("mlflow.store.db.utils").addFilter(_QUIET_LOCKS)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def retried(*args: Any, **kwargs: Any) -> Any:
            deadline, delay = time.monotonic() + self._patience_s, 0.5
            while True:
                try:
                    with uninterrupted():
                        return attribute(*args, **kwargs)
                except Exception as error:
                    if not is_locked(error) or time.monotonic() + delay > deadline:
                        raise
                    if delay == 0.5:  # one line per episode, however long the lock is held
                        log.warning("the tracking store is locked by another writer (%s); retrying for up to %.0f s",
                                    name, self._patience_s)
                    time.sleep(delay)
                    delay = min(2 * delay, 10.0)

        return retried


def read_store(uri: str) -> MlflowClient:
    """A client of the store at ``uri`` for reading runs, after one quick look that a server
    answers (:class:`StoreUnreachable` if not)."""
    from mlflow.tracking import MlflowClient

    check_reachable(uri)
    return MlflowClient(tracking_uri=resolve_uri(uri))


def prepare_experiment(uri: str, experiment: str, artifact_root: str,
                       patience_s: float = 0.0) -> tuple[MlflowClient, str]:
    """Create the store and the experiment if needed; return a client (retrying locked writes
    for ``patience_s``) and the experiment id.

    Safe to call from many processes at once; a multirun also calls it once in the
    launching process before its jobs fan out.
    """
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    uri = resolve_uri(uri)
    check_reachable(uri)
    with creation_lock(uri):
        client = RetryingClient(MlflowClient(tracking_uri=uri), patience_s)
        found = client.get_experiment_by_name(experiment)
        if found is None:
            location = Path(artifact_root).expanduser().resolve().as_uri() if is_local(uri) else None
            try:
                return client, client.create_experiment(experiment, artifact_location=location,
                                                        tags={EXPERIMENT_KIND_TAG: MODEL_TRAINING_KIND})
            except MlflowException:
                # On a server, another client created it between our look-up and our create.
                found = client.get_experiment_by_name(experiment)
                if found is None:
                    raise
        if found.tags.get(EXPERIMENT_KIND_TAG) != MODEL_TRAINING_KIND:  # a store made by an earlier version
            client.set_experiment_tag(found.experiment_id, EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND)
        return client, found.experiment_id
