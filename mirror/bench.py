"""``make bench``: where the time of a run goes, against a plain-PyTorch baseline.

Prints wall times of (1) the paper-size training loop in Lightning and in a minimal
plain-PyTorch loop over the same model, data, epochs and validation passes, and
(2) the whole shared analysis (permutation test, decoders, lags, matching, CKA,
geometry) of a paper-size test set, figures excluded.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pytorch_lightning as pl
import torch

from mirror.analysis.summary import analyse
from mirror.config import (
    ActionSequenceDataConfig,
    AnalysisConfig,
    GRUModelConfig,
    constructor_arguments,
)
from mirror.data.action_sequences import ActionSequenceDataModule
from mirror.models.gru_variants import SharedCoreGRU

VARIANTS = {
    "readout=own": {},
    "readout=both": {"readout": "both"},
    "readout=observe_on_perform": {"readout": "observe_on_perform"},
    "readout=perform_on_observe": {"readout": "perform_on_observe"},
    "perform_input=action_and_previous_state, state_projection=shared": {"perform_input": "action_and_previous_state"},
    "perform_input=action_and_previous_state, state_projection=own": {"perform_input": "action_and_previous_state",
                                                                      "state_projection": "own"},
}
"""The readout and input variants of SCIENCE.md 2.1, each timed against readout=own (``--variants``)."""


def fresh_setup(seed: int, **model_fields: str) -> tuple[SharedCoreGRU, ActionSequenceDataModule]:
    pl.seed_everything(seed, verbose=False)
    torch.use_deterministic_algorithms(True)
    datamodule = ActionSequenceDataModule(**constructor_arguments(ActionSequenceDataConfig(seed=seed)))
    datamodule.setup()
    model = SharedCoreGRU(**datamodule.model_kwargs(), **constructor_arguments(GRUModelConfig(**model_fields)))
    return model, datamodule


def lightning_fit(epochs: int, seed: int, **model_fields: str) -> float:
    model, datamodule = fresh_setup(seed, **model_fields)
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        deterministic=True,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
    )
    started = time.perf_counter()
    trainer.fit(model, datamodule=datamodule)
    return time.perf_counter() - started


def plain_fit(epochs: int, seed: int) -> float:
    model, datamodule = fresh_setup(seed)
    optimiser = model.configure_optimizers()
    train_loader, val_loader = datamodule.train_dataloader(), datamodule.val_dataloader()
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for batch in train_loader:
            optimiser.zero_grad()
            losses, _ = model.losses(batch, model.inverse_targets)
            model.objective(losses).backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            for batch in val_loader:
                model.losses(batch, lambda actions: actions)
    return time.perf_counter() - started


def interleaved_medians(repeats: int, *measures: Callable[[], float]) -> list[float]:
    """Run the measures in turn (ABAB...) and return each one's median: timings on a shared
    2-core machine drift by tens of percent, and interleaving spreads the drift evenly."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(repeats):
        for measure, found in zip(measures, samples):
            found.append(measure())
    return [statistics.median(found) for found in samples]


def analysis_seconds(repeats: int) -> float:
    model, datamodule = fresh_setup(0)
    activity = model.mirror_activity(datamodule.test_dataloader())
    analyse(activity, AnalysisConfig())  # warm-up

    def once() -> float:
        started = time.perf_counter()
        analyse(activity, AnalysisConfig())
        return time.perf_counter() - started

    (seconds,) = interleaved_medians(repeats, once)
    return seconds


def time_variants(epochs: int, repeats: int) -> None:
    """Each variant's Lightning training, interleaved, as seconds and as a multiple of readout=own."""
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {epochs} epochs, median of {repeats}")
    seconds = interleaved_medians(repeats, *(
        lambda fields=fields: lightning_fit(epochs, seed=0, **fields) for fields in VARIANTS.values()))
    width = max(len(name) for name in VARIANTS)
    for name, value in zip(VARIANTS, seconds):
        print(f"{name:<{width}}  {value:7.2f} s  {value / seconds[0]:5.2f} x readout=own")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (paper: 20)")
    parser.add_argument("--repeats", type=int, default=3, help="timings are medians of this many")
    parser.add_argument("--variants", action="store_true",
                        help="time every readout and input variant's training against readout=own instead")
    args = parser.parse_args()
    if args.variants:
        time_variants(args.epochs, args.repeats)
        return

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.epochs} epochs, median of {args.repeats}")
    plain, lightning = interleaved_medians(
        args.repeats, lambda: plain_fit(args.epochs, seed=0), lambda: lightning_fit(args.epochs, seed=0)
    )
    analysis = analysis_seconds(max(args.repeats, 5))
    rows = [
        ("training, plain PyTorch loop", plain),
        ("training, Lightning Trainer", lightning),
        ("Lightning / plain", lightning / plain),
        ("analysis of 300 x 12 x 96, 1,000 permutations", analysis),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        unit = "x" if "/" in name else "s"
        print(f"{name:<{width}}  {value:8.3f} {unit}")
    print(f"steps per second, plain: {args.epochs * 32 / plain:.0f}; Lightning: {args.epochs * 32 / lightning:.0f}")


if __name__ == "__main__":
    main()
