"""The same-unit null of docs/measures.md 3.1: planted same-unit mirrors are found, a permuted shared code is not."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.analysis.same_unit import same_unit_test
from mirror.analysis.summary import analyse
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity


def test_per_unit_p_and_the_population_statistic_by_hand():
    c = np.array([[0.9, 0.1, 0.95],
                  [0.2, 0.5, 0.0],
                  [0.3, 0.6, 0.4]])
    result = same_unit_test(c, n_permutations=50, rng=np.random.default_rng(0))
    # unit 0: row {0.1, 0.95} has one >= 0.9, column {0.2, 0.3} none -> (1 + 1) / 5
    # unit 1: row {0.2, 0.0} none, column {0.1, 0.6} one -> 2 / 5
    # unit 2: row {0.3, 0.6} one, column {0.95, 0.0} one -> 3 / 5
    np.testing.assert_allclose(result.p, [2 / 5, 2 / 5, 3 / 5])
    off_diagonal = (c.sum() - np.trace(c)) / 6
    assert result.statistic == pytest.approx(np.trace(c) / 3 - off_diagonal)
    assert result.null.shape == (50,)


def test_the_null_of_the_population_statistic_is_every_relabelling_of_the_observe_units():
    rng = np.random.default_rng(1)
    c = rng.uniform(-1, 1, (3, 3))
    result = same_unit_test(c, n_permutations=600, rng=np.random.default_rng(2))
    off = lambda trace: trace / 3 - (c.sum() - trace) / 6  # noqa: E731
    from itertools import permutations

    possible = {round(off(sum(c[u, p[u]] for u in range(3))), 12) for p in permutations(range(3))}
    assert {round(v, 12) for v in result.null} == possible


def _activity(perform: np.ndarray, observe: np.ndarray) -> MirrorActivity:
    n, t, _ = perform.shape
    labels = np.zeros((n, t), dtype=int)
    labels[: n // 2] = 1
    return MirrorActivity(perform=perform, observe=observe, perform_labels=labels, observe_labels=labels,
                          trial_ids=np.arange(n), n_classes=2)


SETTINGS = AnalysisConfig(n_permutations=200, cka_permutations=20, silhouette_samples=100, top_units=3)


def _code(seed: int, n: int = 60, t: int = 6, units: int = 20) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, t, units))


def test_planted_same_unit_mirrors_are_found():
    code = _code(0)
    noise = np.random.default_rng(1).normal(size=code.shape)
    result = analyse(_activity(code, code + 0.5 * noise), SETTINGS)
    assert result.metrics["analysis/same_unit/n_significant"] == 20
    assert result.metrics["analysis/same_unit/p_value"] < 0.01
    assert result.metrics["analysis/same_unit/statistic"] > 0.5
    assert (result.units["q_same_unit"] <= 0.05).all()


def test_a_shared_code_in_permuted_units_is_no_same_unit_mirror():
    code = _code(0)
    noise = np.random.default_rng(1).normal(size=code.shape)
    shuffled = code[..., np.random.default_rng(2).permutation(20)]
    result = analyse(_activity(code, shuffled + 0.5 * noise), SETTINGS)
    assert result.metrics["analysis/cka/value"] > 0.5, "the code itself is shared"
    assert result.metrics["analysis/same_unit/n_significant"] <= 1
    assert result.metrics["analysis/same_unit/p_value"] > 0.05


def test_an_absent_effect_is_not_found():
    result = analyse(_activity(_code(0), _code(1)), SETTINGS)
    assert result.metrics["analysis/same_unit/n_significant"] == 0


def test_the_population_statistic_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        same_unit_test(np.zeros((2, 3)), 10, np.random.default_rng(0))


def test_the_draft_s_sequence_null_calls_units_that_code_only_the_action_significant_and_the_same_unit_null_does_not():
    """D12's planted test: units that code only the current action, each observe unit another unit's perform code (no
    unit mirrors), over matched sequences. Re-pairing the sequences breaks the shared action, so the draft's test
    (pairing shuffled, FDR) calls most of them significant; relabelling the units, the same-unit null, calls none."""
    rng = np.random.default_rng(3)
    n, t, units, actions = 60, 6, 20, 4
    labels = rng.integers(0, actions, (n, t))
    tuning = rng.normal(size=(actions, units))
    perform = tuning[labels] + 0.3 * rng.normal(size=(n, t, units))
    observe = tuning[labels][..., rng.permutation(units)] + 0.3 * rng.normal(size=(n, t, units))
    activity = MirrorActivity(perform=perform, observe=observe, perform_labels=labels, observe_labels=labels,
                              trial_ids=np.arange(n), n_classes=actions)
    metrics = analyse(activity, SETTINGS).metrics
    assert metrics["analysis/sequence_null/n_significant_positive"] >= 5
    assert metrics["analysis/same_unit/n_significant"] == 0
