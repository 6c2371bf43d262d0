"""The Hebbian face network's own measurements: vision, mirror-layer classes, their curve, figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from mirror.analysis.callback import log_artifact_folder
from mirror.analysis.hebbian.figures import (
    face_sheet,
    mirror_counts_over_training,
    rates_before_after,
)
from mirror.analysis.hebbian.selectivity import (
    MirrorClassification,
    classify_mirror_neurons,
    distinct_neurons,
)
from mirror.analysis.hebbian.vision import graded_fractions, measure_vision
from mirror.analysis.hebbian.vision_memory import measures_key, remembered
from mirror.analysis.training_curves import TrainingCurveCallback
from mirror.config import HebbianAnalysisConfig
from mirror.models.hebbian_face import HebbianFaceNetwork, random_streams
from mirror.vocabulary.hebbian import (
    DEVELOPS_MIRROR_NEURONS,
    HEBBIAN_CEILING,
    HEBBIAN_CURVE_PHASE,
    HEBBIAN_DISTINCT_NEURONS,
    HEBBIAN_NEVER_WON,
    MIRROR_ABOVE_CONTROLS,
    MIRROR_BALANCE,
    N_MIRROR,
    SHUFFLED_PAIRING,
    VISION_LAST_EPOCH_WEIGHT_CHANGE,
    VISION_LOADED_FROM_CACHE,
    VISION_PRETRAIN_SECONDS,
    VISION_UPDATES_PER_LAYER,
    hebbian_metric,
)


class HebbianAnalysisCallback(TrainingCurveCallback):
    """Measure the vision module before and after pre-training, classify the mirror layer's
    neurons before, during (every ``eval_every`` interaction steps) and after training, draw
    the figures and log everything.

    Runs after :class:`mirror.analysis.callback.MirrorAnalysisCallback` in the trainer's
    callback list: both draw the model's motor noise, so their order is part of the result.
    """

    def __init__(self, settings: HebbianAnalysisConfig, output_dir: Path | str, figures: bool = True) -> None:
        super().__init__(settings.eval_every, hebbian_metric, HEBBIAN_CURVE_PHASE)
        self.settings, self.figures = settings, figures
        self.output_dir = Path(output_dir) / "hebbian"
        self._selectivity_rng: np.random.Generator | None = None
        self._rates_before: dict[str, np.ndarray] = {}
        self._vision_metrics: dict[str, float] = {}
        self.before: dict[str, float] = {}
        """The untrained mirror layer's counts: the first control of the calibrated test."""

    # ------------------------------------------------------------------ measuring

    def classify(self, responses: dict[str, np.ndarray], learnt: np.ndarray | None = None) -> MirrorClassification:
        """Classes of the mirror layer's neurons; with ``learnt``, a neuron that never won during
        training (and so kept its random weights) is not counted as selective."""
        settings = self.settings
        classes = classify_mirror_neurons(responses, settings.selectivity_alpha, settings.min_difference,
                                          settings.selectivity_permutations, self._selectivity_rng)
        return classes if learnt is None else classes.among(learnt)

    @staticmethod
    def _learnt(model: HebbianFaceNetwork) -> np.ndarray:
        return model.mirror.wins.numpy() > 0

    def _vision(self, model: HebbianFaceNetwork, trainer: pl.Trainer, stage: str) -> dict[str, float]:
        """The vision module's measures at ``stage``; read back beside the cached vision where another job
        measured the same weights on the same faces (:mod:`mirror.analysis.hebbian.vision_memory`)."""
        seen: dict[int, tuple[torch.Tensor, np.ndarray]] = {}

        def rates_of(images: torch.Tensor) -> np.ndarray:
            """The top layer's rates, one pass of the vision module per set of images (the measures
            read the same sets several times; the set is kept so that its id is not reused)."""
            if id(images) not in seen:
                seen[id(images)] = images, model.vision(images).numpy()
            return seen[id(images)][1]

        def measure() -> dict[str, float]:
            return {**measure_vision(rates_of, datamodule, stage, threshold),
                    **graded_fractions(model.vision, datamodule, stage)}

        datamodule, threshold = trainer.datamodule, self.settings.vision_information_threshold
        faces = (*datamodule.vision_test_set, *datamodule.parent_faces)
        key = measures_key(model.vision, faces, {"stage": stage, "information_threshold": threshold})
        return remembered(Path(model.hparams.vision.cache_dir), key, measure)

    def _scored(self, model: HebbianFaceNetwork) -> dict[str, np.ndarray]:
        """The mirror layer's responses in the four test conditions, as the selectivity test scores them."""
        return model.condition_responses()[self.settings.response]

    def ceiling(self, model: HebbianFaceNetwork) -> float:
        """The most neurons the test could find selective whatever was learnt: every neuron when it
        scores the drive; when it scores rates, the winners of the two expressions' trials of a modality."""
        n_neurons = model.mirror.threshold.numel()
        if self.settings.response == "drive":
            return float(n_neurons)
        return float(min(n_neurons, 2 * math.ceil(model.hparams.mirror.sparseness * n_neurons)))

    def measure(self, trainer: pl.Trainer, pl_module: HebbianFaceNetwork) -> dict[str, float]:
        return self.classify(self._scored(pl_module), self._learnt(pl_module)).counts()

    # ---------------------------------------------------------------------- hooks

    def setup(self, trainer: pl.Trainer, pl_module: HebbianFaceNetwork, stage: str) -> None:
        """Before the model's own setup pre-trains its vision: measure the untrained network."""
        self._selectivity_rng = random_streams(pl_module.hparams.seed)["selectivity"]
        self._vision_metrics = self._vision(pl_module, trainer, "untrained")

    def on_fit_start(self, trainer: pl.Trainer, pl_module: HebbianFaceNetwork) -> None:
        self._vision_metrics[VISION_LOADED_FROM_CACHE] = float(pl_module.vision_loaded_from_cache)
        if pl_module.vision_pretrain_seconds is not None:
            self._vision_metrics[VISION_PRETRAIN_SECONDS] = pl_module.vision_pretrain_seconds
            self._vision_metrics[VISION_UPDATES_PER_LAYER] = float(pl_module.vision_updates_per_layer)
            for depth, change in enumerate(pl_module.vision.last_epoch_weight_change, start=1):
                self._vision_metrics[f"{VISION_LAST_EPOCH_WEIGHT_CHANGE}_layer{depth}"] = change
        self._vision_metrics.update(self._vision(pl_module, trainer, "trained"))
        self._rates_before = self._scored(pl_module)
        self.before = before = self.classify(self._rates_before).counts()
        self.start_curve(before)
        self.log_metrics(trainer, {**self._vision_metrics, **{hebbian_metric(k, "before"): v for k, v in before.items()},
                            HEBBIAN_CEILING: self.ceiling(pl_module)}, step=0)
        datamodule = trainer.datamodule
        if not self.figures:
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        face_sheet(datamodule.parent_faces[0], datamodule.pretraining_sequences[:, 0], self.output_dir / "faces.png")

    def _shuffled_pairing(self, trainer: pl.Trainer, pl_module: HebbianFaceNetwork) -> dict[str, float]:
        """The shuffled-pairing control, trained on as many steps as the network and scored by the same test."""
        interaction = type(trainer.datamodule.shuffled_pairing)(
            *(values[: self.steps_seen] for values in trainer.datamodule.shuffled_pairing))
        layer, noise = pl_module.shuffled_pairing_control(interaction, trainer.datamodule.hparams.batch_size)
        responses = pl_module.condition_responses(layer, noise)[self.settings.response]
        return self.classify(responses, layer.wins.numpy() > 0).counts()

    def on_fit_end(self, trainer: pl.Trainer, pl_module: HebbianFaceNetwork) -> None:
        rates = self._scored(pl_module)
        learnt = self._learnt(pl_module) if self.steps_seen else None
        after = self.classify(rates, learnt).counts()
        never_won = float(0 if learnt is None else (~learnt).sum())
        metrics = {**{hebbian_metric(k): v for k, v in after.items()}, HEBBIAN_NEVER_WON: never_won,
                   HEBBIAN_DISTINCT_NEURONS: float(distinct_neurons(pl_module.mirror.weights.numpy()))}
        metrics.update(self.settled())
        metrics.update(self.steps_to_sign(trainer.datamodule.phases, MIRROR_BALANCE))
        if self.steps_seen:
            shuffled = self._shuffled_pairing(trainer, pl_module)
            above = after[N_MIRROR] - max(self.before[N_MIRROR], shuffled[N_MIRROR])
            metrics.update({**{hebbian_metric(k, SHUFFLED_PAIRING): v for k, v in shuffled.items()},
                            MIRROR_ABOVE_CONTROLS: above, DEVELOPS_MIRROR_NEURONS: float(above > 0)})
        self.log_metrics(trainer, metrics, step=self.steps_seen)
        if not self.figures:
            return
        title = f"Hebbian mirror layer ({pl_module.hparams.mirror.normalisation} normalisation)"
        rates_before_after(self._rates_before, rates, title, self.output_dir / "rates_before_after.png",
                           value_label=f"mean {self.settings.response}")
        mirror_counts_over_training(self.curve, "mirror-layer neurons by class during training",
                                    self.output_dir / "mirror_counts.png")
        log_artifact_folder(trainer, self.output_dir, "hebbian")

