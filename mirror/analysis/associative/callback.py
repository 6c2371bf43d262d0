"""The associative model's own measurements: its weights' strength and shape before, during and after
training, and the contingency its schedule programmed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import seaborn as sns

from mirror.analysis.associative.measures import weight_measures
from mirror.analysis.callback import log_artifact_folder
from mirror.analysis.training_curves import TrainingCurveCallback, curves_over_training
from mirror.config import AssociativeAnalysisConfig
from mirror.models.associative import AssociativeSequenceLearning
from mirror.plotting import plt, save_figure
from mirror.vocabulary.associative import (
    ASSOCIATIVE_CURVE_PHASE,
    D_PRIME,
    DELTA_P,
    EVOKED_RESPONSE,
    FRACTION_SELF_PREFERRING,
    MIRROR_INDEX,
    SELECTIVE_RESPONSE,
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


class AssociativeAnalysisCallback(TrainingCurveCallback):
    """The selective and the evoked response, d', the mirror index and the self-preferring fraction of W
    before, every ``eval_every`` trials and after training; the programmed Delta P; the weights and the
    curves as figures."""

    def __init__(self, settings: AssociativeAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        super().__init__(settings.eval_every, associative_metric, ASSOCIATIVE_CURVE_PHASE)
        self.output_dir = Path(output_dir) / "associative"
        self.figures = figures
        self._before: np.ndarray | None = None

    @staticmethod
    def _weights(model: AssociativeSequenceLearning) -> np.ndarray:
        return model.sensory_weights.detach().cpu().numpy().copy()

    @staticmethod
    def _measures(weights: np.ndarray, model: AssociativeSequenceLearning) -> dict[str, float]:
        return weight_measures(weights, model.hparams.response_noise)

    def measure(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning) -> dict[str, float]:
        return self._measures(self._weights(pl_module), pl_module)

    def on_fit_start(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning) -> None:
        self._before = self._weights(pl_module)
        measures = self._measures(self._before, pl_module)
        self.start_curve(measures)
        self.log_metrics(trainer, {**{associative_metric(k, "before"): v for k, v in measures.items()},
                                   DELTA_P: trainer.datamodule.delta_p}, step=0)

    def on_fit_end(self, trainer: pl.Trainer, pl_module: AssociativeSequenceLearning) -> None:
        after = self._weights(pl_module)
        self.log_metrics(trainer, {associative_metric(k): v for k, v in self._measures(after, pl_module).items()},
                         step=self.steps_seen)
        if not self.figures:
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        title = f"associative model, {pl_module.hparams.rule.replace('_', '-')} rule"
        weights_before_after(self._before, after, title, self.output_dir / "weights_before_after.png")
        curves_over_training(self.curve, {"selective response (noise sd)": SELECTIVE_RESPONSE, "d'": D_PRIME,
                                          "response to seeing i over nothing (noise sd)": EVOKED_RESPONSE},
                             "trial", "strength of S_i -> M_i", title, self.output_dir / "strength.png")
        curves_over_training(self.curve, {"mirror index": MIRROR_INDEX}, "trial", "mirror index", title,
                             self.output_dir / "mirror_index.png")
        curves_over_training(self.curve, {"self-preferring motor units": FRACTION_SELF_PREFERRING}, "trial",
                             "fraction of motor units", title, self.output_dir / "self_preferring.png", from_zero=True)
        log_artifact_folder(trainer, self.output_dir, "associative")
