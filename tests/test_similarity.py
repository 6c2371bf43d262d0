"""Correspondence-free similarity: Hungarian matching and linear CKA."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ortho_group

from mirror.analysis.similarity import (
    cka_sequence_null,
    cross_correlation_matrix,
    linear_cka,
    match_units,
)


def test_cross_correlation_matrix_matches_numpy():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((200, 5)), rng.standard_normal((200, 5))
    expected = np.corrcoef(x.T, y.T)[:5, 5:]
    np.testing.assert_allclose(cross_correlation_matrix(x, y), expected, atol=1e-12)


def test_hungarian_matching_recovers_a_known_permutation():
    rng = np.random.default_rng(1)
    perform = rng.standard_normal((500, 12))
    shuffle = rng.permutation(12)
    sign = np.where(rng.random(12) < 0.5, -1.0, 1.0)
    observe = sign * perform[:, shuffle] + 0.3 * rng.standard_normal((500, 12))  # observe j = +-perform shuffle[j]
    matching = match_units(cross_correlation_matrix(perform, observe))
    np.testing.assert_array_equal(shuffle[matching.partner], np.arange(12))
    np.testing.assert_array_equal(np.sign(matching.matched_r), sign[matching.partner])
    assert matching.fraction_self_matched == pytest.approx(np.mean(shuffle == np.arange(12)))


def test_self_matching_of_a_shared_code():
    rng = np.random.default_rng(2)
    perform = rng.standard_normal((300, 8))
    matching = match_units(cross_correlation_matrix(perform, perform + 0.1 * rng.standard_normal((300, 8))))
    assert matching.fraction_self_matched == 1.0 and (matching.matched_r > 0.9).all()


def test_cka_is_invariant_to_unit_permutation_rotation_and_scale():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((400, 10))
    y = x @ rng.standard_normal((10, 10)) + rng.standard_normal((400, 10))
    reference = linear_cka(x, y)
    assert 0 < reference < 1
    assert linear_cka(x, x) == pytest.approx(1.0)
    assert linear_cka(x, y[:, rng.permutation(10)]) == pytest.approx(reference)
    assert linear_cka(x, y @ ortho_group.rvs(10, random_state=4)) == pytest.approx(reference)
    assert linear_cka(3.0 * x + 5.0, y) == pytest.approx(reference)


def test_cka_null_equals_cka_of_reshuffled_sequences():
    rng = np.random.default_rng(5)
    perform = rng.standard_normal((20, 6, 7))
    observe = perform + rng.standard_normal((20, 6, 7))
    null = cka_sequence_null(perform, observe, 30, np.random.default_rng(9))
    replay = np.random.default_rng(9)
    slow = [linear_cka(perform.reshape(-1, 7), observe[replay.permutation(20)].reshape(-1, 7)) for _ in range(30)]
    np.testing.assert_allclose(null, slow, rtol=1e-4)
    assert linear_cka(perform.reshape(-1, 7), observe.reshape(-1, 7)) > null.max()
