"""Population geometry of each mode: a 2-D embedding and how well actions cluster in it."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import silhouette_score


def pca_embedding(activity: np.ndarray, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(samples, U) -> (scores (samples, n_components), explained variance ratio (n_components,))."""
    centred = activity - activity.mean(axis=0)
    # Eigenvectors of the U x U covariance: the same axes as an SVD of the data, far cheaper
    # when samples outnumber units.
    variance, axes = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(variance)[::-1][:n_components]
    return centred @ axes[:, order], variance[order] / variance.sum()


def action_silhouette(activity: np.ndarray, labels: np.ndarray, sample_size: int, seed: int) -> float:
    """Silhouette of the action clusters in (samples, U) activity, on a random subsample.

    Near 1: tight, separate clusters per action; near 0: overlapping; NaN with one class.
    """
    if np.unique(labels).size < 2:
        return float("nan")
    size = min(sample_size, len(labels))
    return float(silhouette_score(activity, labels, sample_size=size, random_state=seed))
