"""A recorded session as a model: nothing to train, its activity the session's condition-by-bin means per context
(mirror.data.recording), reaching the shared analysis, MLflow and the claims page by the path every model takes;
its single trials reach the battery (``context_trials``)."""

from __future__ import annotations

from collections.abc import Iterable

import pytorch_lightning as pl

from mirror.protocol import ContextTrials, MirrorActivity


class RecordedSession(pl.LightningModule):
    """No parameters and nothing to learn (its trainer runs zero epochs)."""

    def __init__(self) -> None:
        super().__init__()

    def training_step(self, batch, batch_index: int) -> None:
        return None

    def configure_optimizers(self) -> None:
        return None

    def mirror_activity(self, dataloader: Iterable) -> MirrorActivity:
        """The session's condition-by-bin means (or its paired trials), the same on every call."""
        (item,) = list(dataloader)
        return item.session.activity()

    def context_trials(self, dataloader: Iterable) -> ContextTrials:
        """The session's single trials, unpaired: what the battery reads."""
        (item,) = list(dataloader)
        return item.session.trials()
