"""Per-unit mirror metrics against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mirror.analysis.metrics import (
    centre_over_trials,
    pearson_per_unit,
    threshold_fractions,
)
from mirror.analysis.summary import analyse
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity


def planted_activity(rng: np.random.Generator, n=30, t=6, u=5, coupling=(1.0, 0.5, 0.0, -0.3, -1.0)):
    shared = rng.standard_normal((n, t, u))
    perform = shared + 0.5 * rng.standard_normal((n, t, u))
    observe = np.asarray(coupling) * shared + 0.5 * rng.standard_normal((n, t, u))
    return perform, observe


def test_pearson_per_unit_matches_scipy():
    perform, observe = planted_activity(np.random.default_rng(0))
    ours = pearson_per_unit(perform, observe)
    expected = [stats.pearsonr(perform[..., u].ravel(), observe[..., u].ravel()).statistic for u in range(5)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert ours[0] > 0.5 and ours[-1] < -0.5


def test_pearson_is_nan_for_a_constant_unit():
    perform, observe = planted_activity(np.random.default_rng(1))
    perform[..., 2] = 3.0
    r = pearson_per_unit(perform, observe)
    assert np.isnan(r[2]) and np.isfinite(np.delete(r, 2)).all()


def test_pearson_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="must match"):
        pearson_per_unit(np.zeros((3, 4, 2)), np.zeros((3, 4, 3)))


def test_centring_removes_a_shared_transient():
    rng = np.random.default_rng(2)
    transient = np.linspace(5, 0, 8)[None, :, None]
    perform = transient + rng.standard_normal((200, 8, 3))
    observe = transient + rng.standard_normal((200, 8, 3))
    raw = pearson_per_unit(perform, observe)
    centred = pearson_per_unit(centre_over_trials(perform), centre_over_trials(observe))
    assert (raw > 0.6).all(), "the transient alone makes unrelated units look like mirror units"
    assert (np.abs(centred) < 0.15).all()
    np.testing.assert_allclose(centre_over_trials(perform).mean(axis=0), 0, atol=1e-12)


def test_threshold_fractions_by_hand():
    r = np.array([0.9, 0.76, 0.75, 0.1, -0.61, -0.9, np.nan, 0.61])
    got = threshold_fractions(r, mirror_threshold=0.75, abs_threshold=0.6, anti_mirror_threshold=-0.6)
    assert got["fraction_mirror"] == 2 / 8
    assert got["fraction_abs"] == 6 / 8
    assert got["fraction_anti_mirror"] == 2 / 8
    assert (got["max_r"], got["min_r"], got["n_undefined"]) == (0.9, -0.9, 1.0)
    assert got["mean_r"] == pytest.approx(np.nanmean(r))


def test_analyse_scores_a_planted_population():
    rng = np.random.default_rng(3)
    perform, observe = planted_activity(rng, n=400)
    labels = rng.integers(0, 2, perform.shape[:2])
    activity = MirrorActivity(perform, observe, labels, labels, np.arange(400), n_classes=2)
    result = analyse(activity, AnalysisConfig(n_permutations=200, cka_permutations=20))
    units = result.units
    assert list(units["sequence_null_significant"]) == [True, True, False, False, False]
    assert list(units["sequence_null_significant_negative"]) == [False, False, False, True, True]
    # A mirror unit is r above the threshold; passing the sequence null is not enough.
    assert list(units["mirror"]) == list(units["r_centred"] > 0.75) and units["mirror"].sum() == 1
    assert list(units["anti_mirror"]) == list(units["r_centred"] < -0.75)
    assert result.metrics["analysis/sequence_null/n_significant_positive"] == 2
    assert result.metrics["analysis/sequence_null/n_significant_negative"] == 2
    assert result.metrics["analysis/matching/fraction_self_matched"] == 1.0
    assert result.metrics["analysis/centred/fraction_mirror"] == pytest.approx(1 / 5)
    assert result.metrics["analysis/centred/fraction_anti_mirror"] == pytest.approx(1 / 5)
    assert result.metrics["analysis/n_units"] == 5.0
    np.testing.assert_allclose(result.units["r_raw"], pearson_per_unit(perform, observe))


@pytest.mark.parametrize("where", ["all", "one value"])
def test_analyse_refuses_activity_that_is_not_finite_naming_the_mode(where):
    rng = np.random.default_rng(3)
    perform, observe = planted_activity(rng, n=40)
    if where == "all":
        observe[:] = np.nan
    else:
        observe[3, 1, 2] = np.inf
    labels = rng.integers(0, 2, perform.shape[:2])
    activity = MirrorActivity(perform, observe, labels, labels, np.arange(40), n_classes=2)
    count = observe.size if where == "all" else 1
    with pytest.raises(ValueError, match=rf"^the observe activity has {count} values that are not finite"):
        analyse(activity, AnalysisConfig(n_permutations=20, cka_permutations=5))


def test_protocol_rejects_unmatched_trials():
    with pytest.raises(ValueError, match="must both be"):
        MirrorActivity(np.zeros((4, 3, 2)), np.zeros((5, 3, 2)), np.zeros((4, 3)), np.zeros((4, 3)), np.arange(4), 2)
    with pytest.raises(ValueError, match="observe_labels"):
        MirrorActivity(np.zeros((4, 3, 2)), np.zeros((4, 3, 2)), np.zeros((4, 3)), np.zeros((4, 2)), np.arange(4), 2)


@pytest.mark.parametrize("narrow_perform", [True, False])
def test_saved_activity_reads_back_identical_in_its_own_type(tmp_path, narrow_perform):
    rng = np.random.default_rng(3)
    perform, observe = planted_activity(rng)
    if narrow_perform:  # a GRU's activity: float32 cast up, stored narrow without loss
        perform = perform.astype(np.float32).astype(np.float64)
    labels = rng.integers(0, 3, perform.shape[:2])
    activity = MirrorActivity(perform, observe, labels, labels, np.arange(len(perform)), 3)
    path = activity.save(tmp_path / "activity.npz")
    with np.load(path) as saved:
        assert saved["perform"].dtype == (np.float32 if narrow_perform else np.float64)
        assert saved["observe"].dtype == np.float64  # not float32-exact: kept whole
    again = MirrorActivity.load(path)
    for name in ("perform", "observe", "perform_labels", "observe_labels", "trial_ids"):
        np.testing.assert_array_equal(getattr(again, name), getattr(activity, name))
        assert getattr(again, name).dtype == getattr(activity, name).dtype
    assert (again.n_classes, again.condition_names) == (3, ("perform", "observe"))
