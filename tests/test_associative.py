"""Associative Sequence Learning (docs/models/associative.md 5.1-5.2): the rules by hand, the schedule and its signal, the
weight measures on untrained, planted and scaled weights, the programmed contingency, the divergence guard."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mirror.analysis.associative.measures import (
    d_prime,
    evoked_response,
    fraction_self_preferring,
    mirror_index,
    selective_response,
    weight_measures,
)
from mirror.config import (
    AssociativeModelConfig,
    SensorimotorPairingsDataConfig,
    constructor_arguments,
)
from mirror.data.sensorimotor_pairings import (
    NONE,
    SensorimotorPairingsDataModule,
    programmed_contingency,
    unpaired_count,
)
from mirror.models import TrainingDiverged
from mirror.models.associative import (
    AssociativeSequenceLearning,
    covariance_update,
    hebb_update,
    rescorla_wagner_update,
)
from mirror.vocabulary import PHASES


def pairings(**fields) -> SensorimotorPairingsDataModule:
    return SensorimotorPairingsDataModule(**constructor_arguments(SensorimotorPairingsDataConfig(**fields)))


def model(n_actions: int = 4, seed: int = 0, signalled: bool = False, sounds: int = 0,
          **fields) -> AssociativeSequenceLearning:
    return AssociativeSequenceLearning(n_actions=n_actions, seed=seed, signalled=signalled, sounds=sounds,
                                       **constructor_arguments(AssociativeModelConfig(**fields)))


def train(network: AssociativeSequenceLearning, data: SensorimotorPairingsDataModule) -> None:
    for batch in data.train_dataloader():
        network.learn(batch.seen, batch.done, batch.signal, batch.heard)


def trained(rule: str, seed: int = 0, n_actions: int = 4, **schedule) -> AssociativeSequenceLearning:
    data = pairings(n_actions=n_actions, seed=seed, **schedule)
    network = model(**data.model_kwargs(), rule=rule)
    train(network, data)
    return network


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


@pytest.mark.parametrize("rule", ["hebb", "covariance", "rescorla_wagner"])
def test_with_zero_learning_rate_nothing_changes(rule):
    network = model(rule=rule, learning_rate=0.0)
    before = network.weights.clone()
    train(network, pairings(n_actions=4, n_trials=50, unpaired_fraction=0.5, counter_mirror_trials=20))
    assert torch.equal(network.weights, before)


def test_the_covariance_rule_by_hand_potentiates_together_and_depresses_alone():
    means_x, means_m = torch.tensor([0.25, 0.25, 1.0]), torch.tensor([0.5, 0.25])
    updated = covariance_update(W, SEE_1, DO_1, 0.5, means_x, means_m)
    # (m - mbar) = [0.5, -0.25], (x - xbar) = [0.75, -0.25, 0]
    expected = W + 0.5 * torch.tensor([[0.375, -0.125, 0.0], [-0.1875, 0.0625, 0.0]])
    torch.testing.assert_close(updated, expected)
    seeing_alone = covariance_update(W, SEE_1, torch.zeros(2), 0.5, means_x, means_m)
    assert (seeing_alone[:, 0] < W[:, 0]).all(), "S_1 active without any motor unit depresses S_1's weights"
    doing_alone = covariance_update(W, torch.tensor([0.0, 0.0, 1.0]), DO_1, 0.5, means_x, means_m)
    assert (doing_alone[0, :2] < W[0, :2]).all(), "M_1 active without any sensory unit depresses its inputs"


def test_the_covariance_rule_keeps_running_means_of_both_sides():
    network = model(n_actions=2, rule="covariance", mean_rate=0.5)
    network.learn(torch.tensor([0, 1]), torch.tensor([0, NONE]))
    # x: [1, 0, 1] then [0, 1, 1]; means from 0: 0.5 x1, then 0.5 (prev) + 0.5 x2
    torch.testing.assert_close(network.mean_inputs, torch.tensor([0.25, 0.5, 0.75]))
    torch.testing.assert_close(network.mean_motor, torch.tensor([0.25, 0.0]))


def test_a_learning_rate_that_makes_the_weights_infinite_stops_the_run_naming_the_field():
    """Rescorla-Wagner feeds its weights back into the error, so a step above 2 / |x|^2 grows without bound
    (Hebb renormalises; the covariance rule is linear in its step and stays finite)."""
    with pytest.raises(TrainingDiverged, match="model.learning_rate = 1e[+]06"):
        train(model(rule="rescorla_wagner", learning_rate=1e6), pairings(n_actions=4, n_trials=400))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("rule", ["hebb", "covariance", "rescorla_wagner"])
def test_initial_weights_too_large_to_represent_stop_the_run_at_the_first_batch(rule):
    with pytest.raises(TrainingDiverged, match="after 20 trials.*model.initial_weight = 1e[+]300"):
        train(model(rule=rule, initial_weight=1e300), pairings(n_actions=4, n_trials=40))


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


@pytest.mark.parametrize("rule", ["hebb", "covariance", "rescorla_wagner"])
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


@pytest.mark.parametrize("seed", [0, 1])
def test_a_counter_mirror_phase_as_long_as_development_re_maps_hebb_and_only_weakens_covariance(seed):
    """A3's two references (asl_counter_mirror's design: 400 trials each): row-normalised Hebb changes the sign of
    its selective response, covariance Hebb only lowers it; prediction error (A3's own rule) changes it too."""
    def selective(rule: str, counter_mirror_trials: int) -> float:
        network = trained(rule, seed=seed, counter_mirror_trials=counter_mirror_trials)
        return selective_response(network.sensory_weights.numpy(), noise=0.05)

    developed = {rule: selective(rule, 0) for rule in ("hebb", "covariance", "rescorla_wagner")}
    countered = {rule: selective(rule, 400) for rule in developed}
    assert all(value > 1 for value in developed.values())
    assert countered["hebb"] < 0 and countered["rescorla_wagner"] < 0, "re-mapped: the sign changes"
    assert 0 < countered["covariance"] < developed["covariance"], "weakened, not re-mapped"


def test_seeing_alone_lowers_the_rescorla_wagner_selective_response_where_doing_alone_does_not():
    """A2s's effect-present reference (seeing-alone trials extinguish the link) beside what first looked like one:
    doing-alone trials leave the selective response as high, the context's prediction making the other actions
    inhibitors (see the test below)."""
    def selective(kind: str, fraction: float) -> float:
        network = trained("rescorla_wagner", unpaired_kind=kind, unpaired_fraction=fraction)
        return selective_response(network.sensory_weights.numpy(), noise=0.05)

    assert selective("seeing", 0.8) < 0.8 * selective("seeing", 0.0)
    assert selective("doing", 0.8) > 0.95 * selective("doing", 0.0)


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


def test_selective_response_and_d_prime_by_hand():
    w = np.array([[0.6, 0.1, 0.3],
                  [0.0, 0.3, 0.2],
                  [0.4, 0.0, 0.2]])
    # W_ii - mean_j W_ij: 0.6 - 0.2, 0.3 - 0.1, 0.2 - 0.2
    assert selective_response(w, noise=0.1) == pytest.approx(np.mean([0.4, 0.2, 0.0]) / 0.1)
    assert evoked_response(w, noise=0.1) == pytest.approx(np.mean([0.6, 0.3, 0.2]) / 0.1)
    pooled = np.sqrt(0.1**2 + np.array([0.01, 0.01, 0.04]) / 2)  # population variance of each row's others
    assert d_prime(w, noise=0.1) == pytest.approx(np.mean(np.array([0.4, 0.2, 0.0]) / pooled))


def test_strength_is_not_scale_free_where_the_index_is():
    w = np.eye(4) + 0.05
    assert mirror_index(0.2 * w) == pytest.approx(mirror_index(w))
    assert selective_response(0.2 * w, noise=0.05) == pytest.approx(0.2 * selective_response(w, noise=0.05))
    assert d_prime(0.2 * w, noise=0.05) < d_prime(w, noise=0.05)


def test_the_strength_measures_find_a_planted_association_and_none_in_untrained_or_counter_mirror_weights():
    planted = weight_measures(np.eye(8), noise=0.05)
    assert planted["selective_response"] == pytest.approx(20.0) and planted["d_prime"] == pytest.approx(20.0)
    assert planted["evoked_response"] == pytest.approx(20.0)
    for seed in range(5):
        untrained = model(n_actions=8, seed=seed).sensory_weights.numpy()
        measures = weight_measures(untrained, noise=0.05)
        assert abs(measures["selective_response"]) < 0.2 and abs(measures["d_prime"]) < 0.2
        assert abs(measures["evoked_response"]) < 0.2
    counter = weight_measures(np.roll(np.eye(8), 1, axis=1), noise=0.05)
    assert counter["selective_response"] < -2 and counter["d_prime"] < 0


def test_d_prime_is_what_test_trials_of_the_model_measure():
    """The closed form against the d' of simulated test trials: M_i seeing i against seeing the others."""
    network = trained("rescorla_wagner", n_trials=200, mismatch=0.3, seed=4)
    network.hparams.response_noise = 0.2
    rng = np.random.default_rng(0)
    w = network.sensory_weights.numpy().astype(np.float64)
    same, other = [], []
    for i in range(4):
        responses = w[i][None, :] + 0.2 * rng.standard_normal((20_000, 4))
        same.append(responses[:, i])
        other.append(np.delete(responses, i, axis=1).ravel())
    simulated = np.mean([(s.mean() - o.mean()) / np.sqrt((s.var() + o.var()) / 2) for s, o in zip(same, other)])
    assert d_prime(w, noise=0.2) == pytest.approx(simulated, abs=0.02)


# ------------------------------------------------------------------------------ contingency and its signal

def test_programmed_contingency_by_hand():
    seen = np.array([0, 0, 1, 1, NONE, NONE, 0, 1])
    done = np.array([0, 0, 1, 1, 0, NONE, NONE, 0])
    # action 0: P(do 0 | see 0) = 2/3, P(do 0 | not see 0) = 2/5; action 1: 2/3 - 0/5
    assert programmed_contingency(seen, done, 2) == pytest.approx(np.mean([2 / 3 - 2 / 5, 2 / 3]))
    assert programmed_contingency(np.array([0, 1]), np.array([0, 1]), 2) == 1.0
    assert np.isnan(programmed_contingency(np.full(3, NONE), np.array([0, 1, 0]), 2))


def test_unpaired_trials_of_each_kind_lower_the_programmed_contingency_and_independence_removes_it():
    perfect = pairings(n_trials=400, seed=1).delta_p
    assert perfect == 1.0
    for kind in ("seeing", "doing", "both"):
        values = [pairings(n_trials=400, unpaired_fraction=f, unpaired_kind=kind, seed=1).delta_p for f in (0.2, 0.5, 0.8)]
        assert perfect > values[0] > values[1] > values[2]
    seeing = pairings(n_trials=400, unpaired_fraction=0.8, unpaired_kind="seeing", seed=1).delta_p
    doing = pairings(n_trials=400, unpaired_fraction=0.8, unpaired_kind="doing", seed=1).delta_p
    assert seeing < 0.3 < 0.85 < doing, "seeing alone lowers P(M|S) a lot; doing alone raises P(M|not S) a little"
    independent = pairings(n_trials=4000, mismatch=1.0 - 1.0 / 8, persistence=0.0, seed=1).delta_p
    assert abs(independent) < 0.05


def test_the_cue_is_present_on_exactly_the_unpaired_trials_and_only_when_signalled():
    for kind in ("seeing", "doing", "both"):
        trials = pairings(n_trials=100, unpaired_fraction=0.5, unpaired_kind=kind, counter_mirror_trials=30,
                          signalled=True, seed=5).schedule
        unpaired = ((trials["seen"] == NONE) ^ (trials["done"] == NONE)) & (trials["phase"] == 0)
        np.testing.assert_array_equal(trials["signal"] == 1, unpaired)
        assert unpaired.sum() == unpaired_count(100, 0.5)
    lagged = pairings(n_trials=100, unpaired_fraction=0.5, unpaired_kind="doing", lag=3, signalled=True, seed=5).schedule
    assert (lagged["signal"] == 1).sum() == unpaired_count(100, 0.5), "a lag's unseen paired trials are not signalled"
    quiet = pairings(n_trials=100, unpaired_fraction=0.5, seed=5).schedule
    assert (quiet["signal"] == 0).all()


@pytest.mark.parametrize("rule", ["hebb", "covariance", "rescorla_wagner"])
def test_without_unpaired_trials_a_signalled_run_learns_exactly_as_an_unsignalled_one(rule):
    plain = trained(rule, n_trials=200, seed=3)
    signalled = trained(rule, n_trials=200, seed=3, signalled=True)
    assert signalled.weights.shape[1] == plain.weights.shape[1] + 1
    assert torch.equal(signalled.sensory_weights, plain.sensory_weights)


def test_signalling_doing_alone_trials_restores_the_rescorla_wagner_link_and_not_the_hebbian_one():
    """Cook et al. 2010, Exp. 2: under prediction error, doing alone makes the context predict the action, so
    paired trials leave S_i -> M_i weaker; the cue, present on exactly those trials, takes the context's
    place. Hebb has no error for the cue to absorb: its normalisation weakens the link either way."""
    def link(rule: str, **schedule) -> tuple[float, float]:
        network = trained(rule, n_trials=400, n_actions=2, seed=6, **schedule)
        return evoked_response(network.sensory_weights.numpy(), 1.0), network.weights[:, -1].mean().item()

    degraded = dict(unpaired_fraction=0.8, unpaired_kind="doing")
    (paired, context), (alone, context_alone), (cued, context_cued) = (
        link("rescorla_wagner", **conditions) for conditions in ({}, degraded, {**degraded, "signalled": True}))
    assert alone < 0.8 * paired and context_alone > context + 0.1
    assert cued > alone + 0.5 * (paired - alone) and context_cued < context_alone - 0.1
    hebb_alone, hebb_cued = link("hebb", **degraded)[0], link("hebb", **degraded, signalled=True)[0]
    assert hebb_alone < 0.8 * link("hebb")[0] and hebb_cued <= hebb_alone + 1e-6


def test_rescorla_wagner_keeps_the_selective_response_to_doing_alone_by_making_other_actions_inhibitors():
    """The measured finding behind docs/models/associative.md 5.2's strength measure: the context's gain on M_i is cancelled
    by S_j -> M_i turning negative, so W_ii - W_ij, what a test of seeing i against seeing j reads, stays."""
    plain = trained("rescorla_wagner", n_trials=400, n_actions=2, seed=6).sensory_weights.numpy()
    degraded = trained("rescorla_wagner", n_trials=400, n_actions=2, seed=6, unpaired_fraction=0.8,
                       unpaired_kind="doing").sensory_weights.numpy()
    off = ~np.eye(2, dtype=bool)
    assert np.diag(degraded).mean() < 0.8 * np.diag(plain).mean()
    assert degraded[off].mean() < plain[off].mean() - 0.1
    assert selective_response(degraded, 0.05) == pytest.approx(selective_response(plain, 0.05), rel=0.1)


def test_the_indirect_route_through_a_sound_per_rule_against_a_sound_shared_by_all_actions():
    """Doing i and seeing i never together, the action's sound heard with each: seeing i then drives M_i through
    S_i -> A_i -> M_i under Hebb and covariance Hebb, by far more than with one sound for all actions (which carries
    nothing about the action); the direct S -> M link learns nothing selective under either Hebb rule. Under
    Rescorla-Wagner seeing with the sound and no movement makes S_i a conditioned inhibitor of M_i (its direct link
    falls below zero), which cancels most of the route."""
    from mirror.analysis.associative.measures import selective_response

    def route(rule: str, sound: str) -> tuple[float, float]:
        network = trained(rule, sound=sound, n_actions=8)
        direct = network.weights[:, :8].numpy()
        return selective_response(network.sensory_weights.numpy(), 0.05), selective_response(direct, 0.05)

    for rule in ("hebb", "covariance"):
        (own, own_direct), (shared, _) = route(rule, "per_action"), route(rule, "shared")
        assert own > 5 and abs(shared) < 1 and abs(own_direct) < 1
    (own, own_direct), (shared, _) = route("rescorla_wagner", "per_action"), route("rescorla_wagner", "shared")
    assert own_direct < -3 and shared < own < 2


def test_a_sound_splits_development_into_doing_or_seeing_alone_with_the_sound_heard():
    schedule = pairings(n_actions=4, sound="per_action", seed=1).schedule
    development = schedule["phase"] == 0
    seen, done, heard = (schedule[k][development] for k in ("seen", "done", "heard"))
    assert ((seen == NONE) != (done == NONE)).all(), "never both, never neither"
    assert (heard == np.where(seen == NONE, done, seen)).all()
    assert 0.4 < np.mean(seen == NONE) < 0.6
    shared = pairings(n_actions=4, sound="shared", seed=1).schedule
    assert (shared["heard"][development] == 0).all() and (shared["seen"] == schedule["seen"]).all()
    assert (pairings(n_actions=4, seed=1).schedule["heard"] == NONE).all()
