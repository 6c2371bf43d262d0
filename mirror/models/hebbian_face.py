"""The Hebbian facial-expression network (HEBBIAN.md) as a LightningModule.

A pre-trained VisNet sees the parent's face; a binary motor pattern carries the infant's
expression; both converge on a competitive mirror layer trained by the Hebb rule with
weight normalisation. No gradients anywhere: ``training_step`` applies the local rule.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor, nn

from mirror.analysis.decoding import grouped_read_out_accuracy, read_out_accuracy
from mirror.analysis.hebbian_figures import face_sheet, mirror_counts_over_training, rates_before_after
from mirror.analysis.information import multiple_cell_information, single_cell_information
from mirror.analysis.selectivity import MirrorClassification, classify_mirror_neurons
from mirror.data.faces import HAPPY, SAD
from mirror.models.visnet import CompetitiveSheet, VisNet, hebbian_update, normalise_rows
from mirror.protocol import MirrorActivity
from mirror.tracking.lightning_logger import log_artifact_folder

_CACHE_FORMAT = 4
"""Bump when pre-training or its faces change, so stale cached weights are not reused."""
_STREAMS = ("architecture", "pretraining", "selectivity")
"""One random stream per use, so loading cached vision weights (which skips pre-training and
its draws) cannot change the connections, the permutations or anything else downstream."""
CONDITIONS = ("visual_happy", "visual_sad", "motor_happy", "motor_sad")


def _unit_rows(inputs: Tensor) -> Tensor:
    """Each input vector scaled to unit length (a zero vector stays zero)."""
    return inputs / inputs.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def expression_read_outs(rates_of: Callable[[Tensor], np.ndarray], datamodule: pl.LightningDataModule
                         ) -> tuple[float, float]:
    """Linear read-outs of happy vs sad from ``rates_of(faces)``: across identities never
    fitted on, and for the parent's face across transforms the interaction never showed
    (what the mirror layer needs)."""
    faces, expressions, identities = datamodule.vision_test_set
    interaction, test = datamodule.parent_faces
    labels = [np.repeat([HAPPY, SAD], len(bank) // 2) for bank in (interaction, test)]
    return (
        grouped_read_out_accuracy(rates_of(faces), expressions, identities),
        read_out_accuracy(rates_of(interaction), labels[0], rates_of(test), labels[1]),
    )


class MirrorLayer(nn.Module):
    """The competitive layer on which vision layer 4 and the motor pool converge.

    Both pathways' inputs are scaled to unit length; ``normalisation='separate'`` keeps a
    unit-length weight vector per pathway, ``'joint'`` one over both.
    """

    def __init__(self, n_visual: int, n_motor: int, sheet: CompetitiveSheet, learning_rate: float,
                 normalisation: str, motor_gain: float, rng: np.random.Generator) -> None:
        super().__init__()
        self.n_visual, self.learning_rate = n_visual, learning_rate
        self.normalisation, self.motor_gain = normalisation, motor_gain
        self.sheet = sheet
        initial = torch.from_numpy(rng.uniform(0.0, 1.0, (sheet.sheet_size**2, n_visual + n_motor)).astype(np.float32))
        self.register_buffer("weights", initial)
        self._normalise()

    def _pathways(self) -> tuple[Tensor, Tensor]:
        return self.weights[:, : self.n_visual], self.weights[:, self.n_visual :]

    def _normalise(self) -> None:
        if self.normalisation == "joint":
            normalise_rows(self.weights)
        else:
            for pathway in self._pathways():
                normalise_rows(pathway)

    def forward(self, visual: Tensor, motor: Tensor) -> Tensor:
        """(B, n_visual), (B, n_motor) -> rates (B, n_neurons)."""
        visual_weights, motor_weights = self._pathways()
        drive = _unit_rows(visual) @ visual_weights.T + self.motor_gain * _unit_rows(motor) @ motor_weights.T
        return self.sheet(drive)

    @torch.no_grad()
    def learn(self, visual: Tensor, motor: Tensor, rates: Tensor) -> None:
        """Hebb rule on both pathways, then the configured normalisation."""
        inputs = torch.cat([_unit_rows(visual), _unit_rows(motor)], dim=1)
        if self.normalisation == "joint":
            hebbian_update(self.weights, rates, inputs, self.learning_rate)
        else:
            for pathway, pathway_inputs in zip(self._pathways(), inputs.split([self.n_visual, inputs.shape[1] - self.n_visual], 1)):
                hebbian_update(pathway, rates, pathway_inputs, self.learning_rate)


class HebbianFaceNetwork(pl.LightningModule):
    """VisNet vision + motor module + competitive mirror layer, trained by local rules only."""

    def __init__(
        self,
        image_size: int,
        seed: int,
        vision: dict[str, Any],
        mirror: dict[str, Any],
        motor_units_per_expression: int = 10,
        motor_flip_probability: float = 0.05,
        selectivity_alpha: float = 0.05,
        min_rate_difference: float = 0.05,
        selectivity_permutations: int = 1000,
        eval_every: int = 100,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self._rngs = {
            name: np.random.default_rng(stream)
            for name, stream in zip(_STREAMS, np.random.SeedSequence(seed).spawn(len(_STREAMS)))
        }
        self._noise = torch.Generator().manual_seed(seed)
        architecture = {k: v for k, v in vision.items() if k not in ("epochs_per_layer", "batch_sequences", "cache_dir")}
        self.vision = VisNet(image_size, self._rngs["architecture"], **architecture)
        sheet = CompetitiveSheet(mirror["sheet_size"], mirror["sparseness"], mirror["slope"],
                                 mirror["inhibition_sigma"], mirror["inhibition_delta"])
        self.mirror = MirrorLayer(
            n_visual=vision["sheet_size"] ** 2, n_motor=2 * motor_units_per_expression, sheet=sheet,
            learning_rate=mirror["learning_rate"], normalisation=mirror["normalisation"],
            motor_gain=mirror["motor_gain"], rng=self._rngs["architecture"],
        )
        self.vision_metrics: dict[str, float] = {}
        self.curve: list[dict[str, float]] = []
        self.steps_seen = 0

    # ---------------------------------------------------------------- vision module

    def _cache_path(self, datamodule: pl.LightningDataModule) -> Path:
        """Pre-trained weights depend on the vision config and the pre-training faces only."""
        hp = self.hparams
        data = {k: datamodule.hparams[k] for k in ("image_size", "pretrain_identities", "pretrain_transforms",
                                                     "sequence_length", "max_shift", "scale_range", "pixel_noise",
                                                     "seed")}
        key = {"format": _CACHE_FORMAT, "vision": {k: v for k, v in hp.vision.items() if k != "cache_dir"}, "data": data}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]
        return Path(hp.vision["cache_dir"]) / f"visnet-{digest}.pt"

    def _measure_vision(self, datamodule: pl.LightningDataModule, prefix: str) -> dict[str, float]:
        """How well layer 4 tells happy from sad on held-out identities (trained on half of them)."""
        faces, expressions, identities = datamodule.vision_test_set
        rates = self.vision(faces).numpy()
        information = single_cell_information(rates, expressions)
        first_half = identities < identities.max() / 2
        decoded = multiple_cell_information(rates[first_half], expressions[first_half], rates[~first_half],
                                            expressions[~first_half], cell_counts=(1, 5, 20, 100))
        metrics = {
            f"{prefix}/max_single_cell_information": float(information.max()),
            f"{prefix}/mean_information_top20": float(np.sort(information)[-20:].mean()),
            f"{prefix}/n_cells_above_half_bit": float((information > 0.5).sum()),
        }
        metrics.update({f"{prefix}/multiple_cell_information_top{k}": bits for k, bits in decoded.items()})
        held_out, parent = expression_read_outs(lambda images: self.vision(images).numpy(), datamodule)
        metrics[f"{prefix}/read_out_held_out_identities"] = held_out
        metrics[f"{prefix}/read_out_parent"] = parent
        return metrics

    def pretrain_vision(self, datamodule: pl.LightningDataModule) -> None:
        """Train VisNet bottom-up on the pre-training faces, with the model's own random stream."""
        settings = self.hparams.vision
        self.vision.pretrain(datamodule.pretraining_sequences, settings["epochs_per_layer"],
                             settings["batch_sequences"], self._rngs["pretraining"])

    def _prepare_vision(self, datamodule: pl.LightningDataModule) -> None:
        """Pre-train VisNet (or load it from the cache) and measure it before and after."""
        self.vision_metrics = self._measure_vision(datamodule, "vision/untrained")
        cache = self._cache_path(datamodule)
        if cache.exists():
            self.vision.load_state_dict(torch.load(cache))
            self.vision_metrics["vision/loaded_from_cache"] = 1.0
        else:
            started = time.perf_counter()
            self.pretrain_vision(datamodule)
            self.vision_metrics["time/vision_pretrain_s"] = time.perf_counter() - started
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.tmp")
            torch.save(self.vision.state_dict(), partial)
            os.replace(partial, cache)  # atomic: parallel jobs never read half a file
            self.vision_metrics["vision/loaded_from_cache"] = 0.0
        self.vision_metrics.update(self._measure_vision(datamodule, "vision/trained"))

    def setup(self, stage: str) -> None:
        datamodule = self.trainer.datamodule
        self._prepare_vision(datamodule)
        interaction_faces, test_faces = datamodule.parent_faces
        self.register_buffer("interaction_rates", self.vision(interaction_faces), persistent=False)
        self.register_buffer("test_rates", self.vision(test_faces), persistent=False)

    # ------------------------------------------------------------- motor + mirror

    def motor_pattern(self, expressions: Tensor) -> Tensor:
        """Binary pools, one per expression, with independent bit flips: (B,) -> (B, 2 * units)."""
        units = self.hparams.motor_units_per_expression
        pattern = (torch.arange(2 * units) // units == expressions[:, None]).float()
        flips = torch.rand(pattern.shape, generator=self._noise) < self.hparams.motor_flip_probability
        return torch.where(flips, 1.0 - pattern, pattern)

    def configure_optimizers(self) -> None:
        """No optimiser: learning is the local Hebb rule."""

    def training_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> None:
        infant, _, face_index, _ = batch
        visual, motor = self.interaction_rates[face_index], self.motor_pattern(infant)
        self.mirror.learn(visual, motor, self.mirror(visual, motor))
        before = self.steps_seen
        self.steps_seen += len(infant)
        if self.steps_seen // self.hparams.eval_every > before // self.hparams.eval_every:
            self._record_curve()

    # ------------------------------------------------------------------- testing

    @torch.no_grad()
    def condition_rates(self) -> dict[str, np.ndarray]:
        """Mirror-layer rates (trials, U) in the four test conditions, each modality alone."""
        trials = len(self.test_rates) // 2
        expressions = torch.arange(2).repeat_interleave(trials)
        no_visual = torch.zeros_like(self.test_rates)
        motor = self.motor_pattern(expressions)
        visual = self.mirror(self.test_rates, torch.zeros_like(motor)).numpy()
        motor_only = self.mirror(no_visual, motor).numpy()
        return {
            "visual_happy": visual[:trials], "visual_sad": visual[trials:],
            "motor_happy": motor_only[:trials], "motor_sad": motor_only[trials:],
        }

    def classify(self, rates: dict[str, np.ndarray] | None = None) -> MirrorClassification:
        hp = self.hparams
        return classify_mirror_neurons(rates or self.condition_rates(), hp.selectivity_alpha, hp.min_rate_difference,
                                       hp.selectivity_permutations, self._rngs["selectivity"])

    def _record_curve(self) -> None:
        phase = int(self.trainer.datamodule.interaction["phase"][self.steps_seen - 1])
        counts = {**self.classify().counts(), "phase": float(phase)}
        self.curve.append({"step": float(self.steps_seen), **counts})
        if self.logger is not None:
            self.logger.log_metrics({f"hebbian/curve/{k}": v for k, v in counts.items()}, step=self.steps_seen)

    @torch.no_grad()
    def mirror_activity(self, dataloader) -> MirrorActivity:
        """The shared protocol: motor-only trials as 'perform', visual-only as 'observe', matched by expression."""
        expressions, face_index = (torch.cat(parts) for parts in zip(*dataloader))
        motor = self.motor_pattern(expressions)
        perform = self.mirror(torch.zeros_like(self.test_rates[face_index]), motor)
        observe = self.mirror(self.test_rates[face_index], torch.zeros_like(motor))
        labels = expressions.numpy()[:, None]
        return MirrorActivity(
            perform=perform.numpy()[:, None].astype(np.float64),
            observe=observe.numpy()[:, None].astype(np.float64),
            perform_labels=labels, observe_labels=labels,
            trial_ids=face_index.numpy(), n_classes=2, condition_names=("motor", "visual"),
        )

    # --------------------------------------------------------------- the record

    def _output_dir(self) -> Path:
        folder = Path(self.trainer.default_root_dir) / "hebbian"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _log(self, metrics: dict[str, float]) -> None:
        if self.logger is not None:
            self.logger.log_metrics(metrics, step=self.steps_seen)

    def on_fit_start(self) -> None:
        self._rates_before = self.condition_rates()
        before = self.classify(self._rates_before).counts()
        self.curve.append({"step": 0.0, **before, "phase": 0.0})
        self._log({**self.vision_metrics, **{f"hebbian/before/{k}": v for k, v in before.items()}})
        datamodule = self.trainer.datamodule
        face_sheet(datamodule.parent_faces[0], datamodule.pretraining_sequences[:, 0], self._output_dir() / "faces.png")

    def on_fit_end(self) -> None:
        rates = self.condition_rates()
        after = self.classify(rates)
        self._log({f"hebbian/{k}": v for k, v in after.counts().items()})
        folder = self._output_dir()
        title = f"Hebbian mirror layer ({self.hparams.mirror['normalisation']} normalisation)"
        rates_before_after(self._rates_before, rates, title, folder / "rates_before_after.png")
        mirror_counts_over_training(self.curve, "mirror-layer neurons by class during training",
                                    folder / "mirror_counts.png")
        log_artifact_folder(self.trainer, folder, "hebbian")
