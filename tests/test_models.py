"""The GRU models of docs/models/predictive-gru.md section 2."""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

from mirror.data.action_sequences import ActionSequenceDataModule
from mirror.models.gru_variants import (
    ForwardOnlyGRU,
    SeparateCoreGRU,
    SharedCoreGRU,
    ShuffledLabelGRU,
    derangement,
)
from tests.conftest import action_sequences, gru


def tiny_model(seed: int = 0, hidden_size: int = 16) -> SharedCoreGRU:
    pl.seed_everything(seed, verbose=False)
    return gru(SharedCoreGRU, hidden_size=hidden_size)


def tiny_data(**overrides) -> ActionSequenceDataModule:
    datamodule = action_sequences(**(dict(n_train=256, n_val=32, n_test=48, seed=1) | overrides))
    datamodule.setup()
    return datamodule


def test_hidden_activity_has_one_state_per_step_and_unit():
    model = tiny_model()
    actions = torch.randint(0, 4, (5, 12))
    sensations = torch.randn(5, 12, 16)
    perform_hidden, observe_hidden = model(actions, sensations, sensations)
    assert perform_hidden.shape == observe_hidden.shape == (5, 12, 16)


def test_one_batched_core_pass_equals_two_separate_passes():
    model = tiny_model()
    actions = torch.randint(0, 4, (6, 12))
    sensations = torch.randn(6, 12, 16)
    perform_hidden, observe_hidden = model(actions, sensations, sensations)
    alone_perform, _ = model.core(model.action_embedding(actions))
    alone_observe, _ = model.core(model.sensory_projection(sensations))
    torch.testing.assert_close(perform_hidden, alone_perform)
    torch.testing.assert_close(observe_hidden, alone_observe)


def test_both_losses_decrease_on_a_tiny_problem():
    model = tiny_model()
    batch = next(iter(tiny_data(batch_size=64).train_dataloader()))
    optimiser = model.configure_optimizers()

    def losses() -> tuple[torch.Tensor, torch.Tensor]:
        named, _ = model.losses(batch, lambda actions: actions)
        return named["forward_loss"], named["inverse_loss"]

    forward_before, inverse_before = (loss.item() for loss in losses())
    for _ in range(150):
        optimiser.zero_grad()
        model.objective(model.losses(batch, lambda actions: actions)[0]).backward()
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


def test_separate_cores_do_not_share_units():
    pl.seed_everything(0, verbose=False)
    model = gru(SeparateCoreGRU, hidden_size=8)
    actions, sensations = torch.randint(0, 4, (3, 12)), torch.randn(3, 12, 16)
    perform_before, observe_before = model(actions, sensations, sensations)
    with torch.no_grad():
        for weight in model.observe_core.parameters():
            weight.add_(1.0)
    perform_after, observe_after = model(actions, sensations, sensations)
    torch.testing.assert_close(perform_after, perform_before)
    assert not torch.allclose(observe_after, observe_before)


def test_forward_only_never_trains_the_observe_path():
    pl.seed_everything(0, verbose=False)
    model = gru(ForwardOnlyGRU, hidden_size=8)
    observe_path = [model.observe_head.weight, model.sensory_projection.weight]
    before = [p.detach().clone() for p in [*observe_path, model.perform_head.weight]]
    optimiser = model.configure_optimizers()
    for batch in tiny_data(batch_size=16).train_dataloader():
        optimiser.zero_grad()
        model.objective(model.losses(batch, lambda actions: actions)[0]).backward()
        optimiser.step()
    for parameter, initial in zip(observe_path, before):
        torch.testing.assert_close(parameter, initial, rtol=0, atol=0)
    assert not torch.equal(model.perform_head.weight, before[2])


def test_shuffled_labels_come_from_other_examples_and_change_every_step():
    pl.seed_everything(0, verbose=False)
    model = gru(ShuffledLabelGRU, hidden_size=8)
    actions = torch.arange(40).reshape(20, 2)  # one distinct sequence per example
    first, second = model.inverse_targets(actions), model.inverse_targets(actions)
    assert not (first == actions).all(dim=1).any(), "no example keeps its own labels"
    assert sorted(first[:, 0].tolist()) == actions[:, 0].tolist(), "labels are re-assigned, not invented"
    assert not torch.equal(first, second)


def test_derangement_has_no_fixed_point():
    for n in (2, 3, 10, 64):
        permutation = derangement(n)
        assert sorted(permutation.tolist()) == list(range(n))
        assert (permutation != torch.arange(n)).all()


def test_under_the_pairing_error_each_stream_keeps_its_own_labels():
    datamodule = tiny_data(pairing="independent", pair_test=False)  # an unpaired test, to tell the labels apart
    activity = tiny_model().mirror_activity(datamodule.test_dataloader())
    perform, observe = datamodule.split_episodes("test")
    np.testing.assert_array_equal(activity.perform_labels, perform.actions)
    np.testing.assert_array_equal(activity.observe_labels, observe.actions)
    assert (activity.perform_labels != activity.observe_labels).mean() > 0.5


