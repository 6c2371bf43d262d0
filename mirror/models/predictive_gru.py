"""The predictive GRU of docs/models/predictive-gru.md section 2, shared by every GRU variant.

Perform mode: the core reads the embedded actions (or, as a textbook forward model, the
action plus the projected previous state) and the perform head predicts the sensations s_t
(forward model, MSE). Observe mode: the core reads the projected sensations and the observe
head classifies a_t (inverse model, cross-entropy). ``readout`` may make a head read the
other mode's states too (docs/models/predictive-gru.md 2.1). Variants differ only in :meth:`core_states` (which
core reads which stream) and in :meth:`objective` / :meth:`inverse_targets` (which losses
train them).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mirror.config.gru import (
    ACTION_AND_PREVIOUS_STATE,
    BOTH_MODES,
    OBSERVE_ON_PERFORM,
    OWN_PROJECTION,
    PERFORM_ON_OBSERVE,
    TIED,
    UNTIED_COPY,
)
from mirror.data.action_sequences import SequenceBatch
from mirror.models import TrainingDiverged
from mirror.protocol import MirrorActivity
from mirror.vocabulary import training_metric
from mirror.vocabulary.gru import (
    FORWARD_LOSS,
    FORWARD_LOSS_ON_OBSERVE,
    FORWARD_LOSSES,
    INVERSE_LOSS,
    INVERSE_LOSS_ON_PERFORM,
    INVERSE_LOSSES,
    OBSERVE_ACCURACY,
)

Relabel = Callable[[Tensor], Tensor]
"""Action labels (B, T) -> the labels an inverse loss is trained on."""


class PredictiveGRU(pl.LightningModule):
    """Forward + inverse sensorimotor model; subclasses choose cores and losses."""

    def __init__(
        self,
        n_actions: int,
        sensory_dim: int,
        hidden_size: int,
        forward_weight: float,
        inverse_weight: float,
        lr: float,
        readout: str,
        heads: str,
        perform_input: str,
        state_projection: str,
        divergence_factor: float,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.action_embedding = nn.Embedding(n_actions, hidden_size)
        self.sensory_projection = nn.Linear(sensory_dim, hidden_size)
        self.perform_head = nn.Linear(hidden_size, sensory_dim)
        self.observe_head = nn.Linear(hidden_size, n_actions)
        self._first_loss: float | None = None
        self._epoch_means: dict[str, EpochMeans] = {}
        self.reads_previous_state = perform_input == ACTION_AND_PREVIOUS_STATE
        if self.reads_previous_state and state_projection == OWN_PROJECTION:
            self.own_state_projection = nn.Linear(sensory_dim, hidden_size)
        # An untied head draws its initial weights from a stream of its own (or, untied_copy, copies the
        # mode's own head), so the cores and the untrained network are those of tied heads.
        if heads != TIED and readout in (PERFORM_ON_OBSERVE, BOTH_MODES):
            self.perform_head_on_observe = untied_head(self.perform_head, heads, stream=1)
        if heads != TIED and readout in (OBSERVE_ON_PERFORM, BOTH_MODES):
            self.observe_head_on_perform = untied_head(self.observe_head, heads, stream=2)

    # ------------------------------------------------------------ what variants define

    def core_states(self, perform_input: Tensor, observe_input: Tensor,
                    keep: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Core output (B, T, H) in perform mode and in observe mode; with ``keep`` (L*B, H), of L lesioned
        copies (L*B, T, H), the units each copy's rows zero silenced in every core's recurrent state at
        every step (:func:`run_core`)."""
        raise NotImplementedError

    def inverse_targets(self, actions: Tensor) -> Tensor:
        """The labels an inverse loss is trained on: the actions themselves."""
        return actions

    def objective(self, losses: dict[str, Tensor]) -> Tensor:
        """The training loss: every forward loss and every inverse loss present, weighted."""
        hp = self.hparams
        return hp.forward_weight * summed_losses(losses, FORWARD_LOSSES) + hp.inverse_weight * summed_losses(losses, INVERSE_LOSSES)

    # ------------------------------------------------------------------ shared steps

    def perform_input(self, actions: Tensor, sensations: Tensor, in_the_dark: bool = False) -> Tensor:
        """x_t = emb(a_t), or emb(a_t) + P s_{t-1} with s_{-1} = 0: (B, T), (B, T, D) -> (B, T, H).
        ``in_the_dark``: emb(a_t) alone, the sensory feedback of one's own actions withheld (docs/models/predictive-gru.md 2.2)."""
        embedded = self.action_embedding(actions)
        if not self.reads_previous_state or in_the_dark:
            return embedded
        projection = getattr(self, "own_state_projection", self.sensory_projection)
        previous_state = F.pad(sensations[:, :-1], (0, 0, 1, 0))
        return embedded + projection(previous_state)

    def forward(self, perform_actions: Tensor, perform_sensations: Tensor, observe_sensations: Tensor,
                in_the_dark: bool = False) -> tuple[Tensor, Tensor]:
        """Hidden activity of both modes: (perform_hidden, observe_hidden), each (B, T, H)."""
        return self.core_states(
            self.perform_input(perform_actions, perform_sensations, in_the_dark),
            self.sensory_projection(observe_sensations),
        )

    def losses(self, batch: SequenceBatch, relabel: Relabel) -> tuple[dict[str, Tensor], Tensor]:
        """Every loss the readout names (MSE on s_t, cross-entropy on relabelled a_t) and the
        observe head's action logits on observe-mode states."""
        perform_actions, perform_sensations, observe_actions, observe_sensations = batch
        inverse_targets = relabel(observe_actions)
        perform_hidden, observe_hidden = self(perform_actions, perform_sensations, observe_sensations)
        action_logits = self.observe_head(observe_hidden)
        losses = {
            FORWARD_LOSS: F.mse_loss(self.perform_head(perform_hidden), perform_sensations),
            INVERSE_LOSS: _cross_entropy(action_logits, inverse_targets),
        }
        if self.hparams.readout in (PERFORM_ON_OBSERVE, BOTH_MODES):
            head = getattr(self, "perform_head_on_observe", self.perform_head)
            losses[FORWARD_LOSS_ON_OBSERVE] = F.mse_loss(head(observe_hidden), observe_sensations)
        if self.hparams.readout in (OBSERVE_ON_PERFORM, BOTH_MODES):
            head = getattr(self, "observe_head_on_perform", self.observe_head)
            losses[INVERSE_LOSS_ON_PERFORM] = _cross_entropy(head(perform_hidden), relabel(perform_actions))
        return losses, action_logits

    def _log_losses(self, stage: str, batch: SequenceBatch, batch_idx: int, losses: dict[str, Tensor],
                    **extra: Tensor) -> Tensor:
        """Add the batch's losses to the stage's epoch means; log the means at the epoch's last batch."""
        loss = self.objective(losses)
        means = self._epoch_means.setdefault(stage, EpochMeans())
        means.add({training_metric(stage, name): value for name, value in {"loss": loss, **losses, **extra}.items()},
                  batch_size=len(batch.perform_actions))
        if batch_idx == self._batches_in_epoch(stage) - 1:
            # batch_size=1: Lightning's own mean of one value is that value, bit for bit.
            self.log_dict(means.pop(), on_step=False, on_epoch=True, prog_bar=stage == "val", batch_size=1)
        return loss

    def _batches_in_epoch(self, stage: str) -> int:
        """Batches in the current epoch of ``stage`` (its limits, and the sanity check, included)."""
        trainer = self.trainer
        if stage == "train":
            return trainer.num_training_batches
        return (trainer.num_sanity_val_batches if trainer.sanity_checking else trainer.num_val_batches)[0]

    def training_step(self, batch: SequenceBatch, batch_idx: int) -> Tensor:
        losses, _ = self.losses(batch, self.inverse_targets)
        loss = self._log_losses("train", batch, batch_idx, losses)
        self._check_divergence(loss.item())
        return loss

    def _check_divergence(self, loss: float) -> None:
        """Stop a run whose loss is not finite, or has grown to ``divergence_factor`` times its first
        value: its weights, and every number the analysis would take from them, are meaningless."""
        if self._first_loss is None:
            self._first_loss = loss
        limit = self.hparams.divergence_factor * self._first_loss
        if not math.isfinite(loss) or loss > limit:
            raise TrainingDiverged(
                f"training diverged: the loss is {loss:.4g} at epoch {self.current_epoch}, step {self.global_step}, "
                f"against {self._first_loss:.4g} at the first step (model.divergence_factor = "
                f"{self.hparams.divergence_factor:g}, model.lr = {self.hparams.lr:g})"
            )

    def validation_step(self, batch: SequenceBatch, batch_idx: int) -> Tensor:
        # Validation scores the inverse model against the true actions, whatever it was trained on.
        losses, action_logits = self.losses(batch, lambda actions: actions)
        accuracy = (action_logits.argmax(-1) == batch.observe_actions).float().mean()
        return self._log_losses("val", batch, batch_idx, losses, **{OBSERVE_ACCURACY: accuracy})

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    @torch.no_grad()
    def mirror_activity(self, dataloader: Iterable[SequenceBatch], in_the_dark: bool = False) -> MirrorActivity:
        """Core activity for every test sequence, performed (``in_the_dark``: without the sensory feedback
        of the previous state) and observed (the analysis protocol)."""
        was_training = self.training
        self.eval()
        perform, observe, perform_labels, observe_labels = [], [], [], []
        for perform_actions, perform_sensations, observe_actions, observe_sensations in dataloader:
            perform_hidden, observe_hidden = self(
                perform_actions.to(self.device), perform_sensations.to(self.device), observe_sensations.to(self.device),
                in_the_dark,
            )
            perform.append(perform_hidden.cpu())
            observe.append(observe_hidden.cpu())
            perform_labels.append(perform_actions)
            observe_labels.append(observe_actions)
        self.train(was_training)
        perform_array = torch.cat(perform).numpy().astype(np.float64)
        return MirrorActivity(
            perform=perform_array,
            observe=torch.cat(observe).numpy().astype(np.float64),
            perform_labels=torch.cat(perform_labels).numpy(),
            observe_labels=torch.cat(observe_labels).numpy(),
            trial_ids=np.arange(len(perform_array)),
            n_classes=self.hparams.n_actions,
        )


    @torch.no_grad()
    def lesioned_performance(self, batch: SequenceBatch, silenced: Tensor) -> tuple[Tensor, Tensor]:
        """Observe-mode action accuracy and perform-mode forward loss (MSE), (M,) each, with the units of each
        row of ``silenced`` (M, H) bool set to zero in the recurrent state at every step, in both modes."""
        n_lesions, n_sequences = len(silenced), len(batch.perform_actions)
        keep = (~silenced).float().repeat_interleave(n_sequences, dim=0)

        def repeated(tensor: Tensor) -> Tensor:
            return tensor.repeat(n_lesions, *([1] * (tensor.dim() - 1)))

        perform_hidden, observe_hidden = self.core_states(
            self.perform_input(batch.perform_actions, batch.perform_sensations),
            self.sensory_projection(batch.observe_sensations), keep)
        correct = self.observe_head(observe_hidden).argmax(-1) == repeated(batch.observe_actions)
        squared_error = (self.perform_head(perform_hidden) - repeated(batch.perform_sensations)) ** 2
        return (correct.float().view(n_lesions, -1).mean(dim=1),
                squared_error.view(n_lesions, -1).mean(dim=1))


