"""The Hebb-trained mirror layer, fed a visual code that carries the expression.

This isolates the mirror layer and the interaction from the vision module: with visual
input that separates happy from sad, perfect mimicry must develop mirror neurons,
counter-mirror pairing must turn them into anti-mirror neurons, and normal pairing must
repair them (docs/models/associative.md section 5).
"""

from __future__ import annotations

import numpy as np
import torch

from mirror.analysis.hebbian.selectivity import classify_mirror_neurons
from mirror.config import MirrorLayerConfig
from mirror.data.face_interaction import infant_expressions
from mirror.models.hebbian_face import MirrorLayer

N_VISUAL, POOL = 200, 10


def _planted_world(seed: int = 0):
    """A visual code that separates happy from sad (10 % of 200 inputs each, plus noise) and binary motor pools."""
    rng = np.random.default_rng(seed)
    noise = torch.Generator().manual_seed(seed)
    codes = torch.from_numpy((rng.random((2, N_VISUAL)) < 0.1).astype(np.float32))

    def visual(expressions):
        return (codes[expressions] + 0.3 * torch.rand(len(expressions), N_VISUAL, generator=noise)).clamp(0, 1)

    def motor(expressions):
        return (torch.arange(2 * POOL) // POOL == expressions[:, None]).float()

    return rng, visual, motor


def _counts(layer, visual, motor, rng, response: str) -> dict[str, float]:
    """Mirror-layer classes from 30 trials per test condition, scored on the drive or on the rates."""
    respond = layer.drive if response == "drive" else layer
    expressions = torch.arange(2).repeat_interleave(30)
    seen = respond(visual(expressions), torch.zeros(60, 2 * POOL)).numpy()
    done = respond(torch.zeros(60, N_VISUAL), motor(expressions)).numpy()
    conditions = {"visual_happy": seen[:30], "visual_sad": seen[30:], "motor_happy": done[:30], "motor_sad": done[30:]}
    return classify_mirror_neurons(conditions, 0.05, 0.05, 300, rng).counts()


def _live(layer, visual, motor, infant, parent_rule) -> None:
    for start in range(0, len(infant), 10):
        shown = infant[start : start + 10]
        seen, done = visual(parent_rule(shown)), motor(shown)
        layer.learn(seen, done, layer(seen, done))


def test_nearly_every_neuron_becomes_a_mirror_neuron_and_counter_mirror_training_remaps_them():
    """At the default, settling learning rate (a winner moves 5 % of the way per batch), over 2,000 steps a phase."""
    rng, visual, motor = _planted_world()
    layer = MirrorLayer(N_VISUAL, 2 * POOL, MirrorLayerConfig(), rng)
    infant = torch.from_numpy(infant_expressions(rng, 2000, 0.1))
    before = _counts(layer, visual, motor, rng, "drive")
    assert before["n_mirror"] < 80 and before["n_anti_mirror"] > 0, "random weights: mirror and anti-mirror by chance"
    _live(layer, visual, motor, infant, lambda shown: shown)
    developed = _counts(layer, visual, motor, rng, "drive")
    assert developed["n_mirror"] >= 95 and developed["n_anti_mirror"] == 0
    _live(layer, visual, motor, infant, lambda shown: 1 - shown)
    countered = _counts(layer, visual, motor, rng, "drive")
    assert countered["n_anti_mirror"] > 50 and countered["n_mirror"] < 50
    _live(layer, visual, motor, infant, lambda shown: shown)
    repaired = _counts(layer, visual, motor, rng, "drive")
    assert repaired["n_mirror"] > 50 and repaired["n_anti_mirror"] < 50


def test_scoring_rates_under_a_per_trial_quota_caps_the_count_at_twice_the_sparseness():
    """The structural ceiling of the old test: s N winners per single-modality trial, so at most
    2 s N selective neurons, whatever was learnt."""
    rng, visual, motor = _planted_world()
    config = MirrorLayerConfig(competition="quantile", sparseness=0.1)
    layer = MirrorLayer(N_VISUAL, 2 * POOL, config, rng)
    _live(layer, visual, motor, torch.from_numpy(infant_expressions(rng, 1000, 0.1)), lambda shown: shown)
    rates = _counts(layer, visual, motor, rng, "rate")
    assert 10 <= rates["n_mirror"] <= 20 and rates["n_anti_mirror"] == 0


def test_a_planted_layer_holds_the_pairs_it_was_shown_and_is_re_mapped_by_a_hundred_of_them():
    """The planted references of the Hebbian rows (model.mirror.wiring): co-occurring pairs make every neuron a
    mirror neuron where the visual code tells the expressions apart, a hundred counter-mirror steps make every one
    anti-mirror, and pairs drawn independently leave the balance near zero."""
    rng, visual, motor = _planted_world()
    layer = MirrorLayer(N_VISUAL, 2 * POOL, MirrorLayerConfig(), rng)
    infant = torch.from_numpy(infant_expressions(rng, 300, 0.1))
    for start in range(0, 300, 10):
        shown = infant[start : start + 10]
        layer.memorise(visual(shown), motor(shown))
    assert int(layer.wins.sum()) == 300 and (layer.wins == 3).all(), "each neuron in turn"
    assert _counts(layer, visual, motor, rng, "drive")["mirror_balance"] == 1.0
    for start in range(0, 100, 10):
        shown = infant[start : start + 10]
        layer.memorise(visual(1 - shown), motor(shown))
    assert _counts(layer, visual, motor, rng, "drive")["mirror_balance"] == -1.0
    at_random = torch.from_numpy(rng.integers(0, 2, 300))
    for start in range(0, 300, 10):
        layer.memorise(visual(infant[start : start + 10]), motor(at_random[start : start + 10]))
    counts = _counts(layer, visual, motor, rng, "drive")
    assert abs(counts["mirror_balance"]) < 0.3 and counts["n_mirror"] < 65


def test_the_networks_planted_wirings_pair_each_face_with_the_infants_expression_or_with_a_random_one():
    """Through the network's own learning step: 'co_occurring' copies the infant's expression beside each face seen,
    'independent' an expression drawn at random, so about half its neurons disagree with the infant's."""
    from mirror.config import VisionConfig
    from mirror.models.hebbian_face import HebbianFaceNetwork

    vision = VisionConfig(wavelengths=[2.0], sheet_size=4, fan_in=[10, 5, 5, 5], fan_in_radius=[3.0, 3.0, 3.0, 3.0])
    infant = torch.from_numpy(np.random.default_rng(1).integers(0, 2, 100))
    disagree = {}
    for wiring in ("co_occurring", "independent"):
        network = HebbianFaceNetwork(16, 0, vision, MirrorLayerConfig(sheet_size=10, wiring=wiring), POOL, 0.0)
        network.interaction_rates = torch.rand(100, 16)
        for start in range(0, 100, 10):
            steps = torch.arange(start, start + 10)
            network._learn(network.mirror, steps, infant[steps], torch.Generator().manual_seed(start))
        motor = network.mirror.weights[:, 16:]  # neuron k holds step k: its motor half is one expression's pool
        held = (motor[:, POOL:].sum(dim=1) > motor[:, :POOL].sum(dim=1)).long()
        disagree[wiring] = int((held != infant).sum())
    assert disagree["co_occurring"] == 0
    assert 30 <= disagree["independent"] <= 70
