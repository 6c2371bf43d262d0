"""Temporal alignment of each unit's perform and observe time courses."""

from __future__ import annotations

import numpy as np

from mirror.analysis.metrics import pearson_per_unit


def lagged_correlation(perform: np.ndarray, observe: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit r between perform at step t and observe at step t + lag, within sequences.

    ``perform``, ``observe``: (N, T, U). Returns (lags (2L+1,), r (2L+1, U)). A positive
    peak lag means the observe response trails the perform response.
    """
    n_steps = perform.shape[1]
    if not 0 <= max_lag < n_steps - 1:
        raise ValueError(f"max_lag must be in [0, {n_steps - 2}] for sequences of {n_steps} steps, got {max_lag}")
    lags = np.arange(-max_lag, max_lag + 1)
    r = np.stack(
        [
            pearson_per_unit(perform[:, max(0, -lag) : n_steps - max(0, lag)], observe[:, max(0, lag) : n_steps + min(0, lag)])
            for lag in lags
        ]
    )
    return lags, r


def peak_lags(lags: np.ndarray, lagged_r: np.ndarray) -> np.ndarray:
    """The lag at which each unit's cross-correlation peaks (NaN curves peak nowhere: lag 0)."""
    return lags[np.nanargmax(np.where(np.isnan(lagged_r), -np.inf, lagged_r), axis=0)]