# ----------------------------------------------------------------- readout and perform input (docs/models/predictive-gru.md 2.1)

def _head_gradients(model, batch) -> dict[str, torch.Tensor]:
    model.zero_grad()
    model.objective(model.losses(batch, lambda actions: actions)[0]).backward()
    names = ("perform_head", "observe_head", "perform_head_on_observe", "observe_head_on_perform")
    heads = {name: getattr(model, name).weight for name in names if hasattr(model, name)}
    return {name: torch.zeros_like(w) if w.grad is None else w.grad.clone() for name, w in heads.items()}


def _two_batches_differing_in_one_stream(stream: int):
    """Two batches whose only difference is the perform actions (0) or the observe sensations (3)."""
    generator = torch.Generator().manual_seed(0)
    batch = [torch.randint(0, 4, (8, 12), generator=generator), torch.randn(8, 12, 16, generator=generator),
             torch.randint(0, 4, (8, 12), generator=generator), torch.randn(8, 12, 16, generator=generator)]
    changed = list(batch)
    changed[stream] = (torch.randint(0, 4, (8, 12), generator=generator) if stream == 0
                       else torch.randn(8, 12, 16, generator=generator))
    return tuple(batch), tuple(changed)


@pytest.mark.parametrize("model_class", [SharedCoreGRU, SeparateCoreGRU, ShuffledLabelGRU])
@pytest.mark.parametrize(("readout", "reads_perform"), [("own", False), ("observe_on_perform", True),
                                                        ("perform_on_observe", False), ("both", True)])
def test_the_observe_head_learns_from_perform_mode_states_only_when_the_readout_says(model_class, readout,
                                                                                    reads_perform):
    batch, other_perform_actions = _two_batches_differing_in_one_stream(0)
    pl.seed_everything(0, verbose=False)
    model = gru(model_class, hidden_size=8, readout=readout)
    model.inverse_targets = lambda actions: actions  # the same labels in both passes
    first, second = _head_gradients(model, batch), _head_gradients(model, other_perform_actions)
    assert torch.equal(first["observe_head"], second["observe_head"]) is not reads_perform


@pytest.mark.parametrize("model_class", [SharedCoreGRU, SeparateCoreGRU, ForwardOnlyGRU])
@pytest.mark.parametrize(("readout", "reads_observe"), [("own", False), ("observe_on_perform", False),
                                                        ("perform_on_observe", True), ("both", True)])
def test_the_perform_head_learns_from_observe_mode_states_only_when_the_readout_says(model_class, readout,
                                                                                    reads_observe):
    batch, other_observe_sensations = _two_batches_differing_in_one_stream(3)
    pl.seed_everything(0, verbose=False)
    model = gru(model_class, hidden_size=8, readout=readout)
    first, second = _head_gradients(model, batch), _head_gradients(model, other_observe_sensations)
    assert torch.equal(first["perform_head"], second["perform_head"]) is not reads_observe


@pytest.mark.parametrize("readout", ["own", "observe_on_perform", "perform_on_observe", "both"])
def test_forward_only_trains_no_inverse_loss_under_any_readout(readout):
    batch, _ = _two_batches_differing_in_one_stream(0)
    pl.seed_everything(0, verbose=False)
    model = gru(ForwardOnlyGRU, hidden_size=8, readout=readout)
    gradients = _head_gradients(model, batch)
    assert not gradients["observe_head"].any(), "the observe head is never trained"
    losses, _ = model.losses(batch, lambda actions: actions)
    forward = sum(v for k, v in losses.items() if k.startswith("forward"))
    torch.testing.assert_close(model.objective(losses), forward)


@pytest.mark.parametrize("model_class", [SharedCoreGRU, SeparateCoreGRU])
def test_untied_heads_read_the_other_mode_through_weights_of_their_own(model_class):
    for stream, own, untied in ((0, "observe_head", "observe_head_on_perform"),
                                (3, "perform_head", "perform_head_on_observe")):
        batch, changed = _two_batches_differing_in_one_stream(stream)
        pl.seed_everything(0, verbose=False)
        model = gru(model_class, hidden_size=8, readout="both", heads="untied")
        model.inverse_targets = lambda actions: actions
        first, second = _head_gradients(model, batch), _head_gradients(model, changed)
        assert torch.equal(first[own], second[own]), f"{own} must not learn from the other mode"
        assert not torch.equal(first[untied], second[untied]), f"{untied} learns from the other mode"


@pytest.mark.parametrize("heads", ["untied", "untied_copy"])
def test_untied_heads_leave_the_cores_as_with_tied_heads(heads):
    pl.seed_everything(0, verbose=False)
    tied = gru(SharedCoreGRU, hidden_size=8, readout="both")
    pl.seed_everything(0, verbose=False)
    untied = gru(SharedCoreGRU, hidden_size=8, readout="both", heads=heads)
    for name, value in tied.state_dict().items():
        torch.testing.assert_close(untied.state_dict()[name], value, rtol=0, atol=0)
    assert untied.observe_head_on_perform.weight is not untied.observe_head.weight
    is_copy = torch.equal(untied.observe_head_on_perform.weight, untied.observe_head.weight)
    assert is_copy == (heads == "untied_copy")
    only_one = gru(SharedCoreGRU, hidden_size=8, readout="observe_on_perform", heads=heads)
    assert hasattr(only_one, "observe_head_on_perform") and not hasattr(only_one, "perform_head_on_observe")


