"""How much memory a config would ask for, estimated before anything is allocated.

A size field typed by mistake (``model.hidden_size=1000000000``) would otherwise end in an
allocation failure minutes in, or in swapping. The estimates count the largest arrays each
part of a run holds at once (weights and optimiser state, a batch's activations, the data,
the analysis's nulls), in bytes; they are meant to be right within a small factor, which is
all a refusal needs. Light on purpose: ``validate`` uses it before torch is imported.
"""

from __future__ import annotations

import os
from typing import Any

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


def _analysis(analysis: Any, n_trials: int, n_steps: int, n_units: int) -> dict[str, float]:
    activity = n_trials * n_steps * n_units * DOUBLE * 8  # perform, observe, centred and z-scored copies
    pairs = n_units * n_units * DOUBLE * 4  # cross-correlations, assignment cost, same-unit comparisons
    nulls = analysis.n_permutations * n_units * (FLOAT + DOUBLE)  # sequence null and same-unit labels
    return {"analysis.n_permutations": nulls, "(units x units)": pairs, "(test activity)": activity}



def gru_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a GRU run, by the field that drives each part."""
    hidden, sensory, actions = model.hidden_size, data.sensory_dim, data.n_actions
    cores = 2  # a separate-core model has two; the estimate takes the larger case
    weights = cores * 6 * hidden * (hidden + 1) + hidden * (2 * sensory + 2 * actions) + sensory * hidden
    activations = 2 * data.batch_size * data.seq_len * hidden * 8 * FLOAT  # both modes, gates kept for backward
    samples = data.n_train + data.n_val + data.n_test
    stored = samples * data.seq_len * (sensory + 1) * (FLOAT + DOUBLE) * 2  # numpy + tensors, perform + observe
    return {
        "model.hidden_size": 4 * weights * FLOAT + activations,  # weights, gradients, two Adam moments
        "data.sensory_dim": sensory * (hidden + data.seq_len * samples) * FLOAT,
        "data.n_train": stored,
        **_analysis(analysis, data.n_test, data.seq_len, hidden),
    }


def hebbian_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a Hebbian face-network run, by the field that drives each part."""
    vision, mirror = model.vision, model.mirror
    neurons = vision.sheet_size**2
    connections = neurons * sum(vision.fan_in) * (FLOAT + DOUBLE)  # weights and source indices
    channels = len(vision.wavelengths) * vision.orientations * 4
    images = 2 * data.pretrain_identities * data.pretrain_transforms + 2 * (data.parent_transforms
                                                                             + data.test_trials)
    chunk = max(vision.batch_sequences * data.sequence_length, 64)
    gathered = chunk * neurons * max(vision.fan_in) * FLOAT  # one batch's presynaptic rates
    mirror_neurons = mirror.sheet_size**2
    return {
        "model.vision.sheet_size": connections + gathered + images * neurons * FLOAT * len(vision.fan_in),
        "data.image_size": data.image_size**2 * (images * DOUBLE + chunk * channels * FLOAT),
        "model.mirror.sheet_size": mirror_neurons * (neurons + 2 * model.motor_units_per_expression) * FLOAT * 3,
        "analysis.selectivity_permutations": analysis.selectivity_permutations * 4 * data.test_trials * DOUBLE * 3,
        **_analysis(analysis, 2 * data.test_trials, 1, mirror_neurons),
    }


def associative_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of an associative-model run, by the field that drives each part."""
    trials = data.n_trials / (1.0 - data.unpaired_fraction) + data.counter_mirror_trials + data.repair_trials
    return {
        "data.n_actions": data.n_actions * (data.n_actions + 1) * FLOAT * 4,
        "data.n_trials": trials * 3 * DOUBLE * 2,
        **_analysis(analysis, data.n_actions * data.test_trials, 1, data.n_actions),
    }
