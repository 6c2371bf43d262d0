"""What experimentalists measure (docs/measures.md 3.2), each on planted effects that must be found and absent
effects that must not: congruent selectivity, rotated r, the joint embedding."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mirror.analysis.congruence import (
    between_action_sum_of_squares,
    congruent_selectivity,
    preferred_agreement,
)
from mirror.analysis.geometry import joint_silhouettes
from mirror.analysis.metrics import pearson_per_unit
from mirror.analysis.rotation import random_rotation, rotated_r

N_SAMPLES, N_ACTIONS = 400, 4


def _labels(rng):
    return rng.integers(0, N_ACTIONS, N_SAMPLES)


def test_the_selectivity_statistic_is_the_one_way_f_tests_between_groups_sum_of_squares():
    rng = np.random.default_rng(0)
    activity, labels = rng.normal(size=(N_SAMPLES, 5)), _labels(rng)
    between = between_action_sum_of_squares(activity, labels[None], N_ACTIONS)[0]
    total = ((activity - activity.mean(axis=0)) ** 2).sum(axis=0)
    f = (between / (N_ACTIONS - 1)) / ((total - between) / (N_SAMPLES - N_ACTIONS))
    expected = [stats.f_oneway(*(activity[labels == k, u] for k in range(N_ACTIONS))).statistic for u in range(5)]
    np.testing.assert_allclose(f, expected, rtol=1e-10)


def test_congruence_finds_planted_units_and_no_unit_in_noise():
    rng = np.random.default_rng(1)
    perform_labels, observe_labels = _labels(rng), _labels(rng)
    perform, observe = rng.normal(size=(N_SAMPLES, 6)), rng.normal(size=(N_SAMPLES, 6))
    perform[:, 0] += 2.0 * (perform_labels == 2)  # unit 0: action 2 in both modes
    observe[:, 0] += 2.0 * (observe_labels == 2)
    perform[:, 1] += 2.0 * (perform_labels == 1)  # unit 1: action 1 performed, action 3 observed
    observe[:, 1] += 2.0 * (observe_labels == 3)
    perform[:, 2] += 2.0 * (perform_labels == 0)  # unit 2: selective when performing only
    result = congruent_selectivity(perform, observe, perform_labels, observe_labels, N_ACTIONS, 500, 0.05, "bh", rng)
    assert result.selective_perform.tolist() == [True, True, True, False, False, False]
    assert result.selective_observe.tolist() == [True, True, False, False, False, False]
    assert result.strictly_congruent.tolist() == [True, False, False, False, False, False]
    assert (result.preferred_perform[0], result.preferred_observe[0]) == (2, 2)
    assert not result.broadly_congruent[2:].any()


def test_broad_congruence_takes_a_preferred_action_among_the_other_modes_above_median_ones():
    rng = np.random.default_rng(2)
    perform_labels, observe_labels = _labels(rng), _labels(rng)
    perform, observe = rng.normal(size=(N_SAMPLES, 2)), rng.normal(size=(N_SAMPLES, 2))
    perform[:, 0] += 3.0 * (perform_labels == 1) + 1.5 * (perform_labels == 2)  # prefers 1, then 2
    observe[:, 0] += 3.0 * (observe_labels == 2) + 1.5 * (observe_labels == 1)  # prefers 2, then 1
    perform[:, 1] += 3.0 * (perform_labels == 1) - 3.0 * (perform_labels == 3)  # prefers 1, 3 is its least
    observe[:, 1] += 3.0 * (observe_labels == 3) - 3.0 * (observe_labels == 1)  # prefers 3, 1 is its least
    result = congruent_selectivity(perform, observe, perform_labels, observe_labels, N_ACTIONS, 300, 0.05, "bh", rng)
    assert result.broadly_congruent.tolist() == [True, False]
    assert not result.strictly_congruent.any()


def test_a_random_rotation_is_orthogonal():
    q = random_rotation(7, np.random.default_rng(0))
    np.testing.assert_allclose(q @ q.T, np.eye(7), atol=1e-12)


def test_a_shared_population_code_survives_rotation_and_a_few_mirror_units_do_not():
    rng = np.random.default_rng(3)
    perform = rng.normal(size=(N_SAMPLES, 20))
    shared = perform + 0.2 * rng.normal(size=perform.shape)  # the same vectors in both modes
    few = rng.normal(size=perform.shape)
    few[:, :3] = perform[:, :3] + 0.2 * rng.normal(size=(N_SAMPLES, 3))  # units 0-2 mirror, the rest do not
    assert (rotated_r(perform, shared, 10, rng) > 0.75).mean() == 1.0
    assert (pearson_per_unit(perform, few) > 0.75).sum() == 3
    assert (rotated_r(perform, few, 10, rng) > 0.75).mean() < 0.02


def test_the_joint_embedding_tells_a_shared_action_code_from_one_along_other_directions():
    rng = np.random.default_rng(4)
    labels = _labels(rng)
    centres = 3.0 * rng.normal(size=(N_ACTIONS, 2))
    perform = 0.3 * rng.normal(size=(N_SAMPLES, 10))
    perform[:, :2] += centres[labels]
    mirror_rich = perform + 0.1 * rng.normal(size=perform.shape)  # the same code in the same units
    mirror_free = 0.3 * rng.normal(size=(N_SAMPLES, 10))
    mirror_free[:, 5:7] += 0.5 * centres[labels]  # the actions, weaker, in other units
    rich = joint_silhouettes(perform, mirror_rich, labels, labels, 400, 0)
    free = joint_silhouettes(perform, mirror_free, labels, labels, 400, 0)
    assert rich["observe"] == pytest.approx(rich["perform"], abs=0.05) and rich["observe"] > 0.5
    assert free["perform"] > 0.5 > 0.1 > free["observe"]


def test_preferred_action_agreement_and_its_chance_level_by_hand_and_on_planted_populations():
    """Hand-computed: preferences (0, 0, 1, 1) against (0, 1, 1, 1) agree in 3 of 4, chance 1/2 * 1/4 + 1/2 * 3/4.
    Planted: the draft's mirror units agree far above chance; units carrying another unit's code sit at it."""
    from mirror.analysis.summary import analyse
    from mirror.config import AnalysisConfig
    from mirror.config.planted import PlantedPopulationConfig
    from mirror.data.planted import Population, plant

    assert preferred_agreement(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])) == (0.75, 0.5)
    assert np.isnan(preferred_agreement(np.array([], int), np.array([], int))).all()
    shares = {}
    for name, fields in {"chance": {}, "draft": {"mirror_fraction": 0.28, "anti_mirror_fraction": 0.1,
                                                 "others": "untuned"}}.items():
        defaults = PlantedPopulationConfig()
        population = Population(**{key: fields.get(key, getattr(defaults, key)) for key in Population.__dataclass_fields__})
        labels = np.random.default_rng(1).integers(0, N_ACTIONS, (100, 12))
        activity = plant(population, labels, labels, N_ACTIONS, np.random.default_rng(1))
        settings = AnalysisConfig(n_permutations=50, cka_permutations=5, silhouette_samples=100, rotations=1)
        metrics = analyse(activity, settings).metrics
        shares[name] = (metrics["analysis/congruence/preferred_agreement"],
                        metrics["analysis/congruence/preferred_agreement_chance"])
    assert abs(shares["chance"][0] - shares["chance"][1]) < 0.12
    assert shares["draft"][0] == pytest.approx(27 / 37, abs=0.03) and shares["draft"][1] < 0.4, \
        "27 mirror units agree, 10 anti-mirror units prefer the action they least prefer in perform"



def _subspace(perform_means, observe_means, seed=0):
    from mirror.analysis.subspace import subspace_measures

    return {k.split("/")[-1]: v for k, v in subspace_measures(perform_means, observe_means, 5, 200,
                                                              np.random.default_rng(seed)).items()}


def test_the_alignment_index_is_one_in_a_shared_subspace_near_zero_in_an_orthogonal_one_and_by_hand():
    """Condition-by-bin means living in one 5-D subspace in both contexts align (1, above the unit-shuffle null);
    means in orthogonal subspaces do not (near 0, below it); and the index is trace(V'CV) / top-k eigenvalues."""
    from mirror.analysis.subspace import alignment_index, principal_axes

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(40, 10)))[0]  # two orthogonal 5-D subspaces of 40 units
    shared = rng.normal(size=(4, 12, 5)) @ basis[:, :5].T
    other = rng.normal(size=(4, 12, 5)) @ basis[:, :5].T
    orthogonal = rng.normal(size=(4, 12, 5)) @ basis[:, 5:].T
    aligned, apart = _subspace(shared, other), _subspace(shared, orthogonal)
    assert aligned["alignment_observe_in_perform"] == pytest.approx(1.0, abs=1e-6)
    assert aligned["alignment_observe_in_perform_p"] < 0.01 and aligned["alignment_perform_in_observe_p"] < 0.01
    assert apart["alignment_observe_in_perform"] < 0.05 and apart["alignment_observe_in_perform_p"] > 0.9
    x, y = rng.normal(size=(30, 8)), rng.normal(size=(30, 8))
    axes = principal_axes(x, 3)
    c = np.cov(y, rowvar=False)
    assert alignment_index(axes, c) == pytest.approx(np.trace(axes.T @ c @ axes) / np.sort(np.linalg.eigvalsh(c))[-3:].sum())


