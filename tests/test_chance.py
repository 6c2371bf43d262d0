"""The chance reference of the per-unit r statistics: the same network's units paired at random across modes.
With K = 4 actions, units that code only the current action give r > 0.75 in about one pair in eight,
|r| > 0.6 in two in five and r < -0.6 in one in five (r between two random tunings is uniform on [-1, 1] when
K = 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mirror.analysis.summary import analyse, chance_reference
from mirror.claims.spec import read_claims
from mirror.claims.verdict import HOLDS
from mirror.claims.verdicts import judge, settle
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity
from mirror.vocabulary import FRACTION_ABS, FRACTION_ANTI_MIRROR, FRACTION_MIRROR, MAX_R, chance_metric, r_metric

SETTINGS = AnalysisConfig(n_permutations=20, cka_permutations=5, silhouette_samples=100, top_units=3, max_lag=2,
                          rotations=2)


def _action_coded(seed: int, units: int = 400, trials: int = 200, steps: int = 6, permuted: bool = False):
    """Units tuned only to the current action (K = 4), the same tuning in both modes, or with the observe units'
    order permuted (the same code in other units: no unit mirrors itself)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, (trials, steps))
    tuning = rng.normal(size=(4, units))
    perform = tuning[labels] + 0.05 * rng.normal(size=(trials, steps, units))
    observe = tuning[labels] + 0.05 * rng.normal(size=(trials, steps, units))
    if permuted:
        observe = observe[..., rng.permutation(units)]
    return MirrorActivity(perform=perform, observe=observe, perform_labels=labels, observe_labels=labels,
                          trial_ids=np.arange(trials), n_classes=4)


def test_the_chance_level_of_action_coded_units_at_four_actions_is_what_uniform_r_gives():
    metrics = analyse(_action_coded(0), SETTINGS).metrics
    assert metrics[chance_metric(FRACTION_MIRROR)] == pytest.approx(0.125, abs=0.02)
    assert metrics[chance_metric(FRACTION_ABS)] == pytest.approx(0.40, abs=0.03)
    assert metrics[chance_metric(FRACTION_ANTI_MIRROR)] == pytest.approx(0.20, abs=0.02)  # r < -0.6
    assert metrics[r_metric("centred", FRACTION_MIRROR)] > 0.99, "planted mirrors: nearly every unit above chance"
    assert metrics[chance_metric(MAX_R)] > 0.95, "400 units paired at random: some pair is near 1 by chance"


def test_a_code_in_other_units_sits_at_its_chance_level():
    metrics = analyse(_action_coded(1, permuted=True), SETTINGS).metrics
    assert metrics[r_metric("centred", FRACTION_MIRROR)] == pytest.approx(metrics[chance_metric(FRACTION_MIRROR)],
                                                                         abs=0.04)


def test_the_chance_reference_is_the_off_diagonal_by_hand():
    correlations = np.array([[1.0, 0.8, -0.9], [0.1, 0.9, 0.7], [0.76, -0.2, 1.0]])
    chance = chance_reference(correlations, AnalysisConfig())
    assert chance[chance_metric(FRACTION_MIRROR)] == pytest.approx(2 / 6)  # 0.8 and 0.76 of the six others
    assert chance[chance_metric(FRACTION_ABS)] == pytest.approx(4 / 6)  # 0.8, -0.9, 0.7, 0.76
    assert chance[chance_metric(FRACTION_ANTI_MIRROR)] == pytest.approx(1 / 6)
    # Three units have two re-pairings without a fixed point: (1, 2, 0) and (2, 0, 1).
    maxima = [max(0.8, 0.7, 0.76), max(-0.9, 0.1, -0.2)]
    assert min(maxima) < chance[chance_metric(MAX_R)] < max(maxima), "the mean over both"
    assert chance_reference(np.ones((1, 1)), AnalysisConfig()) == {}



