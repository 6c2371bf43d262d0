"""The framework's cost against the same work by hand: ``python -m mirror.diagnostics.same_work FAMILY --seeds N
--out metrics.json`` does a sweep's jobs over seeds 0 to N-1 in one plain process, each with the same model and
data built from the same schemas, a plain PyTorch training loop (Adam on the same objective for a GRU; the model's
own learning step, batch by batch, for the online families), the same measuring callbacks called in the order a
Trainer calls them (the shared analysis, the lesion test, the family's own measures, their files on disk), and
every job's metrics written to one JSON file. What it leaves out is what the sweep adds: Hydra composing and
launching each job, Lightning's Trainer, MLflow's runs and artifacts. ``make bench ARGS=--framework`` times it
against the same sweep through ``python -m mirror.run``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from hydra.utils import get_class

from mirror.analysis.callback import measuring_callbacks
from mirror.config import (
    ActionSequenceDataConfig,
    AssociativeAnalysisConfig,
    AssociativeModelConfig,
    FaceInteractionDataConfig,
    GRUAnalysisConfig,
    GRUModelConfig,
    HebbianAnalysisConfig,
    HebbianModelConfig,
    SensorimotorPairingsDataConfig,
    TrainerConfig,
    constructor_arguments,
)
from mirror.config.execution import machine_cores
from mirror.models.predictive_gru import EpochMeans
from mirror.pipeline.threads import reset_process_state
from mirror.vocabulary import training_metric
from mirror.vocabulary.gru import OBSERVE_ACCURACY


@dataclass(frozen=True)
class Family:
    """The schemas a family's default job is built from, and the sweep whose jobs these are."""

    data: type
    model: type
    analysis: type
    epochs: int
    sweep: tuple[str, ...]
    per_job: bool = False
    """Judged by its cost per job once a sweep has started (its whole job is smaller than a process's fixed costs),
    not by the ratio of one sweep to the same work by hand."""


FAMILIES = {
    "gru": Family(ActionSequenceDataConfig, GRUModelConfig, GRUAnalysisConfig, TrainerConfig().max_epochs,
                  ("experiment=sweep_seeds",)),
    "hebbian": Family(FaceInteractionDataConfig, HebbianModelConfig, HebbianAnalysisConfig, 1,
                      ("experiment=sweep_seeds_hebbian",)),
    "associative": Family(SensorimotorPairingsDataConfig, AssociativeModelConfig, AssociativeAnalysisConfig, 1,
                          ("model=asl_associative", "experiment=sweep_seeds"), per_job=True),
}
"""Per family: its schemas, its epochs (the default trainer's, or the online trainer's single pass) and the overrides
of the sweep it is timed against (``seed=range(N)`` added)."""


def build_job(family: Family, seed: int, threads: int) -> tuple[Any, Any, Any]:
    """The job's datamodule (set up), model and analysis settings, from the schemas' defaults at ``seed``."""
    reset_process_state(seed, threads)  # as a job's
    data_config = family.data(seed=seed)
    datamodule = get_class(data_config._target_)(**constructor_arguments(data_config))
    model_config = family.model()
    model = get_class(model_config._target_)(**constructor_arguments(model_config), **datamodule.model_kwargs())
    datamodule.setup("fit")  # after the model, as a Trainer sets it up
    return datamodule, model, family.analysis(seed=seed)


def train_epoch(model: Any, loaders: tuple[Any, Any], optimiser: torch.optim.Optimizer) -> dict[str, float]:
    """One epoch of Adam on the model's objective, then validation: the epoch means a job logs (train and val losses,
    observe accuracy), computed as the model computes them."""
    means = {stage: EpochMeans() for stage in ("train", "val")}

    def objective(stage: str, batch: Any, losses: dict[str, torch.Tensor], **extra: torch.Tensor) -> torch.Tensor:
        loss = model.objective(losses)
        means[stage].add({training_metric(stage, name): value for name, value in {"loss": loss, **losses, **extra}.items()},
                         batch_size=len(batch.perform_actions))
        return loss

    model.train()
    train, val = loaders
    for batch in train:
        optimiser.zero_grad()
        losses, _ = model.losses(batch, model.inverse_targets)
        objective("train", batch, losses).backward()
        optimiser.step()
    model.eval()
    with torch.no_grad():
        for batch in val:
            losses, logits = model.losses(batch, lambda actions: actions)
            objective("val", batch, losses, **{OBSERVE_ACCURACY: (logits.argmax(-1) == batch.observe_actions).float().mean()})
    return {name: float(value) for stage in means.values() for name, value in stage.pop().items()}


def job(family_name: str, seed: int, folder: Path) -> dict[str, float]:
    """One job's work by hand; its metrics (each callback's latest, and a GRU's last validation)."""
    family = FAMILIES[family_name]
    datamodule, model, settings = build_job(family, seed, machine_cores())  # a job run alone: torch on every core
    callbacks = measuring_callbacks(settings, folder, title="", figures=False)
    trainer = SimpleNamespace(datamodule=datamodule, loggers=[], global_step=0)  # what the callbacks read of one
    for callback in callbacks:
        callback.setup(trainer, model, "fit")
    if hasattr(model, "prepare"):  # the Hebbian network's vision, pre-trained or loaded before the interaction
        model.prepare(datamodule)
    optimiser = model.configure_optimizers()
    for callback in callbacks:
        callback.on_fit_start(trainer, model)
    model.on_fit_start()
    metrics: dict[str, float] = {}
    # Made once, as a Trainer makes them: the training order's generator goes on from epoch to epoch.
    train = datamodule.train_dataloader()
    loaders = (train, datamodule.val_dataloader()) if optimiser is not None else (train, None)
    for _ in range(family.epochs):
        if optimiser is not None:
            metrics.update(train_epoch(model, loaders, optimiser))
            continue
        for index, batch in enumerate(loaders[0]):
            model.training_step(batch, index)
            for callback in callbacks:
                callback.on_train_batch_end(trainer, model, None, batch, index)
    for callback in callbacks:
        callback.on_fit_end(trainer, model)
    torch.save(model.state_dict(), folder / "model.pt")
    for callback in callbacks:
        metrics.update(callback.logged)
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("--seeds", type=int, default=1, help="do the jobs of seeds 0 to N-1 in turn")
    parser.add_argument("--out", type=Path, required=True, help="the JSON file every job's metrics are written to")
    args = parser.parse_args()
    metrics = {}
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(args.seeds):
            folder = Path(scratch) / f"seed{seed}"
            folder.mkdir()
            metrics[seed] = job(args.family, seed, folder)
    args.out.write_text(json.dumps(metrics, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
