"""The infant-parent interaction: simulations 1-3 and counter-mirror training."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.data.face_interaction import infant_expressions, parent_expressions
from mirror.vocabulary import PHASES
from tests.conftest import face_interaction


def interaction(**settings):
    return face_interaction(**({"image_size": 24, "parent_transforms": 5} | settings)).interaction


def test_perfect_mimicry():
    steps = interaction(n_steps=500)
    np.testing.assert_array_equal(steps["parent"], steps["infant"])


def test_infant_switches_at_the_configured_rate():
    infant = infant_expressions(np.random.default_rng(0), 20000, 0.1)
    assert np.mean(infant[1:] != infant[:-1]) == pytest.approx(0.1, abs=0.01)


@pytest.mark.parametrize("mismatch", [0.1, 0.4])
def test_imperfect_mimicry_flips_the_configured_fraction(mismatch):
    steps = interaction(n_steps=5000, mismatch=mismatch)
    assert np.mean(steps["parent"] != steps["infant"]) == pytest.approx(mismatch, abs=0.02)


def test_lag_shows_the_infants_past_expression():
    steps = interaction(n_steps=400, lag=7)
    np.testing.assert_array_equal(steps["parent"][7:], steps["infant"][:-7])


def test_counter_mirror_then_repair():
    steps = interaction(n_steps=100, counter_mirror_steps=50, repair_steps=30)
    phase = steps["phase"]
    assert [int((phase == k).sum()) for k in range(3)] == [100, 50, 30]
    counter = phase == PHASES.index("counter_mirror")
    np.testing.assert_array_equal(steps["parent"][counter], 1 - steps["infant"][counter])
    np.testing.assert_array_equal(steps["parent"][~counter], steps["infant"][~counter])


def test_development_is_the_same_whatever_follows_it():
    alone = interaction(n_steps=300, mismatch=0.2)
    followed = interaction(n_steps=300, mismatch=0.2, counter_mirror_steps=100, repair_steps=50)
    for key, steps in alone.items():
        np.testing.assert_array_equal(followed[key][:300], steps, err_msg=key)


def test_parent_faces_match_the_expression_shown():
    steps = interaction(n_steps=300)
    np.testing.assert_array_equal(steps["face_index"] // 5, steps["parent"])


def test_parent_expressions_combine_lag_and_mismatch_rules():
    infant = np.array([0, 0, 1, 1, 0])
    parent = parent_expressions(np.random.default_rng(0), infant, np.zeros(5, int), mismatch=0.0, lag=1)
    np.testing.assert_array_equal(parent, [0, 0, 0, 1, 1])


def test_the_shuffled_pairing_control_sees_the_parent_independent_of_the_infant():
    data = face_interaction(image_size=24, parent_transforms=5, n_steps=20000)
    steps, shuffled = data.interaction, data.shuffled_pairing
    np.testing.assert_array_equal(shuffled.infant.numpy(), steps["infant"])
    parent = shuffled.parent.numpy()
    assert abs((parent == steps["infant"]).mean() - 0.5) < 0.03, "sight and action uncorrelated"
    assert abs((np.diff(parent) != 0).mean() - 0.1) < 0.01, "the parent switches as the infant does"
    np.testing.assert_array_equal(shuffled.face_index.numpy() // 5, parent)


def test_pretraining_can_sweep_each_face_through_a_grid_of_positions():
    data = face_interaction(image_size=32, pretrain_order="sweep", sequence_length=9, max_shift=0.1,
                            pretrain_identities=2, pretrain_transforms=1, pixel_noise=0.0, scale_range=0.0)
    sequences = data.pretraining_sequences.numpy()
    assert sequences.shape == (2 * 2, 9, 32, 32)
    # Within a sweep the same face moves: its total intensity stays, its centre of mass follows the grid.
    totals = sequences[0].reshape(9, -1).sum(axis=1)
    np.testing.assert_allclose(totals, totals[0], rtol=0.05)
    x = (sequences[0].sum(axis=1) * np.arange(32)).sum(axis=1) / sequences[0].sum(axis=(1, 2))
    np.testing.assert_allclose(np.diff(x[:3]), 3.2, atol=0.4)  # 0.1 of 32 px per step, left to right


def test_the_posters_parent_is_two_images_only_their_noise_fresh():
    poster = face_interaction(image_size=24, parent_transforms=5, test_trials=4, pixel_noise=0.0)
    for bank in poster.parent_faces:
        happy, sad = bank[: len(bank) // 2], bank[len(bank) // 2 :]
        assert (happy == happy[0]).all() and (sad == sad[0]).all() and not (happy[0] == sad[0]).all()
    noisy = face_interaction(image_size=24, parent_transforms=5, test_trials=4, pixel_noise=0.05).parent_faces[1]
    assert len({face.numpy().tobytes() for face in noisy}) == len(noisy), "each presentation its own noise"
    transforms = face_interaction(image_size=24, parent_transforms=5, test_trials=4, pixel_noise=0.0,
                                  parent_views="transforms").parent_faces[1]
    assert len({face.numpy().tobytes() for face in transforms}) == len(transforms), "each its own scale"


@pytest.mark.parametrize("order", ["identity_morph", "expression_morph"])
def test_pretraining_morphs_run_in_even_steps_from_one_face_to_the_next(order):
    data = face_interaction(image_size=32, pretrain_order=order, sequence_length=5, pretrain_identities=3,
                            pretrain_transforms=1, pixel_noise=0.0, scale_range=0.0)
    sequences = data.pretraining_sequences.numpy()
    assert sequences.shape == (2 * 3, 5, 32, 32)
    steps = np.abs(np.diff(sequences[0], axis=0)).sum(axis=(1, 2))
    assert (steps > 0).all(), "every frame moves"
    assert np.abs(sequences[0, -1] - sequences[0, 0]).sum() > steps.max(), "small steps, a long way"
    # Sequence 3 starts from the same face as sequence 0 with the other expression: held (identity morph), or the
    # morph run backwards from where sequence 0 ends (expression morph).
    assert not np.array_equal(sequences[3, 0], sequences[0, 0])
    if order == "expression_morph":
        np.testing.assert_array_equal(sequences[0, -1], sequences[3, 0])


def test_the_parent_reference_pretrains_on_the_parents_two_images():
    data = face_interaction(image_size=24, pretrain_order="parent", pretrain_identities=4, pretrain_transforms=2,
                            sequence_length=4, pixel_noise=0.0)
    frames = data.pretraining_sequences.flatten(0, 1)
    happy, sad = (bank[0] for bank in (data.parent_faces[0][:1], data.parent_faces[0][-1:]))
    assert all((frame == happy).all() or (frame == sad).all() for frame in frames)
    assert data.pretraining_sequences.shape[0] == 2 * 4 * 2 // 4
