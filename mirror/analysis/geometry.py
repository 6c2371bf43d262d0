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


def joint_silhouettes(perform: np.ndarray, observe: np.ndarray, perform_labels: np.ndarray,
                      observe_labels: np.ndarray, sample_size: int, seed: int) -> dict[str, float]:
    """The mouse study's measure (docs/measures.md 3.2): both modes' (samples, U) states embedded in one 2-D PCA
    fitted to both, and the silhouette of the actions in each mode's part of it, on the same number of
    samples per mode. A code the modes share clusters in both; a mode whose action code lies along other
    directions than the dominant ones does not."""
    n_samples = len(perform)
    scores, _ = pca_embedding(np.concatenate([perform, observe]))
    return {
        "perform": action_silhouette(scores[:n_samples], perform_labels, sample_size, seed),
        "observe": action_silhouette(scores[n_samples:], observe_labels, sample_size, seed),
    }
