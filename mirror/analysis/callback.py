"""The one analysis callback every model is scored by, through the MirrorActivity protocol."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
from hydra.utils import get_class

from mirror.analysis.figures import R_AT_INIT_FILE, draw_figures
from mirror.analysis.summary import AnalysisResult, analyse, per_unit_r
from mirror.config import AnalysisConfig
from mirror.protocol import ACTIVITY_FILE, UNITS_FILE

log = logging.getLogger(__name__)


def log_artifact_folder(trainer: pl.Trainer, folder: Path, artifact_path: str) -> None:
    """Hand a folder of outputs to every logger of the trainer that keeps artifacts (here, not beside the MLflow logger:
    measuring by hand, :mod:`mirror.diagnostics.same_work`, loads no MLflow)."""
    for logger in trainer.loggers:
        if hasattr(logger, "log_artifacts"):
            logger.log_artifacts(folder, artifact_path)


class FamilyCallback(pl.Callback):
    """What every measuring callback keeps for its job: ``logged``, the latest value of every metric it logged
    (the run's summary and outcome read it), and ``seconds``, the time it spent measuring (the run's
    ``time/analysis_s``). A family's callback subclasses it and takes ``(settings, output_dir, figures)``."""

    def __init__(self) -> None:
        self.logged: dict[str, float] = {}
        self.seconds = 0.0

    def record(self, trainer: pl.Trainer, metrics: dict[str, float], folder: Path, artifact_path: str) -> None:
        """Keep ``metrics`` as the run's (``logged``), write them to ``folder/metrics.json``, log them to every logger
        and hand the folder to MLflow as ``artifact_path``."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True))
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=trainer.global_step)
        log_artifact_folder(trainer, folder, artifact_path)


class MirrorAnalysisCallback(FamilyCallback):
    """Score the model on the test set after fitting (zero epochs included) and log the results.

    Before fitting it also records the per-unit r of the network at initialisation, the
    untrained control drawn beside the trained network in figure 1B (kept as ``r_at_init.npy``,
    so that figures can be drawn later from the saved activity: ``python -m mirror.figures``).
    Writes ``analysis/units.csv`` and, with ``figures``, the figures under ``output_dir`` and hands
    them to every logger that accepts artifacts; the metrics go to every logger.
    """

    def __init__(self, settings: AnalysisConfig, output_dir: Path | str, title: str = "", figures: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.output_dir = Path(output_dir) / "analysis"
        self.title = title
        self.figures = figures
        self.result: AnalysisResult | None = None
        self.r_at_init: np.ndarray | None = None

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        activity = pl_module.mirror_activity(trainer.datamodule.test_dataloader())
        self.r_at_init = per_unit_r(activity)["centred"]

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        started = time.perf_counter()
        log.info("analysis: per-unit r, permutation nulls, decoders and figures")
        activity = pl_module.mirror_activity(trainer.datamodule.test_dataloader())
        # A recording's battery reads its single trials, unpaired; a model's, the trials it was scored on.
        trials = getattr(pl_module, "context_trials", None)
        self.result = result = analyse(activity, self.settings,
                                       trials(trainer.datamodule.test_dataloader()) if trials else None)
        self.logged = result.metrics
        self.output_dir.mkdir(parents=True, exist_ok=True)
        result.units.to_csv(self.output_dir / UNITS_FILE, index=False)
        activity.save(self.output_dir / ACTIVITY_FILE)
        # On disk first: if the store stays locked past tracking.write_patience_s, nothing is lost.
        (self.output_dir / "metrics.json").write_text(json.dumps(result.metrics, indent=1, sort_keys=True))
        np.save(self.output_dir / R_AT_INIT_FILE, self.r_at_init)
        if self.figures:
            draw_figures(result, activity, self.r_at_init, self.settings, self.title, self.output_dir)
        for logger in trainer.loggers:
            logger.log_metrics(result.metrics, step=trainer.global_step)
        log_artifact_folder(trainer, self.output_dir, "analysis")
        self.seconds = time.perf_counter() - started
        log.info("analysis done in %.1f s", self.seconds)


def measuring_callbacks(settings: AnalysisConfig, output_dir: Path, title: str, figures: bool) -> list[FamilyCallback]:
    """The shared analysis first (where the family has it), then the model family's own measurements,
    the callback its analysis schema names in ``_target_`` (their order is part of the result: both draw
    from the model's noise): a :class:`FamilyCallback` that takes its settings and the job's output folder and
    draws its figures only when ``figures``. A job's, and the same work's by hand (:mod:`mirror.diagnostics.same_work`)."""
    callbacks: list[FamilyCallback] = []
    if settings.SHARED_ANALYSIS:
        callbacks.append(MirrorAnalysisCallback(settings, output_dir, title=title, figures=figures))
    family = get_class(settings._target_)
    if not issubclass(family, FamilyCallback):
        raise TypeError(f"{settings._target_} must subclass mirror.analysis.callback.FamilyCallback")
    if family is not MirrorAnalysisCallback:
        callbacks.append(family(settings, output_dir, figures=figures))
    return callbacks
