"""The GRUs' controls (docs/models/predictive-gru.md 2.2, docs/measures.md 3.2): lesions silence exactly the units they name, performing in
the dark withholds exactly the state input, and the lesion test finds a planted effect and no absent one."""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

from mirror.analysis.lesions import lesion_sets, lesion_test
from mirror.models.gru_variants import SeparateCoreGRU, SharedCoreGRU
from mirror.models.predictive_gru import run_core
from tests.conftest import action_sequences, gru


def _test_batch():
    datamodule = action_sequences(n_train=32, n_val=8, n_test=24, seed=3)
    datamodule.setup()
    return next(iter(datamodule.test_dataloader())), datamodule


def test_a_core_with_nothing_silenced_is_the_core_and_a_silenced_unit_stays_silent():
    torch.manual_seed(0)
    core = torch.nn.GRU(6, 6, batch_first=True)
    inputs = torch.randn(5, 9, 6)
    torch.testing.assert_close(run_core(core, inputs, torch.ones(5, 6)), core(inputs)[0])
    keep = torch.ones(5, 6)
    keep[:, 2] = 0.0
    lesioned = run_core(core, inputs, keep)
    assert (lesioned[:, :, 2] == 0).all()
    assert not torch.allclose(lesioned[:, 1:, 3], core(inputs)[0][:, 1:, 3]), "the others read a silent unit"


def stepped(core: torch.nn.GRU, inputs: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """The lesion as first written: ``nn.GRU`` itself, one step at a time, on every copy's own inputs."""
    state, states = inputs.new_zeros(1, len(inputs), core.hidden_size), []
    for step in range(inputs.shape[1]):
        _, state = core(inputs[:, step : step + 1], state)
        state = state * keep
        states.append(state[0])
    return torch.stack(states, dim=1)


@pytest.mark.parametrize("hidden", [6, 96, 512])  # 512: a product over two blocks, where a bias's place shows
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(("sequences", "n_copies"), [(7, 3), (44, 1), (64, 16), (88, 5)])  # few rows; the test set's
def test_lesioned_copies_are_bit_for_bit_the_gru_stepped_over_repeated_inputs(hidden, threads, sequences, n_copies):
    torch.manual_seed(hidden)
    core = torch.nn.GRU(hidden, hidden, batch_first=True)
    inputs = torch.randn(sequences, 12, hidden)
    keep = (torch.rand(n_copies * sequences, hidden) > 0.2).float()
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            assert torch.equal(run_core(core, inputs, keep), stepped(core, inputs.repeat(n_copies, 1, 1), keep))
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("model_class", [SharedCoreGRU, SeparateCoreGRU])
def test_each_lesion_of_a_batch_of_lesions_is_that_lesion_alone(model_class):
    pl.seed_everything(0, verbose=False)
    model = gru(model_class, hidden_size=8).eval()
    batch, _ = _test_batch()
    silenced = torch.from_numpy(lesion_sets(np.linspace(0, 1, 8), 3, 4, np.random.default_rng(0)))
    together = model.lesioned_performance(batch, silenced)
    alone = [model.lesioned_performance(batch, row[None]) for row in silenced]
    assert torch.equal(together[0], torch.cat([accuracy for accuracy, _ in alone]))
    assert torch.equal(together[1], torch.cat([loss for _, loss in alone]))


@pytest.mark.parametrize("model_class", [SharedCoreGRU, SeparateCoreGRU])
def test_the_intact_network_scores_as_its_own_forward_pass(model_class):
    pl.seed_everything(0, verbose=False)
    model = gru(model_class, hidden_size=8).eval()
    batch, _ = _test_batch()
    accuracy, loss = model.lesioned_performance(batch, torch.zeros(2, 8, dtype=torch.bool))
    perform_hidden, observe_hidden = model(batch.perform_actions, batch.perform_sensations, batch.observe_sensations)
    expected_accuracy = (model.observe_head(observe_hidden).argmax(-1) == batch.observe_actions).float().mean()
    expected_loss = ((model.perform_head(perform_hidden) - batch.perform_sensations) ** 2).mean()
    torch.testing.assert_close(accuracy, expected_accuracy.repeat(2))
    torch.testing.assert_close(loss, expected_loss.repeat(2))
    silenced = torch.zeros(1, 8, dtype=torch.bool)
    silenced[0, :4] = True
    assert model.lesioned_performance(batch, silenced)[1] != expected_loss


def test_lesion_sets_name_the_most_mirror_like_units_then_random_ones_of_the_same_size():
    r = np.array([0.1, 0.9, np.nan, 0.5, 0.7, -0.2])
    sets = lesion_sets(r, 2, 50, np.random.default_rng(0))
    assert sets.shape == (51, 6) and sets[0].tolist() == [False, True, False, False, True, False]
    assert (sets.sum(axis=1) == 2).all() and len({row.tobytes() for row in sets[1:]}) > 5


def test_the_lesion_test_finds_a_planted_cost_and_not_an_absent_one():
    random_costs = np.random.default_rng(0).normal(0.0, 0.01, 200)
    assert lesion_test(0.1, random_costs) == pytest.approx(1 / 201)
    assert 0.3 < lesion_test(0.0, random_costs) < 0.7


def test_in_the_dark_the_textbook_model_performs_as_with_the_action_alone():
    pl.seed_everything(0, verbose=False)
    textbook = gru(SharedCoreGRU, hidden_size=8, perform_input="action_and_previous_state")
    action_only = gru(SharedCoreGRU, hidden_size=8)
    action_only.load_state_dict(textbook.state_dict())
    _, datamodule = _test_batch()
    dark = textbook.mirror_activity(datamodule.test_dataloader(), in_the_dark=True)
    lit = textbook.mirror_activity(datamodule.test_dataloader())
    np.testing.assert_array_equal(dark.perform, action_only.mirror_activity(datamodule.test_dataloader()).perform)
    np.testing.assert_array_equal(dark.observe, lit.observe)
    assert not np.allclose(dark.perform, lit.perform)


@pytest.mark.parametrize("fractions", [[], [0.25]])
def test_a_preset_with_no_lesion_sizes_runs_no_lesion_test(tmp_path, fractions):
    from types import SimpleNamespace

    from mirror.analysis.gru.callback import GRUControlsCallback
    from mirror.config import GRUAnalysisConfig

    pl.seed_everything(0, verbose=False)
    _, datamodule = _test_batch()
    controls = GRUControlsCallback(GRUAnalysisConfig(lesion_fractions=fractions, lesion_draws=5), tmp_path)
    GRUAnalysisConfig(lesion_fractions=fractions).validate()
    controls.on_fit_end(SimpleNamespace(datamodule=datamodule, loggers=[], global_step=0), gru(SharedCoreGRU, hidden_size=8))
    lesions = sorted(name for name in controls.logged if name.startswith("lesion/"))
    assert len(lesions) == 3 * 2 * len(fractions), lesions  # mirror, random and p for both costs, per size
