"""A recorded session as a LightningDataModule: nothing to train on; its test set is the session's condition-by-bin
means per context (mirror.data.recording)."""

from __future__ import annotations

from types import SimpleNamespace

import pytorch_lightning as pl

from mirror.config.hooks import FamilyDataModule
from mirror.config.recording import RecordingDataConfig
from mirror.data.recording import Session


class RecordingDataModule(FamilyDataModule, pl.LightningDataModule):
    """The session, read once; no batches to train on."""

    def __init__(self, **fields) -> None:
        super().__init__()
        self.settings = RecordingDataConfig(**fields)
        self.save_hyperparameters()

    @property
    def session(self) -> Session:
        return self.settings.session()

    def model_kwargs(self) -> dict[str, object]:
        return {}

    def train_dataloader(self) -> list:
        return []

    def test_dataloader(self) -> list[SimpleNamespace]:
        """One item: the session, which the model turns into the activity the analysis scores."""
        return [SimpleNamespace(session=self.session)]
