"""The across-seed interval of a mean, one home for the reports, the claims page and a sweep's summary."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

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
