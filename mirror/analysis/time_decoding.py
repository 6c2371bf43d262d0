"""Time-resolved cross-context decoding (Livi et al. 2019; docs/measures.md 3.4): at each bin, a decoder of the
condition trained on one context's single trials is tested on the other's at the same bin. Where the two contexts
share a code only around the event, the accuracy rises there and nowhere else, which a decoder over all bins hides.

The decoder is the nearest class centroid after standardising each unit by the training context at that bin: linear,
fitted in closed form for every bin at once, so a session of hundreds of bins and units costs milliseconds. Chance is
always guessing the training context's most frequent condition at the bin. Trials with one bin have no time course:
skipped, not logged (the Hebbian network and the associative model).
"""

from __future__ import annotations

import numpy as np

from mirror.protocol import ContextTrials
from mirror.vocabulary import time_decoding_metric


def accuracy_by_bin(train: np.ndarray, train_labels: np.ndarray, test: np.ndarray, test_labels: np.ndarray,
                    n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, T, U) trials and (N, T) labels of each context -> (T,) accuracy on ``test`` of each bin's nearest-centroid
    decoder fitted on ``train``, and (T,) chance."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std[std == 0] = 1.0
    fitted, tested = (train - mean) / std, (test - mean) / std
    one_hot = (train_labels[..., None] == np.arange(n_classes)).astype(np.float64)  # (N, T, K)
    counts = one_hot.sum(axis=0)  # (T, K)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroids = np.einsum("ntk,ntu->tku", one_hot, fitted) / counts[..., None]
    distance = (np.einsum("ntu,ntu->nt", tested, tested)[..., None] - 2 * np.einsum("ntu,tku->ntk", tested, centroids)
                + np.einsum("tku,tku->tk", centroids, centroids)[None])
    distance[:, counts == 0] = np.inf  # a condition never trained at the bin is never predicted there
    accuracy = (distance.argmin(axis=2) == test_labels).mean(axis=0)
    chance = (counts.argmax(axis=1)[None] == test_labels).mean(axis=0)
    return accuracy, chance


def time_decoding(trials: ContextTrials) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The metrics (mean over bins each way, the best bin each way, chance) and the curves they summarise; nothing
    for trials of one bin."""
    if trials.perform.shape[1] < 2:
        return {}, {}
    p_to_o, chance = accuracy_by_bin(trials.perform, trials.perform_labels, trials.observe, trials.observe_labels,
                                     trials.n_classes)
    o_to_p, _ = accuracy_by_bin(trials.observe, trials.observe_labels, trials.perform, trials.perform_labels,
                                trials.n_classes)
    curves = {"perform_to_observe": p_to_o, "observe_to_perform": o_to_p, "chance": chance}
    metrics = {time_decoding_metric("perform_to_observe"): float(p_to_o.mean()),
               time_decoding_metric("observe_to_perform"): float(o_to_p.mean()),
               time_decoding_metric("perform_to_observe_peak"): float(p_to_o.max()),
               time_decoding_metric("observe_to_perform_peak"): float(o_to_p.max()),
               time_decoding_metric("chance"): float(chance.mean())}
    return metrics, curves
