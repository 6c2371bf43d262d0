"""Hydra callback that prepares the tracking store in the launching process."""

from __future__ import annotations

from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class PrepareTrackingStore(Callback):
    """Create the database and experiment once, before a multirun's jobs fan out.

    A fresh sqlite store migrated by several processes at once is corrupted, and
    ``create_experiment`` from several processes races.
    """

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from mirror.tracking.store import prepare_experiment

        tracking = config.tracking
        prepare_experiment(tracking.uri, tracking.experiment, tracking.artifact_root)
