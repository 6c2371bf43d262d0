"""What a run prints while it works.

On a terminal, Lightning's progress bars. Anywhere else (a file, a pipe, a cluster log) the
bars' redraws would bury the summary under hundreds of kilobytes, so there a run logs one
line per epoch instead, through the job's logger (its console and its ``.log`` file alike).
"""

from __future__ import annotations

import logging
import sys
import time

import pytorch_lightning as pl

log = logging.getLogger("mirror")


def on_terminal() -> bool:
    """True when the run's output goes to a terminal (where bars redraw in place)."""
    return sys.stdout.isatty()


class EpochLines(pl.Callback):
    """One log line per training epoch: its number, the losses the model logged, its time."""

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._started = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        losses = ", ".join(f"{name} {float(value):.4g}" for name, value in sorted(trainer.callback_metrics.items())
                           if value.numel() == 1)
        log.info("epoch %d/%d%s (%.1f s)", trainer.current_epoch + 1, trainer.max_epochs,
                 f": {losses}" if losses else "", time.perf_counter() - self._started)


def progress(show_bars: bool) -> tuple[bool, list[pl.Callback]]:
    """Lightning's ``enable_progress_bar`` and the callbacks that report progress: bars when
    asked for and on a terminal, else a line per epoch."""
    bars = show_bars and on_terminal()
    return bars, [] if bars else [EpochLines()]
