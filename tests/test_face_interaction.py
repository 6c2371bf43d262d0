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
