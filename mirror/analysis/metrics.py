"""Per-unit mirror metrics as pure, vectorised functions (arrays in, numbers out)."""

from __future__ import annotations

import numpy as np

from mirror.vocabulary import (
    FRACTION_ABS,
    FRACTION_ANTI_MIRROR,
    FRACTION_MIRROR,
    MAX_R,
    MEAN_R,
    MIN_R,
    N_UNDEFINED,
)


def _as_samples_by_units(name: str, activity: np.ndarray) -> np.ndarray:
    activity = np.asarray(activity, dtype=np.float64)
    if activity.ndim < 2:
        raise ValueError(f"{name} must have a unit axis last and at least one sample axis, got shape {activity.shape}")
    return activity.reshape(-1, activity.shape[-1])


def pearson_per_unit(perform: np.ndarray, observe: np.ndarray) -> np.ndarray:
    """Pearson r between each unit's perform and observe activity over all matched samples.

    ``perform`` and ``observe``: (..., U) with identical shapes; every leading index is one
    matched sample (e.g. N sequences x T steps). Returns (U,) r values; a unit that is
    constant in either condition has no defined r and gets NaN.
    """
    if np.shape(perform) != np.shape(observe):
        raise ValueError(f"perform {np.shape(perform)} and observe {np.shape(observe)} must match")
    x = _as_samples_by_units("perform", perform)
    y = _as_samples_by_units("observe", observe)
    if x.shape[0] < 2:
        raise ValueError("at least two matched samples are needed for a correlation")
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    covariance = np.einsum("su,su->u", x, y)
    scale = np.sqrt(np.einsum("su,su->u", x, x) * np.einsum("su,su->u", y, y))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = covariance / scale
    r[scale <= np.finfo(np.float64).tiny] = np.nan
    return np.clip(r, -1.0, 1.0)


def centre_over_trials(activity: np.ndarray) -> np.ndarray:
    """Subtract, at every step, the mean over trials: (N, T, U) -> (N, T, U).

    Every sequence starts from h0 = 0, so all units share a stereotyped transient that
    inflates raw r without saying anything about actions; centring removes it.
    """
    activity = np.asarray(activity, dtype=np.float64)
    if activity.ndim != 3:
        raise ValueError(f"activity must be (N, T, U), got shape {activity.shape}")
    return activity - activity.mean(axis=0, keepdims=True)


def threshold_fractions(
    r: np.ndarray, mirror_threshold: float, abs_threshold: float, anti_mirror_threshold: float
) -> dict[str, float]:
    """Fractions of units past each threshold, over all units (an undefined r counts as not past).

    Returns fraction_mirror (r > mirror_threshold), fraction_abs (|r| > abs_threshold),
    fraction_anti_mirror (r < anti_mirror_threshold), max_r, min_r, mean_r and
    n_undefined (units with no defined r).
    """
    r = np.asarray(r, dtype=np.float64)
    if r.ndim != 1 or r.size == 0:
        raise ValueError(f"r must be a non-empty vector of per-unit values, got shape {r.shape}")
    defined = r[np.isfinite(r)]
    with np.errstate(invalid="ignore"):
        return {
            FRACTION_MIRROR: float(np.mean(r > mirror_threshold)),
            FRACTION_ABS: float(np.mean(np.abs(r) > abs_threshold)),
            FRACTION_ANTI_MIRROR: float(np.mean(r < anti_mirror_threshold)),
            MAX_R: float(defined.max()) if defined.size else float("nan"),
            MIN_R: float(defined.min()) if defined.size else float("nan"),
            MEAN_R: float(defined.mean()) if defined.size else float("nan"),
            N_UNDEFINED: float(r.size - defined.size),
        }