def test_an_untied_head_is_initialised_as_nn_linear_initialises_and_is_seeded_by_the_run():
    pl.seed_everything(3, verbose=False)
    first = gru(SharedCoreGRU, hidden_size=64, readout="both", heads="untied").perform_head_on_observe.weight
    pl.seed_everything(3, verbose=False)
    again = gru(SharedCoreGRU, hidden_size=64, readout="both", heads="untied").perform_head_on_observe.weight
    torch.testing.assert_close(first, again, rtol=0, atol=0)
    bound = 1 / 64**0.5
    assert first.abs().max() <= bound and first.abs().max() > 0.9 * bound
    assert abs(first.std().item() - bound / 3**0.5) < 0.1 * bound  # the standard deviation of U(-b, b)


def test_shuffled_labels_are_redrawn_for_every_inverse_loss():
    batch, _ = _two_batches_differing_in_one_stream(0)
    pl.seed_everything(0, verbose=False)
    model = gru(ShuffledLabelGRU, hidden_size=8, readout="both")
    relabelled = []
    model.losses(batch, lambda actions: relabelled.append(model.inverse_targets(actions)) or relabelled[-1])
    assert len(relabelled) == 2, "the observe-mode and the perform-mode inverse loss"
    for labels, true in zip(relabelled, (batch[2], batch[0])):
        assert not (labels == true).all(dim=1).any()


def test_the_textbook_forward_model_reads_the_previous_state_through_the_chosen_projection():
    actions, sensations = torch.randint(0, 4, (3, 12)), torch.randn(3, 12, 16)
    for projection in ("shared", "own"):
        pl.seed_everything(0, verbose=False)
        model = gru(SharedCoreGRU, hidden_size=8, perform_input="action_and_previous_state",
                    state_projection=projection)
        inputs = model.perform_input(actions, sensations)
        matrix = model.sensory_projection if projection == "shared" else model.own_state_projection
        torch.testing.assert_close(inputs[:, 0], model.action_embedding(actions[:, 0]) + matrix.bias)
        torch.testing.assert_close(inputs[:, 5], model.action_embedding(actions[:, 5]) + matrix(sensations[:, 4]))
    stated = gru(SharedCoreGRU, hidden_size=8)
    assert not hasattr(stated, "own_state_projection")
    assert torch.equal(stated.perform_input(actions, sensations), stated.action_embedding(actions))


class _StepLogger(pl.loggers.Logger):
    """Keeps every (step, metrics) a trainer hands its logger."""

    name, version = "steps", 0

    def __init__(self) -> None:
        super().__init__()
        self.logged: list[tuple[int, dict[str, float]]] = []

    def log_metrics(self, metrics, step=None):
        self.logged.append((step, dict(metrics)))

    def log_hyperparams(self, params, *args, **kwargs):
        pass


class _LoggedAtEveryStep(SharedCoreGRU):
    """Lightning's own epoch means: every loss handed to ``self.log`` at every step."""

    def _log_losses(self, stage, batch, batch_idx, losses, **extra):
        from mirror.vocabulary import training_metric

        loss = self.objective(losses)
        self.log_dict({training_metric(stage, name): value for name, value in {"loss": loss, **losses, **extra}.items()},
                      on_step=False, on_epoch=True, prog_bar=stage == "val")
        return loss


@pytest.mark.parametrize("limit_train_batches", [1.0, 3])
def test_epoch_means_are_lightnings_own_to_the_last_bit(limit_train_batches):
    """The losses, summed over an epoch and logged once, are the numbers Lightning logs when
    they are logged at every step (an uneven last batch, a sanity check and a limit included)."""
    def logged(model_class):
        pl.seed_everything(0, verbose=False)
        model = gru(model_class, hidden_size=8, readout="both")
        logger = _StepLogger()
        trainer = pl.Trainer(max_epochs=2, logger=logger, accelerator="cpu", enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False,
                             limit_train_batches=limit_train_batches, log_every_n_steps=1)
        trainer.fit(model, datamodule=action_sequences(n_train=150, n_val=70, n_test=10, batch_size=32))
        return logger.logged

    once, every_step = logged(SharedCoreGRU), logged(_LoggedAtEveryStep)
    assert [step for step, _ in once] == [step for step, _ in every_step] and len(once) == 4
    assert once == every_step  # exact float equality, every metric, every epoch
    names = {name for _, metrics in once for name in metrics}
    assert {"train/loss", "train/inverse_loss_on_perform", "val/forward_loss_on_observe", "val/observe_accuracy"} <= names