def untied_head(head: nn.Linear, heads: str, stream: int) -> nn.Linear:
    """A head of the same shape as ``head`` for the other mode: a copy (``untied_copy``), or (``untied``)
    initialised as ``nn.Linear`` initialises, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from a generator of its
    own seeded by the run's seed, so creating it draws nothing from the stream the cores are drawn from."""
    untied = copy.deepcopy(head)
    if heads == UNTIED_COPY:
        return untied
    generator = torch.Generator().manual_seed(torch.initial_seed() + stream)
    bound = 1.0 / math.sqrt(head.in_features)
    with torch.no_grad():
        untied.weight.uniform_(-bound, bound, generator=generator)
        untied.bias.uniform_(-bound, bound, generator=generator)
    return untied


FEW_ROWS = 32
"""Below this many rows a matrix product's rows may differ in their last bits with the number of rows
(measured: up to 15 rows for 512 columns on this build's BLAS)."""


def run_core(core: nn.GRU, inputs: Tensor, keep: Tensor | None) -> Tensor:
    """The core's states (B, T, H) for (B, T, H) inputs. With ``keep`` (L*B, H): the states of L lesioned
    copies, (L*B, T, H), copy l reading every input (rows l*B to l*B+B-1) with h_t <- h_t * keep at every
    step, so a zeroed unit is silent in the state every later step reads.

    A lesion changes only the recurrent path, so the input's gates are computed once for the B inputs, not
    for each of the L copies (half the arithmetic of a lesion test); every step is otherwise the
    arithmetic ``nn.GRU`` does for a one-step input (its input gates a matmul plus the bias, its recurrent
    gates with the bias in the product), so the states are bit for bit those of ``core`` stepped over the
    repeated inputs (tested). Under :data:`FEW_ROWS` inputs the BLAS takes another path, whose rows depend
    on how many there are: then the gates are computed for every copy, as the GRU would."""
    if keep is None:
        return core(inputs)[0]
    n_copies, n_inputs = len(keep) // len(inputs), len(inputs)
    once = n_inputs >= FEW_ROWS
    w_ih, w_hh, b_ih, b_hh = core.weight_ih_l0, core.weight_hh_l0, core.bias_ih_l0, core.bias_hh_l0
    state, states = inputs.new_zeros(len(keep), core.hidden_size), []
    keep_per_copy = keep.view(n_copies, n_inputs, -1)
    for step in range(inputs.shape[1]):
        if once:  # (B, 3H), broadcast over the copies: elementwise, the same sums as repeated rows
            input_gates = torch.matmul(inputs[:, step], w_ih.t()) + b_ih
        else:
            input_gates = (torch.matmul(inputs[:, step].repeat(n_copies, 1), w_ih.t()) + b_ih).view(n_copies, n_inputs, -1)
        input_reset, input_update, input_new = input_gates.unsafe_chunk(3, -1)
        hidden_gates = F.linear(state, w_hh, b_hh).view(n_copies, n_inputs, -1)
        hidden_reset, hidden_update, hidden_new = hidden_gates.unsafe_chunk(3, -1)
        reset = hidden_reset.add_(input_reset).sigmoid_()
        update = hidden_update.add_(input_update).sigmoid_()
        new = hidden_new.mul_(reset).add_(input_new).tanh_()
        state = ((state.view_as(new) - new).mul_(update).add_(new) * keep_per_copy).view_as(state)
        states.append(state)
    return torch.stack(states, dim=1)