def test_the_population_correlation_finds_responses_shared_across_contexts_and_not_unrelated_ones():
    rng = np.random.default_rng(1)
    responses = rng.normal(size=(4, 1, 30)).repeat(6, axis=1)  # (conditions, bins, units)
    same = _subspace(responses, responses + 0.1 * rng.normal(size=responses.shape))
    unrelated = _subspace(responses, rng.normal(size=(4, 1, 30)).repeat(6, axis=1))
    assert same["population_correlation"] > 0.9 and same["population_correlation_p"] < 0.01
    assert abs(unrelated["population_correlation"]) < 0.3 and unrelated["population_correlation_p"] > 0.01


def test_signed_modulation_finds_planted_classes_in_each_context_and_nothing_at_baseline():
    """Model trials, each against its first step: ten units rise in both contexts (a baseline pooled over the two
    contexts could never find them facilitated in both), ten rise in execution and fall in observation (Kraskov's
    suppressed class), the rest stay at their first step: each found as planted, nothing else."""
    from mirror.analysis.modulation import modulation
    from mirror.protocol import ContextTrials

    rng = np.random.default_rng(2)
    perform, observe = rng.normal(size=(2, 100, 12, 40))
    perform[:, 1:, :20] += 1.0
    observe[:, 1:, :10] += 1.0
    observe[:, 1:, 10:20] -= 1.0
    labels = np.zeros((100, 12), int)
    measures = {k.split("/")[-1]: v for k, v in
                modulation(ContextTrials(perform, labels, observe, labels, 1), "bh", 0.05).items()}
    assert measures["perform_facilitated"] == 0.5 and measures["perform_suppressed"] == 0.0
    assert measures["observe_facilitated"] == 0.25 and measures["observe_suppressed"] == 0.25
    assert measures["observe_suppressed_of_perform_facilitated"] == 0.5
    flat = rng.normal(size=(100, 12, 40))
    alike = {k.split("/")[-1]: v for k, v in
             modulation(ContextTrials(flat, labels, flat, labels, 1), "bh", 0.05).items()}
    assert alike["perform_facilitated"] == alike["observe_suppressed"] == 0.0
    assert np.isnan(alike["observe_suppressed_of_perform_facilitated"])
    assert modulation(ContextTrials(flat[:, :1], labels[:, :1], flat[:, :1], labels[:, :1], 1), "bh", 0.05) == {}
