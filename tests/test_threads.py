"""The threads a job's numerical libraries use: BLAS at one thread whatever torch's count, every OpenMP
runtime at torch's, and the process's own restored after recomputing a job's analysis."""

from __future__ import annotations

import torch
from threadpoolctl import threadpool_info

from mirror.pipeline.threads import BLAS_THREADS, set_threads, threads_of_a_job


def _threads() -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for pool in threadpool_info():
        found.setdefault(pool["user_api"], set()).add(pool["num_threads"])
    return {**found, "torch": {torch.get_num_threads()}}


def test_a_jobs_threads_are_set_for_the_block_and_the_processes_own_come_back():
    before = _threads()
    with threads_of_a_job(torch_threads=3, blas_threads=1):
        inside = _threads()
    assert inside["blas"] == {1} and inside["torch"] == {3}
    assert inside.get("openmp", {3}) == {3}
    assert _threads() == before


def test_a_job_runs_its_blas_at_one_thread_beside_torchs_own():
    before = _threads()
    try:
        set_threads(2)
        assert _threads()["blas"] == {BLAS_THREADS} == {1} and _threads()["torch"] == {2}
    finally:
        set_threads(max(before["torch"]), max(before["blas"]))
    assert _threads() == before