class EpochMeans:
    """Batch-size-weighted means of a stage's metrics over one epoch.

    Computed as Lightning's ``on_epoch`` logging computes them (a float32 sum of value x
    batch size, divided by an integer count), so the logged numbers are the same to the
    last bit; but handed to Lightning once an epoch: each ``self.log`` call costs about a
    millisecond of Lightning's bookkeeping, and at every step for every loss that was
    about 15 % of a default run's training time.
    """

    def __init__(self) -> None:
        self._sums: dict[str, Tensor] = {}
        self._count = torch.tensor(0)

    def add(self, values: dict[str, Tensor], batch_size: int) -> None:
        for name, value in values.items():
            self._sums[name] = self._sums.get(name, torch.tensor(0.0)) + value.detach() * batch_size
        self._count = self._count + batch_size

    def pop(self) -> dict[str, Tensor]:
        """The epoch's means; the sums start again from zero."""
        means = {name: total / self._count for name, total in self._sums.items()}
        self._sums, self._count = {}, torch.tensor(0)
        return means


def _cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Cross-entropy of (B, T, K) logits against (B, T) labels, over every step."""
    return F.cross_entropy(logits.flatten(0, 1), labels.flatten())


def summed_losses(losses: dict[str, Tensor], names: tuple[str, ...]) -> Tensor:
    """The sum of the named losses present (the first alone when it is the only one)."""
    present = [losses[name] for name in names if name in losses]
    total = present[0]
    for loss in present[1:]:
        total = total + loss
    return total
