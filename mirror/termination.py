"""SIGTERM for a job's whole life: the run is marked KILLED with the reason, the process exits 143.

SLURM, ``timeout`` and ``docker stop`` ask a job to stop with SIGTERM. Python's default action
kills the process on the spot, leaving its MLflow run RUNNING for ever; Lightning handles it
only inside ``fit``, where it turns it into a bare ``SystemExit()`` (exit status 0, success to
a scheduler). Here SIGTERM raises :class:`Terminated` wherever the job is (data generation,
pre-training, training, analysis), the run's owner closes the run KILLED, and the entry point
exits with 128 + 15. A SIGTERM that arrives during a write to the store waits for the write
(:func:`uninterrupted`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Terminated(BaseException):
    """The job was asked to stop by a signal. A BaseException, like KeyboardInterrupt, so that
    no ``except Exception`` on the way (Hydra's, Lightning's, ours) mistakes it for a failure."""

    exit_status = 128 + signal.SIGTERM


class _Deferral(threading.local):
    """Per thread: how deep inside blocks that must not be cut, and a stop that waits for them."""

    depth = 0
    pending: str | None = None


_deferral = _Deferral()
_stop_requested = threading.Event()


def stop_requested() -> bool:
    """Whether this process was asked to stop (a SIGTERM while :func:`stop_on_sigterm` was in force):
    a sweep whose launcher was stopped is KILLED; one whose jobs crashed is FAILED."""
    return _stop_requested.is_set()


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # A second SIGTERM while the first is being handled must not cut the clean-up short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _stop_requested.set()
    reason = f"received {signal.Signals(signum).name}"
    if _deferral.depth:
        _deferral.pending = reason
        return
    raise Terminated(reason)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold a SIGTERM that arrives inside the block until the block has ended. A write to the
    store that is cut in half keeps sqlite's lock, and the run could then not be closed KILLED."""
    _deferral.depth += 1
    try:
        yield
    finally:
        _deferral.depth -= 1
        if not _deferral.depth and _deferral.pending is not None:
            reason, _deferral.pending = _deferral.pending, None
            raise Terminated(reason)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs (main thread only: signal
    handlers cannot be set elsewhere, and elsewhere the signal does not arrive anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
