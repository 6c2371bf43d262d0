"""Associative Sequence Learning (SCIENCE.md 5.1): the two rules by hand, the schedule, the weight measures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mirror.analysis.associative.measures import fraction_self_preferring, mirror_index
from mirror.config import (
    AssociativeModelConfig,
    SensorimotorPairingsDataConfig,
    constructor_arguments,
)
from mirror.data.sensorimotor_pairings import (
    NONE,
    SensorimotorPairingsDataModule,
    unpaired_count,
)
from mirror.models.associative import (
    AssociativeSequenceLearning,
    hebb_update,
    rescorla_wagner_update,
)
from mirror.vocabulary import PHASES


def pairings(**fields) -> SensorimotorPairingsDataModule:
    return SensorimotorPairingsDataModule(**constructor_arguments(SensorimotorPairingsDataConfig(**fields)))


def model(n_actions: int = 4, seed: int = 0, **fields) -> AssociativeSequenceLearning:
    return AssociativeSequenceLearning(n_actions=n_actions, seed=seed,
                                       **constructor_arguments(AssociativeModelConfig(**fields)))


def train(network: AssociativeSequenceLearning, data: SensorimotorPairingsDataModule) -> None:
    for seen, done, _ in data.train_dataloader():
        network.learn(seen, done)


# ------------------------------------------------------------------------------ the rules by hand

W = torch.tensor([[0.1, 0.2, 0.3],    # M_1 <- S_1, S_2, context
                  [0.0, 0.4, 0.5]])   # M_2
SEE_1 = torch.tensor([1.0, 0.0, 1.0])  # x = [s; 1], seeing action 1
DO_1 = torch.tensor([1.0, 0.0])


def test_hebb_adds_the_outer_product_of_doing_and_seeing():
    updated = hebb_update(W, SEE_1, DO_1, learning_rate=0.5)
    # row 1: [0.1 + 0.5, 0.2, 0.3 + 0.5] = [0.6, 0.2, 0.8], length sqrt(1.04) > 1 -> scaled to unit length
    expected_row = torch.tensor([0.6, 0.2, 0.8]) / np.sqrt(1.04)
    torch.testing.assert_close(updated[0], expected_row)
    torch.testing.assert_close(updated[1], W[1], msg="a motor unit that was not active does not learn")


def test_hebb_leaves_rows_shorter_than_one_unscaled():
    updated = hebb_update(W, SEE_1, DO_1, learning_rate=0.1)
    torch.testing.assert_close(updated[0], torch.tensor([0.2, 0.2, 0.4]))


def test_rescorla_wagner_learns_from_the_prediction_error():
    updated = rescorla_wagner_update(W, SEE_1, DO_1, learning_rate=0.5, asymptote=1.0)
    # prediction W x = [0.1 + 0.3, 0 + 0.5] = [0.4, 0.5]; error lambda m - W x = [0.6, -0.5]
    expected = W + 0.5 * torch.outer(torch.tensor([0.6, -0.5]), SEE_1)
    torch.testing.assert_close(updated, expected)
    torch.testing.assert_close(updated, torch.tensor([[0.4, 0.2, 0.6], [-0.25, 0.4, 0.25]]))


@pytest.mark.parametrize("rule", ["hebb", "rescorla_wagner"])
def test_with_zero_learning_rate_nothing_changes(rule):
    network = model(rule=rule, learning_rate=0.0)
    before = network.weights.clone()
    train(network, pairings(n_actions=4, n_trials=50, unpaired_fraction=0.5, counter_mirror_trials=20))
    assert torch.equal(network.weights, before)


def test_initial_weights_are_small_and_unsystematic():
    weights = model(n_actions=6, initial_weight=0.01).weights
    assert weights.min() >= 0 and weights.max() <= 0.01
    assert abs(mirror_index(weights[:, :-1].numpy())) < 1.0


# ------------------------------------------------------------------------------ the schedule

@pytest.mark.parametrize("kind", ["seeing", "doing", "both"])
def test_the_paired_trials_stay_the_same_as_unpaired_ones_are_added(kind):
    base = pairings(n_trials=200, unpaired_fraction=0.0, unpaired_kind=kind, seed=3).schedule
    for fraction in (0.2, 0.5, 0.8):
        trials = pairings(n_trials=200, unpaired_fraction=fraction, unpaired_kind=kind, seed=3).schedule
        paired = (trials["seen"] != NONE) & (trials["done"] != NONE)
        assert paired.sum() == 200
        np.testing.assert_array_equal(trials["done"][paired], base["done"])
        np.testing.assert_array_equal(trials["seen"][paired], base["seen"])
        unpaired = ~paired
        assert unpaired.sum() == unpaired_count(200, fraction)
        assert unpaired.mean() == pytest.approx(fraction, abs=0.01)
        seeing_alone = (trials["done"] == NONE).sum()
        expected = {"seeing": unpaired.sum(), "doing": 0, "both": unpaired.sum() // 2 + unpaired.sum() % 2}[kind]
        assert seeing_alone == expected


def test_lag_shows_the_action_done_lag_trials_before_and_mismatch_another_one():
    lagged = pairings(n_trials=100, lag=3).schedule
    np.testing.assert_array_equal(lagged["seen"][3:100], lagged["done"][:97])
    assert (lagged["seen"][:3] == NONE).all()
    mismatched = pairings(n_trials=2000, mismatch=0.3).schedule
    differs = mismatched["seen"] != mismatched["done"]
    assert differs.mean() == pytest.approx(0.3, abs=0.03)


def test_counter_mirror_then_repair_follow_development():
    trials = pairings(n_trials=50, counter_mirror_trials=30, repair_trials=20, n_actions=5).schedule
    phase = trials["phase"]
    np.testing.assert_array_equal(np.bincount(phase), [50, 30, 20])
    counter = phase == PHASES.index("counter_mirror")
    np.testing.assert_array_equal(trials["seen"][counter], (trials["done"][counter] + 1) % 5)
    repair = phase == PHASES.index("repair")
    np.testing.assert_array_equal(trials["seen"][repair], trials["done"][repair])
    development = pairings(n_trials=50, n_actions=5).schedule
    np.testing.assert_array_equal(trials["done"][:50], development["done"])


# ------------------------------------------------------------------------------ the weight measures

def test_mirror_index_and_self_preference_by_hand():
    w = np.array([[0.6, 0.1, 0.1],
                  [0.0, 0.3, 0.2],
                  [0.4, 0.0, 0.2]])
    # diagonal mean 1.1 / 3, off-diagonal mean 0.8 / 6, mean |w| 1.9 / 9
    assert mirror_index(w) == pytest.approx((1.1 / 3 - 0.8 / 6) / (1.9 / 9))
    assert fraction_self_preferring(w) == pytest.approx(2 / 3)  # M_3 prefers S_1
    assert mirror_index(-np.eye(3) + 1) < 0
    assert mirror_index(5 * w) == pytest.approx(mirror_index(w)), "scale-free"


@pytest.mark.parametrize("rule", ["hebb", "rescorla_wagner"])
def test_normal_pairing_makes_mirrors_and_counter_mirror_training_moves_the_mass_off_the_diagonal(rule):
    network = model(n_actions=4, rule=rule, learning_rate=0.05)
    train(network, pairings(n_actions=4, n_trials=300, seed=1))
    developed = network.sensory_weights.numpy().copy()
    assert mirror_index(developed) > 2 and fraction_self_preferring(developed) == 1.0
    counter = model(n_actions=4, rule=rule, learning_rate=0.05)
    train(counter, pairings(n_actions=4, n_trials=300, counter_mirror_trials=600, seed=1))
    remapped = counter.sensory_weights.numpy()
    diagonal_share = lambda w: np.trace(np.abs(w)) / np.abs(w).sum()  # noqa: E731
    assert diagonal_share(remapped) < diagonal_share(developed)
    shifted = np.roll(np.eye(4), 1, axis=1)  # S_{i+1} -> M_i, the counter-mirror pairing
    assert (remapped * shifted).sum() > (remapped * np.eye(4)).sum()


def test_rescorla_wagner_s_link_weakens_as_doing_alone_makes_the_outcome_less_contingent_on_seeing():
    """Doing alone strengthens the context, which then predicts the motor unit on paired trials
    too, so the same paired trials leave a weaker S_i -> M_i link."""
    links = []
    for fraction in (0.0, 0.5, 0.8):
        network = model(n_actions=2, rule="rescorla_wagner", learning_rate=0.05)
        train(network, pairings(n_actions=2, n_trials=1000, persistence=0.0, unpaired_fraction=fraction,
                                unpaired_kind="doing", seed=2))
        links.append(network.sensory_weights.numpy().diagonal().mean())
    assert max(links[1:]) < 0.8 * links[0]
