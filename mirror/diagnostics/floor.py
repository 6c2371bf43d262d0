"""How far one GRU job is from the compute floor (``make bench ARGS=--floor``).

Every matrix product a default job's training and lesion test run is recorded as torch dispatches it (its operation,
its operands' shapes and strides), each distinct product is timed alone on this machine at the job's thread count,
and the floor is the sum: the seconds the job's matrix products would take with nothing else around them (no Python,
no elementwise gates, no optimiser, no data). The job's own training and lesion test are timed beside it.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from mirror.analysis.gru.callback import GRUControlsCallback

aten = torch.ops.aten
PRODUCTS = (aten.mm.default, aten.addmm.default, aten.bmm.default, aten.baddbmm.default)
"""The matrix products counted: everything else a job runs is elementwise or bookkeeping."""

Operands = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
"""Each tensor operand's shape and strides."""


class MatrixProducts(TorchDispatchMode):
    """Counts every matrix product run inside it by operation and operands."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[tuple[object, Operands]] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in PRODUCTS:
            self.calls[func, tuple((tuple(a.shape), tuple(a.stride())) for a in args if isinstance(a, torch.Tensor))] += 1
        return func(*args, **(kwargs or {}))


def product_flops(func: object, operands: Operands) -> int:
    """Multiply-adds of one product, twice (a multiply and an add): (.., m, k) @ (.., k, n) is 2 m k n per batch."""
    *_, (a, _), (b, _) = operands
    batch = a[0] if len(a) == 3 else 1
    return 2 * batch * a[-2] * a[-1] * b[-1]


def product_seconds(func: object, operands: Operands, budget_s: float = 0.05) -> float:
    """Seconds of one call of the product on fresh operands of the same shapes and strides, the median of five
    batches of calls that each last about ``budget_s``."""
    tensors = [torch.empty_strided(shape, stride).normal_() for shape, stride in operands]
    func(*tensors)
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < budget_s / 5:
        func(*tensors)
        calls += 1
    batch = max(1, round(calls * 5))
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(batch):
            func(*tensors)
        samples.append((time.perf_counter() - started) / batch)
    return statistics.median(samples)


@dataclass(frozen=True)
class Floor:
    flops: float
    seconds: float
    measured_s: float

    def line(self, name: str) -> str:
        return (f"  {name:<22} {self.flops / 1e9:8.1f} GFLOP in matrix products, {self.flops / self.seconds / 1e9:6.1f} "
                f"GFLOP/s on their shapes: floor {self.seconds:6.2f} s; the job's {self.measured_s:6.2f} s, "
                f"{self.measured_s / self.seconds:5.2f}x the floor")


def floor_of(work: Callable[[], object], repeat: int, measured_s: float) -> Floor:
    """The floor of ``work`` done ``repeat`` times (its products recorded once, then each timed alone)."""
    with MatrixProducts() as products:
        work()
    flops = seconds = 0.0
    for (func, operands), count in products.calls.items():
        flops += repeat * count * product_flops(func, operands)
        seconds += repeat * count * product_seconds(func, operands)
    return Floor(flops, seconds, measured_s)


def gru_job_floor(threads: int) -> tuple[Floor, Floor]:
    """The floor of one default GRU job's training (shared core, seed 0) and of its lesion test, at ``threads``."""
    from mirror.diagnostics.same_work import FAMILIES, build_job, train_epoch

    family = FAMILIES["gru"]

    def fresh() -> tuple:
        datamodule, model, settings = build_job(family, 0, threads)
        loaders = datamodule.train_dataloader(), datamodule.val_dataloader()
        return datamodule, model, settings, loaders, model.configure_optimizers()

    datamodule, model, settings, loaders, optimiser = fresh()
    started = time.perf_counter()
    for _ in range(family.epochs):
        train_epoch(model, loaders, optimiser)
    training_s = time.perf_counter() - started
    model.eval()
    controls = GRUControlsCallback(settings, Path("."))
    started = time.perf_counter()
    controls.lesions(model, datamodule.test_dataloader())
    lesion_s = time.perf_counter() - started

    _, counted, _, counted_loaders, counted_optimiser = fresh()
    training = floor_of(lambda: train_epoch(counted, counted_loaders, counted_optimiser), family.epochs, training_s)
    lesions = floor_of(lambda: controls.lesions(model, datamodule.test_dataloader()), 1, lesion_s)
    return training, lesions
