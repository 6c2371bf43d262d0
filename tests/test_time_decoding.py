"""Time-resolved cross-context decoding (mirror.analysis.time_decoding): a nearest-centroid decoder by hand on a tiny
input, and on planted populations: a code shared only around the event is found there and nowhere else, a shared code
everywhere, a code that is another unit's nowhere above chance; one-bin trials are skipped."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.analysis.time_decoding import accuracy_by_bin, time_decoding
from mirror.protocol import ContextTrials


def test_the_decoder_by_hand_on_two_units_two_classes_and_one_bin():
    train = np.array([[[0.0, 0.0]], [[2.0, 0.0]], [[0.0, 2.0]], [[2.0, 2.0]]])  # (4 trials, 1 bin, 2 units)
    train_labels = np.array([[0], [0], [1], [1]])  # class 0 low on unit 1, class 1 high
    test = np.array([[[1.0, 0.1]], [[1.0, 1.9]], [[5.0, 1.2]]])
    accuracy, chance = accuracy_by_bin(train, train_labels, test, np.array([[0], [1], [1]]), 2)
    # Standardised by the training bin: unit 1's mean 1, sd 1; centroids (0, -1) and (0, 1) -> test 3 nearest to 1.
    assert accuracy.tolist() == [1.0]
    assert chance.tolist() == [pytest.approx(1 / 3)]  # ties go to class 0, which one test trial of three has


def _planted(shared_bins: slice | None, units: int = 20, trials: int = 60, bins: int = 20, seed: int = 0):
    """Four conditions, one per trial; each unit has a condition code in each context; the observe code is the
    perform code only in ``shared_bins`` (elsewhere another, independent code); unit noise 0.5."""
    rng = np.random.default_rng(seed)
    perform_code, other_code = rng.normal(size=(2, 4, units))
    labels = [rng.integers(0, 4, trials) for _ in range(2)]
    observe_code = np.repeat(other_code[:, None], bins, axis=1)
    if shared_bins is not None:
        observe_code[:, shared_bins] = perform_code[:, None]
    perform = perform_code[labels[0]][:, None].repeat(bins, axis=1) + 0.5 * rng.normal(size=(trials, bins, units))
    observe = observe_code[labels[1]] + 0.5 * rng.normal(size=(trials, bins, units))
    return ContextTrials(perform, np.repeat(labels[0][:, None], bins, 1), observe,
                         np.repeat(labels[1][:, None], bins, 1), 4)


def test_a_code_shared_around_the_event_is_decoded_there_and_nowhere_else():
    _, curves = time_decoding(_planted(slice(8, 12)))
    assert (curves["perform_to_observe"][8:12] > 0.9).all()
    outside = np.r_[curves["perform_to_observe"][:8], curves["perform_to_observe"][12:]]
    assert outside.mean() < 0.45  # chance is about a quarter


def test_a_shared_code_decodes_everywhere_and_a_code_that_is_another_units_nowhere():
    shared, _ = time_decoding(_planted(slice(None)))
    other, _ = time_decoding(_planted(None))
    assert shared["analysis/time_decoding/perform_to_observe"] > 0.9
    assert shared["analysis/time_decoding/observe_to_perform"] > 0.9
    assert other["analysis/time_decoding/perform_to_observe"] < other["analysis/time_decoding/chance"] + 0.15


def test_trials_of_one_bin_have_no_time_course_and_log_nothing():
    trials = _planted(slice(None), bins=1)
    assert time_decoding(trials) == ({}, {})
