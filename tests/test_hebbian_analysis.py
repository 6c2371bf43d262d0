"""Mirror classification and information measures on planted responses."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

from mirror.analysis.hebbian.information import (
    confusion_information,
    multiple_cell_information,
    single_cell_information,
)
from mirror.analysis.hebbian.selectivity import classify_mirror_neurons


def planted_conditions(rng, trials=30):
    """Neurons 0-4 mirror (prefer happy in both), 5-9 anti-mirror, 10-14 visual only, 15-29 noise."""
    base = 0.3 + 0.05 * rng.standard_normal((4, trials, 30))
    visual_happy, visual_sad, motor_happy, motor_sad = base
    visual_happy[:, :15] += 0.4
    motor_happy[:, :5] += 0.4
    motor_sad[:, 5:10] += 0.4
    return {"visual_happy": visual_happy, "visual_sad": visual_sad, "motor_happy": motor_happy, "motor_sad": motor_sad}


def test_classification_finds_the_planted_neurons():
    result = classify_mirror_neurons(planted_conditions(np.random.default_rng(0)), alpha=0.05, min_difference=0.05,
                                     n_permutations=500, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(np.flatnonzero(result.mirror), np.arange(5))
    np.testing.assert_array_equal(np.flatnonzero(result.anti_mirror), np.arange(5, 10))
    assert result.counts()["n_visual_selective"] == 15 and result.counts()["n_motor_selective"] == 10


def test_a_significant_but_tiny_difference_is_not_selective():
    conditions = planted_conditions(np.random.default_rng(2), trials=200)
    shrunk = {k: 0.3 + (v - 0.3) * 0.05 for k, v in conditions.items()}  # differences of 0.02
    result = classify_mirror_neurons(shrunk, alpha=0.05, min_difference=0.05, n_permutations=200,
                                     rng=np.random.default_rng(3))
    assert result.counts()["n_mirror"] == 0 and (result.visual.q[:15] <= 0.05).all()


def test_single_cell_information_of_a_perfect_and_a_useless_cell():
    rng = np.random.default_rng(4)
    stimuli = np.repeat([0, 1], 50)
    responses = np.stack([stimuli.astype(float), rng.random(100)], axis=1)
    information = single_cell_information(responses, stimuli)
    assert information[0] == pytest.approx(1.0)  # log2 of 2 equiprobable stimuli
    assert information[1] < 0.15


def test_confusion_information_matches_sklearn():
    rng = np.random.default_rng(5)
    true = rng.integers(0, 3, 300)
    predicted = np.where(rng.random(300) < 0.7, true, rng.integers(0, 3, 300))
    assert confusion_information(true, predicted) == pytest.approx(mutual_info_score(true, predicted) / np.log(2))


def test_multiple_cell_information_grows_with_informative_cells():
    rng = np.random.default_rng(6)
    stimuli = np.repeat([0, 1], 100)
    responses = rng.random((200, 40))
    responses[:, :10] += 0.3 * stimuli[:, None]
    train = rng.random(200) < 0.5
    bits = multiple_cell_information(responses[train], stimuli[train], responses[~train], stimuli[~train], (1, 10))
    assert bits[10] > bits[1] and bits[10] > 0.5


def test_a_neuron_left_out_of_the_count_is_never_selective():
    rng = np.random.default_rng(0)
    happy, sad = rng.normal(1.0, 0.05, (20, 3)), rng.normal(0.0, 0.05, (20, 3))
    conditions = {"visual_happy": happy, "visual_sad": sad, "motor_happy": happy, "motor_sad": sad}
    classes = classify_mirror_neurons(conditions, 0.05, 0.05, 200, rng)
    assert classes.counts()["n_mirror"] == 3
    counted = classes.among(np.array([True, False, True]))
    assert counted.counts()["n_mirror"] == 2 and not counted.mirror[1]


def test_distinct_neurons_counts_each_prototype_once_whatever_its_length():
    from mirror.analysis.hebbian.selectivity import distinct_neurons

    prototypes = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    copies = np.vstack([prototypes[[0, 1, 1, 0]] * np.array([[1.0], [2.0], [0.5], [3.0]]), [[0.0, 0.0, 1.0]]])
    assert distinct_neurons(copies) == 3
    assert distinct_neurons(np.random.default_rng(0).random((20, 50))) == 20


def test_visnets_criterion_counts_cells_planted_to_carry_the_parents_expression_and_none_of_noise():
    from mirror.analysis.hebbian.vision import measure_vision
    from mirror.vocabulary.hebbian import INFORMATIVE_CELLS_PARENT, vision_metric
    from tests.conftest import face_interaction

    data = face_interaction(image_size=24, parent_transforms=6, test_trials=40, test_identities=4,
                            pretrain_transforms=2)
    rng = np.random.default_rng(0)

    def rates_of(images, planted: int):
        """Noise for every cell; the first ``planted`` cells fire for the happy half of a set, not the sad."""
        rates = rng.random((len(images), 30))
        rates[:, :planted] = (np.arange(len(images)) < len(images) // 2)[:, None]
        return rates

    for planted in (0, 5):
        measured = measure_vision(lambda images: rates_of(images, planted), data, "trained", information_threshold=0.5)
        assert measured[vision_metric("trained", INFORMATIVE_CELLS_PARENT)] == planted


def test_a_settled_count_is_the_mean_over_the_last_quarter_of_training_by_hand():
    from mirror.analysis.training_curves import TrainingCurveCallback
    from mirror.vocabulary.hebbian import hebbian_metric

    curve = TrainingCurveCallback(eval_every=100, metric=hebbian_metric, phase_metric="hebbian/curve/phase")
    assert curve.settled() == {}, "nothing seen, nothing settled"
    flicker = [100.0, 50.0, 100.0, 50.0, 100.0, 50.0, 100.0, 50.0]  # a bistable state, one draw per 100 steps
    curve.curve = [{"step": 100.0 * (k + 1), "phase": 0.0, "n_mirror": n} for k, n in enumerate(flicker)]
    curve.steps_seen = 800
    # The last quarter is steps 600 < step <= 800: the points at 700 and 800 (100 and 50), not the last one alone.
    assert curve.settled() == {hebbian_metric("n_mirror", "settled"): 75.0}


def test_steps_to_reversal_and_to_repair_are_counted_from_each_phase_s_start_and_censored_when_never_reached():
    import numpy as np

    from mirror.analysis.training_curves import TrainingCurveCallback
    from mirror.vocabulary.hebbian import hebbian_metric

    curve = TrainingCurveCallback(eval_every=100, metric=hebbian_metric, phase_metric="hebbian/curve/phase")
    phases = np.repeat([0, 1, 2], [400, 300, 300])
    balance = {100: 0.2, 200: 0.5, 300: 0.8, 400: 0.8, 500: 0.3, 600: -0.6, 700: -0.9, 800: -0.2, 900: 0.7, 1000: 0.8}
    curve.curve = [{"step": float(step), "phase": float(phases[step - 1]), "balance": value}
                   for step, value in balance.items()]
    # Counter-mirror training starts after step 400 and first reads below -0.5 at 600; repair starts after 700 and
    # first reads above +0.5 at 900.
    assert curve.steps_to_sign(phases, "balance") == {hebbian_metric("steps_to_reversal"): 200.0,
                                                      hebbian_metric("steps_to_repair"): 200.0}
    never = [{**point, "balance": abs(point["balance"])} for point in curve.curve]
    curve.curve = never
    assert curve.steps_to_sign(phases, "balance") == {hebbian_metric("steps_to_repair"): 200.0}, \
        "a reversal never reached logs nothing (censored), and repair is read from its own phase's start (0.7 at 900)"
    # A layer at chance: its balance wanders around zero, crossing it, and is never timed.
    curve.curve = [{**point, "balance": 0.2 * (-1) ** k} for k, point in enumerate(never)]
    assert curve.steps_to_sign(phases, "balance") == {}
    assert curve.steps_to_sign(np.zeros(1000, dtype=int), "balance") == {}, "no counter-mirror phase, nothing"