"""The sequence-level permutation test and FDR control."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.analysis.metrics import pearson_per_unit
from mirror.analysis.permutation import fdr_adjust, sequence_permutation_test


def test_fdr_by_hand_on_four_p_values():
    p = np.array([0.04, 0.01, 0.03, 0.5])
    bh = [0.04 * 4 / 3, 0.01 * 4, 0.03 * 4 / 2, 0.5]  # p m / rank, made monotone from the top
    bh[0] = bh[2] = min(0.04 * 4 / 3, 0.03 * 4 / 2)
    np.testing.assert_allclose(fdr_adjust(p, "bh"), bh)
    np.testing.assert_allclose(fdr_adjust(p, "by"), np.minimum(np.array(bh) * (1 + 1 / 2 + 1 / 3 + 1 / 4), 1.0))
    assert fdr_adjust(np.array([]), "bh").size == 0


def test_fdr_refuses_non_probabilities():
    with pytest.raises(ValueError, match="probabilities"):
        fdr_adjust(np.array([0.1, 1.2]))
    with pytest.raises(ValueError, match="method"):
        fdr_adjust(np.array([0.1]), "holm")


def test_null_equals_a_slow_loop_over_the_same_permutations():
    rng = np.random.default_rng(1)
    perform = rng.standard_normal((15, 5, 4))
    observe = 0.5 * perform + rng.standard_normal((15, 5, 4))
    result = sequence_permutation_test(perform, observe, 50, np.random.default_rng(7))
    replay = np.random.default_rng(7)
    slow = np.stack([pearson_per_unit(perform, observe[replay.permutation(15)]) for _ in range(50)])
    np.testing.assert_allclose(result.null, slow, atol=1e-5)
    np.testing.assert_allclose(result.r, pearson_per_unit(perform, observe), atol=1e-5)
    expected_p = (1 + (slow >= result.r).sum(axis=0)) / 51
    np.testing.assert_allclose(result.p_positive, expected_p)


def planted(rng, n=120, t=6, units=60, mirror_units=8, coupling=0.8):
    perform = rng.standard_normal((n, t, units))
    observe = rng.standard_normal((n, t, units))
    observe[..., :mirror_units] += coupling * perform[..., :mirror_units]
    return perform, observe


def test_finds_the_planted_units_and_controls_the_false_discovery_rate():
    # 1,000 permutations as by default: with 60 tests, BH cannot reach q <= 0.05 for a
    # handful of units when the smallest attainable p (1 / (K + 1)) is much larger.
    false_discovery_proportions = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        perform, observe = planted(rng)
        observe[..., 8:12] -= 0.8 * perform[..., 8:12]  # planted anti-mirror units
        result = sequence_permutation_test(perform, observe, 1000, rng)
        mirror = set(np.flatnonzero(fdr_adjust(result.p_positive, "bh") <= 0.05))
        anti = set(np.flatnonzero(fdr_adjust(result.p_negative, "bh") <= 0.05))
        assert set(range(8)) <= mirror and set(range(8, 12)) <= anti, "every planted unit is found"
        assert result.p_positive[:8].max() == pytest.approx(1 / 1001)
        false_discoveries = len(mirror - set(range(8))) + len(anti - set(range(8, 12)))
        false_discovery_proportions.append(false_discoveries / (len(mirror) + len(anti)))
    assert np.mean(false_discovery_proportions) <= 0.05 + 0.02


def test_false_positive_rate_under_the_null_is_nominal():
    rng = np.random.default_rng(3)
    perform, observe = planted(rng, n=60, t=4, units=600, mirror_units=0)
    result = sequence_permutation_test(perform, observe, 200, rng)
    assert np.mean(result.p_positive <= 0.05) == pytest.approx(0.05, abs=0.02)
    assert np.mean(result.p_negative <= 0.05) == pytest.approx(0.05, abs=0.02)
    assert (fdr_adjust(result.p_positive, "bh") <= 0.05).sum() <= 2


def test_shared_time_structure_alone_is_not_significant():
    """A transient common to every sequence inflates r, but the null keeps it too."""
    rng = np.random.default_rng(4)
    transient = np.linspace(3, 0, 8)[None, :, None]
    perform = transient + rng.standard_normal((80, 8, 200))
    observe = transient + rng.standard_normal((80, 8, 200))
    result = sequence_permutation_test(perform, observe, 200, rng)
    assert (result.r > 0.35).all()
    assert np.mean(result.p_positive <= 0.05) < 0.1


def test_constant_units_are_never_significant():
    rng = np.random.default_rng(5)
    perform, observe = planted(rng, units=5, mirror_units=5)
    perform[..., 0] = 1.0
    result = sequence_permutation_test(perform, observe, 100, rng)
    assert result.p_positive[0] == 1.0 and result.p_negative[0] == 1.0
    assert (result.p_positive[1:] < 0.05).all()
