"""Information-theoretic scores of neurons, as the VisNet literature reports them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _binned(responses: np.ndarray, n_bins: int) -> np.ndarray:
    """Each cell's responses in equal-width bins between its own min and max: (n, U) ints."""
    low, high = responses.min(axis=0), responses.max(axis=0)
    width = np.where(high > low, (high - low) / n_bins, 1.0)
    return np.minimum(((responses - low) / width).astype(int), n_bins - 1)


def single_cell_information(responses: np.ndarray, stimuli: np.ndarray, n_bins: int = 3) -> np.ndarray:
    """Stimulus-specific information, maximised over stimuli, of every cell: (n, U) -> (U,) bits.

    I(s, R) = sum_r P(r|s) log2(P(r|s) / P(r)), with responses binned per cell. Its ceiling
    is log2(number of stimuli) for equiprobable stimuli (1 bit for happy vs sad).
    """
    responses = np.asarray(responses, dtype=np.float64)
    stimuli = np.asarray(stimuli)
    if responses.ndim != 2 or len(stimuli) != len(responses):
        raise ValueError(f"responses {responses.shape} must be (trials, cells) matching stimuli {stimuli.shape}")
    bins = _binned(responses, n_bins)
    one_hot = bins[..., None] == np.arange(n_bins)  # (n, U, bins)
    p_r = one_hot.mean(axis=0)
    best = np.zeros(responses.shape[1])
    for stimulus in np.unique(stimuli):
        p_r_given_s = one_hot[stimuli == stimulus].mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p_r_given_s > 0, p_r_given_s * np.log2(p_r_given_s / p_r), 0.0)
        best = np.maximum(best, terms.sum(axis=1))
    return best


def confusion_information(true: np.ndarray, predicted: np.ndarray) -> float:
    """Mutual information (bits) between true and decoded stimuli, from their confusion table."""
    labels = np.unique(np.concatenate([true, predicted]))
    joint = (true[:, None, None] == labels[:, None]) & (predicted[:, None, None] == labels[None, :])
    p = joint.mean(axis=0)
    outer = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(p > 0, p * np.log2(p / outer), 0.0).sum())


def _decoded(train_responses: np.ndarray, train_stimuli: np.ndarray, test_responses: np.ndarray,
             cell_counts: Sequence[int], n_bins: int) -> dict[int, np.ndarray]:
    """For each k, the stimuli a nearest-class-mean decoder of the k cells most informative on the
    training trials assigns to the test trials."""
    ranking = np.argsort(-single_cell_information(train_responses, train_stimuli, n_bins), kind="stable")
    classes = np.unique(train_stimuli)
    decoded = {}
    for k in cell_counts:
        cells = ranking[: min(k, len(ranking))]
        means = np.stack([train_responses[train_stimuli == c][:, cells].mean(axis=0) for c in classes])
        distances = ((test_responses[:, None, cells] - means[None]) ** 2).sum(axis=-1)
        decoded[int(k)] = classes[distances.argmin(axis=1)]
    return decoded


def multiple_cell_information(
    train_responses: np.ndarray,
    train_stimuli: np.ndarray,
    test_responses: np.ndarray,
    test_stimuli: np.ndarray,
    cell_counts: Sequence[int],
    n_bins: int = 3,
) -> dict[int, float]:
    """Information decoded from the k cells most informative on the training trials, for each k.

    Cells are ranked and a nearest-class-mean decoder is fitted on the training trials,
    then scored on the test trials (e.g. held-out identities), so nothing is selected on
    the data it is scored on.
    """
    decoded = _decoded(train_responses, train_stimuli, test_responses, cell_counts, n_bins)
    return {k: confusion_information(test_stimuli, predicted) for k, predicted in decoded.items()}


def held_out_group_information(
    responses: np.ndarray, stimuli: np.ndarray, groups: np.ndarray, cell_counts: Sequence[int], n_bins: int = 3
) -> dict[int, float]:
    """Multiple-cell information with each group (e.g. a position) held out in turn: cells ranked and the
    decoder fitted on the other groups, the held-out group's trials decoded, one confusion table over all."""
    predicted: dict[int, np.ndarray] = {int(k): np.empty_like(stimuli) for k in cell_counts}
    for group in np.unique(groups):
        held_out = groups == group
        for k, decoded in _decoded(responses[~held_out], stimuli[~held_out], responses[held_out], cell_counts,
                                   n_bins).items():
            predicted[k][held_out] = decoded
    return {k: confusion_information(stimuli, decoded) for k, decoded in predicted.items()}
