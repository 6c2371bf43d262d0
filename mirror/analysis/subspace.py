"""Population measures of recordings and models alike (docs/measures.md 3.4; Jerjian, Sahani & Kraskov 2020, eLife
9:e54139): is observation activity in the subspace execution activity occupies, and does each neuron respond to the
conditions alike in both contexts?

Both read condition-by-bin means per context (K conditions x T bins x U units): for a model, the mean over trials of
the activity at each step whose label is that condition; for a recording, the peri-event means of its trials.

- **Alignment index** (their `util/subproj.m`): the top k principal axes V of one context's means, then
  trace(V' C V) / (sum of the k largest eigenvalues of C), C the covariance of the other context's means: 1 when the
  other context lives in the first one's subspace, near its chance level otherwise. Each unit is first divided by its
  range over both contexts plus a softening constant, as theirs (5 spikes/s there; here the population's median range,
  unit-free, so that a nearly silent unit's noise is not blown up into an axis both contexts share). The null
  shuffles the other context's unit order, which keeps its eigenvalues and turns its axes at random. Both directions.
- **Population correlation** (their Fig. 6): Pearson r between the two contexts' responses over every (unit,
  condition), a response being the condition's mean over bins less the unit's mean over conditions, against
  permutations of one context's responses.
"""

from __future__ import annotations

import numpy as np

from mirror.vocabulary import subspace_metric


def condition_bin_means(activity: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(N, T, U) activity and (N, T) labels -> (K, T, U): each condition's mean at each bin (NaN where a condition
    never occurs at a bin)."""
    one_hot = (labels[..., None] == np.arange(n_classes)).astype(np.float64)  # (N, T, K)
    counts = one_hot.sum(axis=0)  # (T, K)
    sums = np.einsum("ntk,ntu->ktu", one_hot, activity.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts.T[..., None]


def _samples(means: np.ndarray) -> np.ndarray:
    """(K, T, U) -> (K T, U) rows without a missing condition-bin."""
    rows = means.reshape(-1, means.shape[-1])
    return rows[~np.isnan(rows).any(axis=1)]


def principal_axes(samples: np.ndarray, components: int) -> np.ndarray:
    """(samples, U) -> (U, k): the top ``components`` principal axes."""
    return np.linalg.svd(samples - samples.mean(axis=0), full_matrices=False)[2][:components].T


def alignment_index(axes: np.ndarray, covariance: np.ndarray) -> float:
    """Variance of the data whose ``covariance`` this is in the subspace of ``axes`` (U, k), over the variance its
    own top k axes hold."""
    top = np.sort(np.linalg.eigvalsh(covariance))[::-1][: axes.shape[1]].sum()
    return float(np.trace(axes.T @ covariance @ axes) / top) if top > 0 else float("nan")


def responses(means: np.ndarray) -> np.ndarray:
    """(K, T, U) means -> (K, U): each condition's mean over bins less the unit's mean over conditions."""
    response = np.nanmean(means, axis=1)
    return response - np.nanmean(response, axis=0)


def correlation_with_null(perform_means: np.ndarray, observe_means: np.ndarray, n_permutations: int,
                          rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """r over every (unit, condition) between the two contexts' responses, and r with the observation responses
    permuted ``n_permutations`` times."""
    a, b = (responses(means).ravel() for means in (perform_means, observe_means))
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep] - a[keep].mean(), b[keep] - b[keep].mean()
    norm = np.sqrt((a @ a) * (b @ b))
    if len(a) < 3 or norm == 0:
        return float("nan"), np.array([])
    shuffled = rng.permuted(np.broadcast_to(b, (n_permutations, len(b))), axis=1)
    return float(a @ b / norm), shuffled @ a / norm


def subspace_measures(perform_means: np.ndarray, observe_means: np.ndarray, components: int, n_permutations: int,
                      rng: np.random.Generator) -> dict[str, float]:
    """The alignment index both ways and the population correlation, each with its null's mean and one-sided p
    (+1 corrected); no alignment where there are no more condition-bins than components (the Hebbian network's two
    expressions at one step): it is skipped, not logged."""
    ranges = np.ptp(np.concatenate([_samples(perform_means), _samples(observe_means)]), axis=0)
    scale = ranges + np.median(ranges)
    scale[scale == 0] = 1.0
    perform, observe = _samples(perform_means) / scale, _samples(observe_means) / scale
    metrics = _with_null("population_correlation", *correlation_with_null(perform_means, observe_means,
                                                                          n_permutations, rng))
    enough = min(len(perform), len(observe)) > components
    for name, axes_from, projected in (("observe_in_perform", perform, observe), ("perform_in_observe", observe, perform)):
        if not enough:
            continue
        axes = principal_axes(axes_from, components)
        # C = X'X / (n - 1) of the centred samples X, never formed: trace(W' C W) = |X W|^2 / (n - 1), and its top
        # eigenvalues are X's squared singular values over n - 1 (a thousand units: a 1000 x 1000 C per null draw
        # cost half a minute; this, a second).
        centred = projected - projected.mean(axis=0)
        top = np.square(np.linalg.svd(centred, compute_uv=False)[:components]).sum() / (len(centred) - 1)
        # A shuffled unit order keeps the eigenvalues and moves the axes' rows: W = V re-ordered.
        turned = axes[np.argsort(rng.random((n_permutations, len(axes))), axis=1)]  # (P, U, k)
        null = (np.square(centred @ turned).sum(axis=(1, 2)) / (len(centred) - 1) / top if top > 0
                else np.array([]))
        value = np.square(centred @ axes).sum() / (len(centred) - 1) / top if top > 0 else float("nan")
        metrics |= _with_null(f"alignment_{name}", float(value), null)
    return metrics


def _with_null(name: str, value: float, null: np.ndarray) -> dict[str, float]:
    null = null[np.isfinite(null)]
    p = float((1 + np.sum(null >= value)) / (1 + len(null))) if np.isfinite(value) and len(null) else float("nan")
    return {subspace_metric(name): value, subspace_metric(f"{name}_null_mean"): float(null.mean()) if len(null) else
            float("nan"), subspace_metric(f"{name}_p"): p}
