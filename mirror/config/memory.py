"""How much memory a config would ask for, estimated before anything is allocated.

A size field typed by mistake (``model.hidden_size=1000000000``) would otherwise end in an
allocation failure minutes in, or in swapping. The estimates count the largest arrays each
part of a run holds at once (weights and optimiser state, a batch's activations, the data,
the analysis's nulls), in bytes; they are meant to be right within a small factor, which is
all a refusal needs. Light on purpose: ``validate`` uses it before torch is imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from omegaconf import DictConfig, OmegaConf

from mirror.config.checks import ConfigError

FLOAT = 4
"""Bytes per float32 (weights, activations)."""
DOUBLE = 8
"""Bytes per float64 or int64 (the analysis, indices)."""


def available_bytes() -> int:
    """Memory this machine can give a new process now (MemAvailable), else its physical memory."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def analysis_bytes(analysis: Any, n_trials: int, n_steps: int, n_units: int) -> dict[str, float]:
    """Estimated bytes of the shared analysis of (trials, steps, units) activity, by the field that drives each part."""
    activity = n_trials * n_steps * n_units * DOUBLE * 8  # perform, observe, centred and z-scored copies
    pairs = n_units * n_units * DOUBLE * 4  # cross-correlations, assignment cost, same-unit comparisons
    nulls = analysis.n_permutations * n_units * (FLOAT + DOUBLE)  # sequence null and same-unit labels
    return {"analysis.n_permutations": nulls, "(units x units)": pairs, "(test activity)": activity}


def format_bytes(count: float) -> str:
    """A byte count as people read it: "1.2 GB"."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.3g} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


def check_memory(cfg: DictConfig, estimate: Callable[[Any, Any, Any], dict[str, float]], model: Any, data: Any,
                 analysis: Any) -> None:
    """Refuse a config whose arrays could not fit in this machine's memory, naming the field whose
    return to its default would shrink the estimate the most."""
    groups = {"model": model, "data": data, "analysis": analysis}

    def total_bytes(parts: dict[str, Any]) -> float:
        return sum(estimate(parts["model"], parts["data"], parts["analysis"]).values())

    total, available = total_bytes(groups), available_bytes()
    if total <= available:
        return
    candidates = [name for name in estimate(model, data, analysis) if not name.startswith("(")]

    def total_with_default(name: str) -> float:
        group, path = name.split(".", 1)
        return total_bytes({**groups, group: with_default(groups[group], path.split("."))})

    responsible = min(candidates, key=total_with_default)
    raise ConfigError(f"{responsible} = {OmegaConf.select(cfg, responsible)} would need about {format_bytes(total)} "
                      f"of memory (estimated); this machine has {format_bytes(available)} available")


def with_default(part: Any, path: list[str]) -> Any:
    """A copy of a schema instance with the field at ``path`` back at its default."""
    name, *rest = path
    value = getattr(type(part)(), name) if not rest else with_default(getattr(part, name), rest)
    return replace(part, **{name: value})
