"""Linear read-outs: does a decoder of actions learnt in one mode work in the other, and does
one of facial expression generalise to unseen identities and transforms?"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mirror.vocabulary import DECODERS


def _fit_decoder(samples: np.ndarray, labels: np.ndarray, seed: int):
    decoder = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300, random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return decoder.fit(samples, labels)


def _held_out_accuracy(decoder, activity: np.ndarray, labels: np.ndarray, held_out: np.ndarray) -> float:
    predicted = decoder.predict(activity[held_out].reshape(-1, activity.shape[-1]))
    return float(np.mean(predicted == labels[held_out].ravel()))


def read_out_accuracy(
    train: np.ndarray, train_labels: np.ndarray, test: np.ndarray, test_labels: np.ndarray, seed: int = 0
) -> float:
    """Accuracy on ``test`` of a linear decoder fitted on ``train`` (samples x features).

    In float64: a sigmoid's rates can differ by less than float32 resolves, and
    standardising such a feature overflows in float32.
    """
    decoder = _fit_decoder(train.astype(np.float64), train_labels, seed)
    return float(np.mean(decoder.predict(test.astype(np.float64)) == test_labels))


def grouped_read_out_accuracy(
    samples: np.ndarray, labels: np.ndarray, groups: np.ndarray, folds: int = 3, seed: int = 0
) -> float:
    """Mean held-out accuracy over folds that never split a group, e.g. a face identity:
    what a read-out generalises to members of groups it has never seen."""
    splits = GroupKFold(folds).split(samples, labels, groups)
    return float(np.mean([
        read_out_accuracy(samples[fit], labels[fit], samples[held], labels[held], seed) for fit, held in splits
    ]))


def cross_condition_decoding(
    perform: np.ndarray,
    observe: np.ndarray,
    perform_labels: np.ndarray,
    observe_labels: np.ndarray,
    n_folds: int,
    seed: int,
) -> dict[str, float]:
    """Accuracy of multinomial logistic decoders of the label at every step.

    ``perform``, ``observe``: (N, T, U); labels (N, T). Sequences are split into
    ``n_folds`` folds; a decoder trained on one mode's training sequences is scored on the
    held-out sequences of the same mode (``within_*``) and of the other mode
    (``perform_to_observe``, ``observe_to_perform``), averaged over folds. ``chance`` is
    the accuracy of always guessing the most frequent training label.
    """
    n_sequences = perform.shape[0]
    if not 2 <= n_folds <= n_sequences:
        raise ValueError(f"n_folds must be between 2 and the number of sequences ({n_sequences}), got {n_folds}")
    folds = np.array_split(np.random.default_rng(seed).permutation(n_sequences), n_folds)
    modes = {"perform": (perform, perform_labels), "observe": (observe, observe_labels)}
    scores: dict[str, list[float]] = {key: [] for key in DECODERS}
    for held_out in folds:
        train = np.setdiff1d(np.arange(n_sequences), held_out)
        for source, (activity, labels) in modes.items():
            target = "observe" if source == "perform" else "perform"
            samples = activity[train].reshape(-1, activity.shape[-1])
            decoder = _fit_decoder(samples, labels[train].ravel(), seed)
            scores[f"within_{source}"].append(_held_out_accuracy(decoder, *modes[source], held_out))
            scores[f"{source}_to_{target}"].append(_held_out_accuracy(decoder, *modes[target], held_out))
        majority = np.bincount(perform_labels[train].ravel()).argmax()
        scores["chance"].append(float(np.mean(observe_labels[held_out] == majority)))
    return {key: float(np.mean(values)) for key, values in scores.items()}
