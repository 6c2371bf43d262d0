"""The environment of docs/models/predictive-gru.md section 1, and the pairing invariant."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.data.action_sequences import ActionSequenceDataModule
from mirror.data.sensorimotor import Episodes, SensorimotorEnvironment
from tests.conftest import action_sequences


def small_datamodule(**overrides) -> ActionSequenceDataModule:
    settings = dict(n_train=200, n_val=20, n_test=50, noise_std=0.1, seed=3) | overrides
    datamodule = action_sequences(**settings)
    datamodule.setup()
    return datamodule


def test_shapes_and_dtypes():
    datamodule = small_datamodule(n_actions=5, sensory_dim=7, seq_len=9)
    perform, observe = datamodule.split_episodes("train")
    assert perform.actions.shape == (200, 9) and perform.actions.dtype == np.int64
    assert perform.sensations.shape == (200, 9, 7) and perform.sensations.dtype == np.float32
    assert perform.actions.min() >= 0 and perform.actions.max() == 4
    batch = next(iter(datamodule.train_dataloader()))
    assert [tuple(t.shape) for t in batch] == [(64, 9), (64, 9, 7), (64, 9), (64, 9, 7)]


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_matched_pairing_leaves_only_the_noise(split):
    datamodule = small_datamodule(noise_std=0.1)
    perform, observe = datamodule.split_episodes(split)
    assert observe is perform
    residuals = datamodule.environment.residuals(perform)
    assert abs(residuals.mean()) < 0.01
    assert residuals.std() == pytest.approx(0.1, rel=0.05)
    # Every example, not just the pool: no sequence has a residual that the noise cannot explain.
    assert np.abs(residuals).max() < 0.1 * 6


def test_every_batch_pairs_perform_and_observe_streams():
    datamodule = small_datamodule()
    for loader in (datamodule.train_dataloader(), datamodule.test_dataloader()):
        for perform_actions, perform_sensations, observe_actions, observe_sensations in loader:
            assert np.array_equal(perform_actions, observe_actions)
            assert np.array_equal(perform_sensations, observe_sensations)
            episodes = Episodes(perform_actions.numpy(), perform_sensations.numpy())
            assert datamodule.environment.residuals(episodes).std() < 0.12


def test_the_pairing_error_unpairs_training_and_keeps_the_test_matched_unless_told():
    datamodule = small_datamodule(pairing="independent")
    for split in ("train", "val"):
        perform, observe = datamodule.split_episodes(split)
        assert (perform.actions != observe.actions).mean() > 0.5, f"the {split} split is unpaired"
    perform, observe = datamodule.split_episodes("test")
    assert perform is observe, "the test the analysis scores stays matched"
    matched = small_datamodule(pairing="matched").split_episodes("test")[0]
    assert np.array_equal(perform.actions, matched.actions), "the same test sequences as the matched network's"
    perform, observe = small_datamodule(pairing="independent", pair_test=False).split_episodes("test")
    assert (perform.actions != observe.actions).mean() > 0.5
    # Each stream is internally consistent, but they no longer describe the same sequence.
    assert datamodule.environment.residuals(observe).std() == pytest.approx(0.1, rel=0.05)
    crossed = Episodes(perform.actions, observe.sensations)
    assert datamodule.environment.residuals(crossed).std() > 5 * 0.1


def test_seeding_is_deterministic_and_seed_dependent():
    first, again, other = small_datamodule(seed=5), small_datamodule(seed=5), small_datamodule(seed=6)
    assert np.array_equal(first.environment.effects, again.environment.effects)
    for split in ("train", "test"):
        assert np.array_equal(first.split_episodes(split)[0].sensations, again.split_episodes(split)[0].sensations)
    assert not np.array_equal(first.environment.effects, other.environment.effects)


def test_test_set_does_not_depend_on_training_size():
    small, large = small_datamodule(n_train=50), small_datamodule(n_train=500)
    assert np.array_equal(small.split_episodes("test")[0].sensations, large.split_episodes("test")[0].sensations)


def test_dynamics_follow_the_equation_without_noise():
    environment = SensorimotorEnvironment(effects=np.eye(3), decay=0.5, noise_std=0.0)
    episodes = environment.roll_out(np.random.default_rng(0), np.array([[0, 1, 1]]))
    expected = np.array([[1, 0, 0], [0.5, 1, 0], [0.25, 1.5, 0]])
    np.testing.assert_allclose(episodes.sensations[0], expected)


@pytest.mark.parametrize("persistence", [0.0, 0.6])
def test_persistence_sets_the_repeat_rate(persistence):
    environment = SensorimotorEnvironment.draw(np.random.default_rng(0), 4, 3, 0.9, 0.1)
    actions = environment.sample_actions(np.random.default_rng(1), 4000, 12, persistence)
    repeat_rate = (actions[:, 1:] == actions[:, :-1]).mean()
    assert repeat_rate == pytest.approx(persistence + (1 - persistence) / 4, abs=0.01)
    assert np.bincount(actions.ravel(), minlength=4) / actions.size == pytest.approx(np.full(4, 0.25), abs=0.01)


def test_episodes_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="disagree"):
        Episodes(np.zeros((3, 4), dtype=np.int64), np.zeros((3, 5, 2), dtype=np.float32))


@pytest.mark.parametrize(("redraw", "low", "high"), [(0.0, 0.95, 1.0), (0.9, 0.45, 0.75), (1.0, 0.15, 0.35)])
def test_redrawn_effects_take_the_actions_information_out_of_their_consequences(redraw, low, high):
    """A linear read-out of a_t from the sensory step s_t - decay s_{t-1} (fitted on one half, read on the other):
    near perfect when the effects are stable, at chance (1/4) when redrawn for every sequence; the sensations'
    variance is the same either way, and a stable environment's data are what they were before redrawing existed."""
    from sklearn.linear_model import LogisticRegression

    datamodule = small_datamodule(n_train=400, effect_redraw=redraw)
    episodes = datamodule.split_episodes("train")[0]
    previous = np.concatenate([np.zeros_like(episodes.sensations[:, :1]), episodes.sensations[:, :-1]], axis=1)
    steps = (episodes.sensations - 0.9 * previous).reshape(-1, episodes.sensations.shape[-1])
    labels = episodes.actions.ravel()
    half = len(labels) // 2
    accuracy = LogisticRegression(max_iter=500).fit(steps[:half], labels[:half]).score(steps[half:], labels[half:])
    assert low <= accuracy <= high
    stable = small_datamodule(n_train=400).split_episodes("train")[0]
    assert episodes.sensations.var() == pytest.approx(stable.sensations.var(), rel=0.15)
    if redraw == 0.0:
        assert (episodes.sensations == stable.sensations).all()
        np.testing.assert_allclose(datamodule.environment.residuals(episodes).std(), 0.1, rtol=0.05)


def test_noise_on_the_observer_blurs_only_what_is_observed():
    clear, blurred = small_datamodule(), small_datamodule(observe_noise_std=4.0)
    perform, observe = (next(iter(d.test_dataloader())) for d in (clear, blurred))
    assert (perform.perform_sensations == observe.perform_sensations).all(), "the performer's sensations stay"
    assert (perform.observe_actions == observe.observe_actions).all()
    extra = (observe.observe_sensations - perform.observe_sensations).numpy()
    assert extra.std() == pytest.approx(4.0, rel=0.05) and abs(extra.mean()) < 0.1
    again = next(iter(small_datamodule(observe_noise_std=4.0).test_dataloader()))
    assert (again.observe_sensations == observe.observe_sensations).all(), "the same noise every time"
