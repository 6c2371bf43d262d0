"""The associative model's own measurements: its weights' mirror index before, during and after training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytorch_lightning as pl  # noqa: E402
import seaborn as sns  # noqa: E402

from mirror.analysis.associative import weight_measures  # noqa: E402
from mirror.analysis.figures import save_figure  # noqa: E402
from mirror.analysis.training_curves import CurvePoint, curves_over_training  # noqa: E402
from mirror.config import AssociativeAnalysisConfig  # noqa: E402
from mirror.models.associative import AssociativeSequenceLearning  # noqa: E402
from mirror.tracking.lightning_logger import log_artifact_folder  # noqa: E402
from mirror.vocabulary import (  # noqa: E402
    ASSOCIATIVE_CURVE_PHASE,
    FRACTION_SELF_PREFERRING,
    MIRROR_INDEX,
    associative_metric,
)


def weights_before_after(before: np.ndarray, after: np.ndarray, title: str, path: Path) -> Path:
    """The sensory -> motor weights (rows: motor units M_j, columns: sensory units S_i), before and after."""
    sns.set_theme(style="white", context="notebook")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    limit = max(np.abs(before).max(), np.abs(after).max(), 1e-12)
    labels = [str(i + 1) for i in range(len(after))]
    for ax, (name, weights) in zip(axes, (("before training", before), ("after training", after))):
        sns.heatmap(weights, vmin=-limit, vmax=limit, cmap="vlag", square=True, ax=ax, cbar=ax is axes[-1],
                    cbar_kws={"label": "weight S_i -> M_j"}, xticklabels=labels, yticklabels=labels)
        ax.set(title=name, xlabel="sensory unit S_i (action seen)", ylabel="motor unit M_j (action done)")
    return save_figure(fig, path, title)


class AssociativeAnalysisCallback(pl.Callback):
    """Mirror index and self-preferring fraction of W before, every ``eval_every`` trials and after
    training; the weights and the curves as figures."""

    def __init__(self, settings: AssociativeAnalysisConfig, output_dir: Path | str) -> None:
        self.settings = settings
        self.output_dir = Path(output_dir) / "associative"
        self.curve: list[CurvePoint] = []
        self.trials_seen = 0
        self._before: np.ndarray | None = None

    @staticmethod
    def _weights(model: AssociativeSequenceLearning) -> np.ndarray:
        return model.sensory_weights.detach().cpu().numpy().copy()

    @staticmethod
    def _log(trainer: pl.Trainer, metrics: dict[str, float], step: int) -> None:
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=step)

    def on_fit_start(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning) -> None:
        self._before = self._weights(pl_module)
        measures = weight_measures(self._before)
        self.curve.append({"step": 0.0, "phase": 0.0, **measures})
        self._log(trainer, {associative_metric(k, "before"): v for k, v in measures.items()}, step=0)

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning, outputs: Any,
                           batch: Any, batch_idx: int) -> None:
        before, self.trials_seen = self.trials_seen, self.trials_seen + len(batch[0])
        every = self.settings.eval_every
        if self.trials_seen // every > before // every:
            phase = float(trainer.datamodule.schedule["phase"][self.trials_seen - 1])
            measures = weight_measures(self._weights(pl_module))
            self.curve.append({"step": float(self.trials_seen), "phase": phase, **measures})
            logged = {associative_metric(k, "curve"): v for k, v in measures.items()}
            self._log(trainer, {**logged, ASSOCIATIVE_CURVE_PHASE: phase}, step=self.trials_seen)

    def on_fit_end(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning) -> None:
        after = self._weights(pl_module)
        self._log(trainer, {associative_metric(k): v for k, v in weight_measures(after).items()},
                  step=self.trials_seen)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        title = f"associative model, {pl_module.hparams.rule.replace('_', '-')} rule"
        weights_before_after(self._before, after, title, self.output_dir / "weights_before_after.png")
        curves_over_training(self.curve, {"mirror index": MIRROR_INDEX}, "trial", "mirror index", title,
                             self.output_dir / "mirror_index.png")
        curves_over_training(self.curve, {"self-preferring motor units": FRACTION_SELF_PREFERRING}, "trial",
                             "fraction of motor units", title, self.output_dir / "self_preferring.png", from_zero=True)
        log_artifact_folder(trainer, self.output_dir, "associative")
