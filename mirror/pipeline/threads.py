"""A job's process state: its seeds, and the threads its numerical libraries use: one home for the rule, applied by
every job, by the same work by hand, and by ``mirror.figures`` when it recomputes a job's analysis (the last bits of
some numbers follow it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytorch_lightning as pl
import torch
from threadpoolctl import threadpool_limits

BLAS_THREADS = 1
"""NumPy's and SciPy's BLAS threads in a job, whatever torch's. OpenBLAS's workers keep spinning on the
cores for a while after each call, and torch's OpenMP threads then wait for them at every step: with
both at two threads on two cores a sweep of the Hebbian network took 1.5 times as long. The analysis's
matrices are small (hundreds of rows), and one thread is what a joblib worker of two on two cores had
already, so the numbers no longer depend on the launcher through the BLAS."""


def _limits(torch_threads: int, blas_threads: int) -> threadpool_limits:
    """The BLAS's threads, and every OpenMP runtime's (torch's, scikit-learn's) at torch's count."""
    return threadpool_limits(limits={"blas": blas_threads, "openmp": torch_threads})


def set_threads(torch_threads: int, blas_threads: int = BLAS_THREADS) -> None:
    """Torch's intra-op threads, the OpenMP runtimes' and the BLAS's, for this process."""
    torch.set_num_threads(torch_threads)
    _limits(torch_threads, blas_threads)


@contextmanager
def threads_of_a_job(torch_threads: int, blas_threads: int) -> Iterator[None]:
    """The threads a job ran with, for the block; the process's own afterwards."""
    before = torch.get_num_threads()
    with _limits(torch_threads, blas_threads):
        torch.set_num_threads(torch_threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def reset_process_state(seed: int, threads: int) -> None:
    """Seed every generator, pin algorithms and set the thread count, per job.

    The same command gives the same numbers, and a launcher worker reused across jobs
    carries nothing from one job to the next.
    """
    pl.seed_everything(seed, workers=True, verbose=False)
    torch.use_deterministic_algorithms(True)
    set_threads(threads)
