"""The predictive GRU of SCIENCE.md section 2, shared by every GRU variant.

Perform mode: the core reads the embedded actions and the perform head predicts the
sensations s_t (forward model, MSE). Observe mode: the core reads the projected
sensations and the observe head classifies a_t (inverse model, cross-entropy).
Variants differ only in :meth:`core_states` (which core reads which stream) and in
:meth:`objective` / :meth:`inverse_targets` (which losses train them).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mirror.protocol import MirrorActivity
from mirror.vocabulary import OBSERVE_ACCURACY, training_metric

Batch = tuple[Tensor, Tensor, Tensor, Tensor]


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
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.action_embedding = nn.Embedding(n_actions, hidden_size)
        self.sensory_projection = nn.Linear(sensory_dim, hidden_size)
        self.perform_head = nn.Linear(hidden_size, sensory_dim)
        self.observe_head = nn.Linear(hidden_size, n_actions)

    # ------------------------------------------------------------ what variants define

    def core_states(self, perform_input: Tensor, observe_input: Tensor) -> tuple[Tensor, Tensor]:
        """Core output (B, T, H) in perform mode and in observe mode."""
        raise NotImplementedError

    def inverse_targets(self, observe_actions: Tensor) -> Tensor:
        """The labels the observe head is trained on: the observed actions themselves."""
        return observe_actions

    def objective(self, forward_loss: Tensor, inverse_loss: Tensor) -> Tensor:
        """The training loss: both objectives, weighted."""
        hp = self.hparams
        return hp.forward_weight * forward_loss + hp.inverse_weight * inverse_loss

    # ------------------------------------------------------------------ shared steps

    def forward(self, perform_actions: Tensor, observe_sensations: Tensor) -> tuple[Tensor, Tensor]:
        """Hidden activity of both modes: (perform_hidden, observe_hidden), each (B, T, H)."""
        return self.core_states(
            self.action_embedding(perform_actions), self.sensory_projection(observe_sensations)
        )

    def losses(self, batch: Batch, inverse_targets: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Forward loss (MSE on s_t), inverse loss (cross-entropy on a_t) and the action logits."""
        perform_actions, perform_sensations, _, observe_sensations = batch
        perform_hidden, observe_hidden = self(perform_actions, observe_sensations)
        predicted_sensations = self.perform_head(perform_hidden)
        action_logits = self.observe_head(observe_hidden)
        forward_loss = F.mse_loss(predicted_sensations, perform_sensations)
        inverse_loss = F.cross_entropy(action_logits.flatten(0, 1), inverse_targets.flatten())
        return forward_loss, inverse_loss, action_logits

    def _log_losses(self, stage: str, forward_loss: Tensor, inverse_loss: Tensor, **extra: Tensor) -> Tensor:
        loss = self.objective(forward_loss, inverse_loss)
        logged = {"loss": loss, "forward_loss": forward_loss, "inverse_loss": inverse_loss, **extra}
        self.log_dict(
            {training_metric(stage, name): value for name, value in logged.items()},
            on_step=False,
            on_epoch=True,
            prog_bar=stage == "val",
        )
        return loss

    def training_step(self, batch: Batch, batch_idx: int) -> Tensor:
        forward_loss, inverse_loss, _ = self.losses(batch, self.inverse_targets(batch[2]))
        return self._log_losses("train", forward_loss, inverse_loss)

    def validation_step(self, batch: Batch, batch_idx: int) -> Tensor:
        # Validation scores the inverse model against the true actions, whatever it was trained on.
        forward_loss, inverse_loss, action_logits = self.losses(batch, batch[2])
        accuracy = (action_logits.argmax(-1) == batch[2]).float().mean()
        return self._log_losses("val", forward_loss, inverse_loss, **{OBSERVE_ACCURACY: accuracy})

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    @torch.no_grad()
    def mirror_activity(self, dataloader: Iterable[Batch]) -> MirrorActivity:
        """Core activity for every test sequence, performed and observed (the analysis protocol)."""
        was_training = self.training
        self.eval()
        perform, observe, perform_labels, observe_labels = [], [], [], []
        for perform_actions, _, observe_actions, observe_sensations in dataloader:
            perform_hidden, observe_hidden = self(
                perform_actions.to(self.device), observe_sensations.to(self.device)
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
