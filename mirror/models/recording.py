"""A recorded session as a model: nothing to train, its activity the session's condition-by-bin means per context
(mirror.data.recording), reaching the shared analysis, MLflow and the claims page by the path every model takes."""

from __future__ import annotations

from collections.abc import Iterable

import pytorch_lightning as pl

from mirror.protocol import MirrorActivity


class RecordedSession(pl.LightningModule):
    """No parameters and nothing to learn (its trainer runs zero epochs)."""

    def __init__(self) -> None:
        super().__init__()

    def training_step(self, batch, batch_index: int) -> None:
        return None

    def configure_optimizers(self) -> None:
        return None

    def mirror_activity(self, dataloader: Iterable) -> MirrorActivity:
        """The session's means, the same on every call."""
        (item,) = list(dataloader)
        return item.session.condition_means()
