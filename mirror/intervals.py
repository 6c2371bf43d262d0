"""The across-seed interval of a mean, one home for the reports, the claims page and a sweep's summary: Student-t,
or for a proportion whose t-interval would leave [0, 1] the percentile bootstrap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from mirror.vocabulary import is_proportion

CONFIDENCE = 0.95


def t_interval(values: Sequence[float]) -> tuple[float, float]:
    """The 95 % Student-t interval of the mean of the finite-or-not values (NaNs dropped); (nan, nan) for fewer
    than two, the mean itself when every value is the same (scipy's interval is then undefined)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size < 2:
        return float("nan"), float("nan")
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    low, high = stats.ttest_1samp(values, 0.0).confidence_interval(CONFIDENCE)
    return float(low), float(high)


def bootstrap_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of the mean (scipy), which stays inside the range
    of the values, so inside [0, 1] for a proportion."""
    if np.ptp(values) == 0:
        return float(values[0]), float(values[0])
    result = stats.bootstrap((values,), np.mean, confidence_level=CONFIDENCE, method="percentile",
                             n_resamples=9999, random_state=np.random.default_rng(0))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def interval(metric: str, values: np.ndarray) -> tuple[float, float, str]:
    """The t-interval of the mean, or the bootstrap interval for a proportion whose t-interval
    leaves [0, 1]; with the name of the method."""
    low, high = t_interval(values)
    if is_proportion(metric.removeprefix("metrics.")) and values.size >= 2 and (low < 0.0 or high > 1.0):
        return (*bootstrap_interval(values), "bootstrap")
    return low, high, "t"