def _planted(seed: int, prevalence: float, sign: float = 1.0) -> dict[str, float]:
    """One seed's analysis of 60 action-coded units of which ``prevalence`` mirror themselves (``sign`` -1: are
    anti-mirror, their observe code the negative of their perform code); the others' observe codes are re-paired
    among themselves (the same code in other units)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, (80, 6))
    tuning = rng.normal(size=(4, 60))
    perform = tuning[labels] + 0.05 * rng.normal(size=(80, 6, 60))
    observe = tuning[labels] + 0.05 * rng.normal(size=(80, 6, 60))
    mirrors = int(round(prevalence * 60))
    order = np.concatenate([np.arange(mirrors), mirrors + np.roll(np.arange(60 - mirrors), 1)])  # no fixed point
    observe[..., :mirrors] *= sign
    activity = MirrorActivity(perform=perform, observe=observe[..., order], perform_labels=labels,
                              observe_labels=labels, trial_ids=np.arange(80), n_classes=4)
    return analyse(activity, SETTINGS).metrics


@pytest.mark.parametrize("claim_id", ["D1 (above chance)", "D2 (above chance)", "D3 (above chance)",
                                      "D4 (beyond chance)"])
def test_the_above_chance_claims_hold_on_planted_mirrors_and_not_on_the_same_code_in_other_units(claim_id):
    """Calibration of the project's own rows, on their planned seeds: mirror units at the draft's prevalence
    (27 %; anti-mirror units for D4) must hold, the same code with no unit mirroring itself must not."""
    (claim,) = [c for c in read_claims() if c.id == claim_id]
    sign = -1.0 if claim_id.startswith("D4") else 1.0
    for prevalence, expected_to_hold in ((0.27, True), (0.0, False)):
        rows = pd.DataFrame([{"model": "shared_gru", "seed": seed, "run_id": f"{seed}",
                              **{f"metrics.{k}": v for k, v in _planted(seed, prevalence, sign).items()}}
                             for seed in claim.seeds])
        (verdict,) = settle([judge(claim, rows)])
        assert (verdict.verdict == HOLDS) == expected_to_hold, (prevalence, verdict.verdict, verdict.measured)


def test_every_run_logs_its_specification_grid_consistent_with_its_headline_counts():
    from mirror.analysis.summary import specification_grid
    from mirror.vocabulary import (
        SAME_UNIT_SIGNIFICANT,
        SEQUENCE_NULL_POSITIVE,
        significance_metric,
        specification_metric,
    )

    metrics = analyse(_action_coded(2, units=60, trials=80), SETTINGS).metrics
    assert metrics[specification_metric("centred", FRACTION_ABS, 0.6)] == metrics[r_metric("centred", FRACTION_ABS)]
    assert metrics[specification_metric("chance", FRACTION_ABS, 0.6)] == metrics[chance_metric(FRACTION_ABS)]
    assert metrics[significance_metric("same_unit", "bh")] == metrics[SAME_UNIT_SIGNIFICANT]
    assert metrics[significance_metric("sequence", "bh")] == metrics[SEQUENCE_NULL_POSITIVE]
    # By hand: r of 0.55, 0.65 and -0.95 on the diagonal; the six others off it.
    correlations = np.array([[0.55, 0.8, -0.9], [0.1, 0.65, 0.7], [0.76, -0.2, -0.95]])
    grid = specification_grid({"centred": np.diag(correlations), "raw": np.diag(correlations)}, correlations,
                              {"sequence": np.array([0.001, 0.04, 0.5])}, AnalysisConfig())
    assert grid[specification_metric("centred", FRACTION_MIRROR, 0.5)] == pytest.approx(2 / 3)
    assert grid[specification_metric("centred", FRACTION_ABS, 0.9)] == pytest.approx(1 / 3)
    assert grid[specification_metric("chance", FRACTION_MIRROR, 0.7)] == pytest.approx(2 / 6)  # 0.8 and 0.76
    assert grid[significance_metric("sequence", "bh")] == 1  # q = 0.003, 0.06, 0.5
