"""The GRU models of SCIENCE.md section 2."""

from __future__ import annotations

import numpy as np
import pytorch_lightning as pl
import torch

from mirror.data.action_sequences import ActionSequenceDataModule
from mirror.models.gru_variants import SharedCoreGRU


def tiny_model(seed: int = 0, hidden_size: int = 16) -> SharedCoreGRU:
    pl.seed_everything(seed, verbose=False)
    return SharedCoreGRU(n_actions=4, sensory_dim=16, hidden_size=hidden_size)


def tiny_data(**overrides) -> ActionSequenceDataModule:
    datamodule = ActionSequenceDataModule(**(dict(n_train=256, n_val=32, n_test=48, seed=1) | overrides))
    datamodule.setup()
    return datamodule


def test_hidden_activity_has_one_state_per_step_and_unit():
    model = tiny_model()
    actions = torch.randint(0, 4, (5, 12))
    sensations = torch.randn(5, 12, 16)
    perform_hidden, observe_hidden = model(actions, sensations)
    assert perform_hidden.shape == observe_hidden.shape == (5, 12, 16)


def test_one_batched_core_pass_equals_two_separate_passes():
    model = tiny_model()
    actions = torch.randint(0, 4, (6, 12))
    sensations = torch.randn(6, 12, 16)
    perform_hidden, observe_hidden = model(actions, sensations)
    alone_perform, _ = model.core(model.action_embedding(actions))
    alone_observe, _ = model.core(model.sensory_projection(sensations))
    torch.testing.assert_close(perform_hidden, alone_perform)
    torch.testing.assert_close(observe_hidden, alone_observe)


def test_both_losses_decrease_on_a_tiny_problem():
    model = tiny_model()
    batch = next(iter(tiny_data(batch_size=64).train_dataloader()))
    optimiser = model.configure_optimizers()

    def losses() -> tuple[torch.Tensor, torch.Tensor]:
        forward, inverse, _ = model.losses(batch, inverse_targets=batch[2])
        return forward, inverse

    forward_before, inverse_before = (loss.item() for loss in losses())
    for _ in range(150):
        optimiser.zero_grad()
        model.objective(*losses()).backward()
        optimiser.step()
    forward_after, inverse_after = (loss.item() for loss in losses())
    assert forward_after < 0.7 * forward_before
    assert inverse_after < 0.7 * inverse_before


def test_mirror_activity_follows_the_protocol():
    datamodule = tiny_data()
    model = tiny_model()
    model.train()
    activity = model.mirror_activity(datamodule.test_dataloader())
    assert model.training, "collecting activity must not leave the model in eval mode"
    assert activity.perform.shape == activity.observe.shape == (48, 12, 16)
    perform, _ = datamodule.split_episodes("test")
    np.testing.assert_array_equal(activity.perform_labels, perform.actions)
    np.testing.assert_array_equal(activity.observe_labels, perform.actions)
    np.testing.assert_array_equal(activity.trial_ids, np.arange(48))


def test_same_seed_gives_identical_weights_and_activity():
    datamodule = tiny_data()
    first, second = tiny_model(seed=4), tiny_model(seed=4)
    a = first.mirror_activity(datamodule.test_dataloader())
    b = second.mirror_activity(datamodule.test_dataloader())
    np.testing.assert_array_equal(a.perform, b.perform)
    assert not np.array_equal(a.perform, tiny_model(seed=5).mirror_activity(datamodule.test_dataloader()).perform)
