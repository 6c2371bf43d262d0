"""Cross-condition decoding, temporal alignment and population geometry."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

from mirror.analysis.alignment import lagged_correlation, peak_lags
from mirror.analysis.decoding import (
    cross_condition_decoding,
    grouped_read_out_accuracy,
    read_out_accuracy,
)
from mirror.analysis.geometry import action_silhouette, pca_embedding
from mirror.analysis.metrics import pearson_per_unit


def coded_activity(rng, labels, patterns, noise=0.5):
    return patterns[labels] + noise * rng.standard_normal((*labels.shape, patterns.shape[1]))


def test_a_shared_code_transfers_across_conditions():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, (80, 6))
    patterns = rng.standard_normal((4, 10))
    perform, observe = coded_activity(rng, labels, patterns), coded_activity(rng, labels, patterns)
    scores = cross_condition_decoding(perform, observe, labels, labels, n_folds=2, seed=0)
    assert scores["within_perform"] > 0.95 and scores["perform_to_observe"] > 0.95
    assert scores["observe_to_perform"] > 0.95
    assert scores["chance"] == pytest.approx(np.bincount(labels.ravel()).max() / labels.size, abs=0.05)


def test_a_different_code_per_condition_does_not_transfer():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, (80, 6))
    perform = coded_activity(rng, labels, rng.standard_normal((4, 10)))
    observe = coded_activity(rng, labels, rng.standard_normal((4, 10)))
    scores = cross_condition_decoding(perform, observe, labels, labels, n_folds=3, seed=0)
    assert scores["within_perform"] > 0.95 and scores["within_observe"] > 0.95
    assert scores["perform_to_observe"] < 0.6 and scores["observe_to_perform"] < 0.6


def test_decoding_refuses_impossible_folds():
    with pytest.raises(ValueError, match="n_folds"):
        cross_condition_decoding(np.zeros((3, 2, 2)), np.zeros((3, 2, 2)), np.zeros((3, 2), int),
                                 np.zeros((3, 2), int), n_folds=1, seed=0)


def test_grouped_read_out_never_tests_on_a_group_it_was_fitted_on():
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(6), 10)
    labels = np.tile([0, 1], 30)
    # Each group has its own label code: a read-out that learnt one group cannot read another.
    codes = rng.standard_normal((6, 2, 20))
    samples = codes[groups, labels] + 0.05 * rng.standard_normal((60, 20))
    fit = np.arange(60) % 4 < 2  # half of every group, both labels
    within = read_out_accuracy(samples[fit], labels[fit], samples[~fit], labels[~fit])
    assert within == 1.0, "the same groups seen in fitting are read perfectly"
    assert grouped_read_out_accuracy(samples, labels, groups) < 0.8, "unseen groups are not"
    shared = rng.standard_normal((2, 20))[labels] + 0.05 * rng.standard_normal((60, 20))
    assert grouped_read_out_accuracy(shared, labels, groups) == 1.0, "a code shared by every group transfers"


def test_read_out_copes_with_features_below_float32_resolution():
    labels = np.tile([0, 1], 20)
    samples = np.stack([labels + 0.1 * np.arange(40) % 0.3, np.full(40, 1e-40) * (1 + labels)], 1).astype(np.float32)
    assert read_out_accuracy(samples, labels, samples, labels) == 1.0


def test_peak_lag_recovers_a_known_delay():
    rng = np.random.default_rng(2)
    drive = rng.standard_normal((200, 14, 5))
    perform = drive[:, 2:]
    observe = np.concatenate([rng.standard_normal((200, 2, 5)), drive[:, 2:-2]], axis=1)  # observe trails by 2
    lags, lagged_r = lagged_correlation(perform, observe, max_lag=3)
    np.testing.assert_array_equal(lags, np.arange(-3, 4))
    np.testing.assert_array_equal(peak_lags(lags, lagged_r), np.full(5, 2))
    np.testing.assert_allclose(lagged_r[3], pearson_per_unit(perform, observe))
    assert lagged_r[5].min() > 0.95


def test_lag_must_fit_the_sequence():
    with pytest.raises(ValueError, match="max_lag"):
        lagged_correlation(np.zeros((4, 3, 2)), np.zeros((4, 3, 2)), max_lag=2)


def test_pca_matches_sklearn_up_to_sign():
    rng = np.random.default_rng(3)
    activity = rng.standard_normal((300, 6)) @ rng.standard_normal((6, 6))
    scores, explained = pca_embedding(activity)
    reference = PCA(n_components=2).fit(activity)
    np.testing.assert_allclose(explained, reference.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(np.abs(scores), np.abs(reference.transform(activity)), atol=1e-8)


def test_silhouette_matches_sklearn_on_all_samples():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 150)
    activity = coded_activity(rng, labels, 3 * rng.standard_normal((3, 4)))
    assert action_silhouette(activity, labels, sample_size=1000, seed=0) == pytest.approx(
        silhouette_score(activity, labels)
    )
    assert np.isnan(action_silhouette(activity, np.zeros(150, int), sample_size=1000, seed=0))
