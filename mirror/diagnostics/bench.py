"""``make bench``: what the pipeline costs, each figure a ratio of interleaved runs.

By default, the framework's cost (``--framework``: each family's 10-seed sweep against the same work by hand,
:mod:`mirror.diagnostics.same_work`; the associative model's cost per job) and the compute floor of one GRU job
(``--floor``: its training and lesion test against their matrix products timed alone,
:mod:`mirror.diagnostics.floor`); ``make bench`` then prints the plan of ``make paper`` and its ratio to its floor.
``--run``: the wall time of ``python -m mirror.run`` at the paper's settings (start-up,
training, analysis, figures, MLflow) against ``python -m mirror.diagnostics.plain_gru``
(the same model, data, training and per-unit r in one plain script), each a fresh process,
interleaved, median of ``--repeats``, and their ratio. ``--parts`` times the training loop
(Lightning against the plain loop, in one process) and the shared analysis instead;
``--variants`` every readout and input variant's training; ``--recording`` a planted NWB session of 1,000 units
and 600 trials read, binned and analysed (and smaller ones, for how it grows).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from mirror.analysis.summary import analyse
from mirror.config import (
    ActionSequenceDataConfig,
    AnalysisConfig,
    GRUModelConfig,
    constructor_arguments,
)
from mirror.config.recording import RecordingAnalysisConfig, RecordingDataConfig
from mirror.data.action_sequences import ActionSequenceDataModule
from mirror.data.planted import Population, plant
from mirror.data.planted_sessions import write_session
from mirror.data.recording import read_session
from mirror.diagnostics.same_work import FAMILIES
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
"""The readout and input variants of docs/models/predictive-gru.md 2.1, each timed against readout=own (``--variants``)."""


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


def wall_seconds(command: list[str]) -> float:
    """Wall time of one command in a fresh process; its failure stops the bench."""
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def end_to_end(repeats: int) -> tuple[float, float]:
    """Median wall seconds of the plain script and of ``python -m mirror.run``, interleaved; the
    run writes its store and outputs into a scratch folder."""
    with tempfile.TemporaryDirectory() as scratch:
        runs = iter(range(repeats))
        run = [sys.executable, "-m", "mirror.run", f"tracking.uri=sqlite:///{scratch}/mlflow.db",
               f"tracking.artifact_root={scratch}/artifacts"]
        plain = [sys.executable, "-m", "mirror.diagnostics.plain_gru"]
        plain_s, run_s = interleaved_medians(
            repeats, lambda: wall_seconds(plain), lambda: wall_seconds([*run, f"hydra.run.dir={scratch}/run{next(runs)}"]))
    return plain_s, run_s


def framework_seconds(family: str, seeds: int, repeats: int) -> tuple[float, float]:
    """Median wall seconds of the family's jobs over ``seeds`` seeds done by hand in one process
    (:mod:`mirror.diagnostics.same_work`) and of the same sweep through ``python -m mirror.run`` (one job after
    another, every job analysed and recorded), interleaved, after one untimed pass of each (which also fills the
    Hebbian vision cache both then read)."""
    overrides = FAMILIES[family].sweep
    with tempfile.TemporaryDirectory() as scratch:
        sweeps = iter(range(repeats + 1))
        sweep = [sys.executable, "-m", "mirror.run", *overrides, f"seed=range({seeds})",
                 f"tracking.uri=sqlite:///{scratch}/mlflow.db", f"tracking.artifact_root={scratch}/artifacts",
                 "tracking.resume=false"]  # every repeat runs every job, none skipped as FINISHED
        by_hand = [sys.executable, "-m", "mirror.diagnostics.same_work", family, "--seeds", str(seeds),
                   "--out", f"{scratch}/metrics.json"]
        measures = (lambda: wall_seconds(by_hand),
                    lambda: wall_seconds([*sweep, f"hydra.sweep.dir={scratch}/sweep{next(sweeps)}", "-m"]))
        interleaved_medians(1, *measures)
        return tuple(interleaved_medians(repeats, *measures))


FRAMEWORK_SEEDS = 10
"""Seeds of each family's sweep in ``--framework`` (the associative model's per-job cost also at three times as many)."""
FRAMEWORK_TARGET = 1.15
"""The sweep's time over the same work by hand that the GRU and the Hebbian network must stay within."""


def time_framework(repeats: int, families: list[str]) -> None:
    """Each family's sweep against the same work by hand; for a family judged per job (the associative model), also
    the cost per job once the sweep has started (30 seeds against 10)."""
    seeds = FRAMEWORK_SEEDS
    print(f"the framework's cost: a sweep of {seeds} seeds against the same work by hand in one process "
          f"(python -m mirror.diagnostics.same_work), median of {repeats}, interleaved")
    for family in families:
        by_hand, sweep = framework_seconds(family, seeds, repeats)
        print(f"  {family:<12} by hand {by_hand:7.2f} s  sweep {sweep:7.2f} s  sweep / by hand {sweep / by_hand:5.2f} x"
              + ("" if FAMILIES[family].per_job else f" (target {FRAMEWORK_TARGET})"))
        if FAMILIES[family].per_job:
            by_hand_more, sweep_more = framework_seconds(family, 3 * seeds, repeats)
            per_job = (sweep_more - sweep) / (2 * seeds)
            print(f"  {'':<12} per job once started ({3 * seeds} seeds against {seeds}): sweep {per_job:6.3f} s, "
                  f"by hand {(by_hand_more - by_hand) / (2 * seeds):6.3f} s")


def time_floor(threads: int) -> None:
    """One default GRU job (shared core, seed 0) against the floor of its matrix products."""
    from mirror.diagnostics.floor import gru_job_floor

    training, lesions = gru_job_floor(threads)
    print(f"the compute floor of one default GRU job (shared core, seed 0, {threads} torch thread"
          f"{'s' if threads > 1 else ''}; make paper's jobs at JOBS=2 have 1):")
    print(training.line("training, 20 epochs"))
    print(lesions.line("lesion test"))


RECORDING = (1000, 600, 20)
"""The session the recording target is stated for: units, trials (half each context), bins (docs/recordings.md)."""
RECORDING_SCALING = ((250, 600), (500, 600), (1000, 150), (1000, 300))
"""Smaller sessions, each timed once, for how the cost grows with units and with trials."""


def planted_recording(path: Path, units: int, trials: int, bins: int) -> Path:
    """A planted session of spike trains (30 % mirror units, four conditions) written to ``path`` (untimed)."""
    rng = np.random.default_rng(0)
    conditions = rng.integers(0, 4, trials)
    labels = np.repeat(conditions[:, None], bins, axis=1)
    activity = plant(Population(units, 0.3, 0.1, "permuted", 0, 0.1, 0.1), labels, labels, 4, rng)
    half = trials // 2
    return write_session(path, activity.perform[:half], activity.observe[half:], conditions[:half],
                         conditions[half:])


def recording_seconds(path: Path, scratch: Path) -> tuple[float, float, float]:
    """Wall seconds of ``python -m mirror.run model=recording`` on ``path`` in a fresh process (read, binned,
    analysed, recorded), and, in this process, of reading and binning and of the analysis alone."""
    runs = len(list(scratch.glob("run*")))
    wall = wall_seconds([sys.executable, "-m", "mirror.run", "model=recording", f"data.path={path}",
                         f"tracking.uri=sqlite:///{scratch}/mlflow.db", f"tracking.artifact_root={scratch}/artifacts",
                         "tracking.resume=false", f"hydra.run.dir={scratch}/run{runs}"])
    started = time.perf_counter()
    session = read_session(path, RecordingDataConfig(path=str(path)))
    read = time.perf_counter() - started
    started = time.perf_counter()
    analyse(session.activity(), RecordingAnalysisConfig(), session.trials())
    return wall, read, time.perf_counter() - started


def time_recordings(repeats: int) -> None:
    """The recording target (a 1,000-unit, 600-trial session in under a minute), median of ``repeats``, then each
    smaller session once."""
    units, trials, bins = RECORDING
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        path = planted_recording(scratch / "session.nwb", units, trials, bins)
        timings = [recording_seconds(path, scratch) for _ in range(repeats)]
        wall, read, analysis = (statistics.median(column) for column in zip(*timings))
        print(f"a recorded session of {units} units x {trials} trials x {bins} bins, median of {repeats}:")
        print(f"  python -m mirror.run model=recording, end to end  {wall:7.2f} s (target: under 60 s)")
        print(f"  of which reading and binning                     {read:7.2f} s, the analysis {analysis:7.2f} s")
        print("how it grows (each once): units x trials -> end to end, reading, analysis")
        for units, trials in RECORDING_SCALING:
            path = planted_recording(scratch / f"session_{units}_{trials}.nwb", units, trials, bins)
            wall, read, analysis = recording_seconds(path, scratch)
            print(f"  {units:5d} x {trials:4d}  {wall:7.2f} s  {read:6.2f} s  {analysis:6.2f} s")


STACK = {
    "python alone": "pass",
    "torch": "import torch",
    "pytorch_lightning (torch included)": "import pytorch_lightning",
    "mlflow": "import mlflow.tracking",
    "hydra and omegaconf": "import hydra, omegaconf",
}
"""What a run imports that the plain script does not (torch aside), each timed in a fresh process:
the fixed cost of the stack, which no change to this project's own code can remove."""


def import_seconds(repeats: int) -> dict[str, float]:
    """Median wall seconds of a fresh interpreter importing each of ``STACK``, interleaved."""
    medians = interleaved_medians(repeats, *(
        lambda statement=statement: wall_seconds([sys.executable, "-c", statement]) for statement in STACK.values()))
    return dict(zip(STACK, medians))


def time_run(repeats: int) -> None:
    """One run end to end against the plain script, and what importing the stack costs a fresh process."""
    plain, run = end_to_end(repeats)
    print(f"one run end to end, paper settings, median of {repeats}, interleaved:")
    print(f"  plain PyTorch script (python -m mirror.diagnostics.plain_gru)  {plain:7.2f} s")
    print(f"  python -m mirror.run                                           {run:7.2f} s")
    print(f"  mirror.run / plain                                             {run / plain:7.2f} x")
    print(f"a fresh process importing, median of {repeats}, interleaved:")
    for name, seconds in import_seconds(repeats).items():
        print(f"  {name:<61}  {seconds:7.2f} s")


def time_parts(epochs: int, repeats: int) -> None:
    """The training loop (Lightning against the plain loop, in one process) and the shared analysis."""
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {epochs} epochs, median of {repeats}")
    plain, lightning = interleaved_medians(repeats, lambda: plain_fit(epochs, seed=0), lambda: lightning_fit(epochs, seed=0))
    analysis = analysis_seconds(max(repeats, 5))
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
    print(f"steps per second, plain: {epochs * 32 / plain:.0f}; Lightning: {epochs * 32 / lightning:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20, help="training epochs of --parts and --variants (paper: 20)")
    parser.add_argument("--repeats", type=int, default=3, help="timings are medians of this many")
    parser.add_argument("--parts", action="store_true",
                        help="time the training loop (Lightning vs plain, one process) and the analysis instead")
    parser.add_argument("--variants", action="store_true",
                        help="time every readout and input variant's training against readout=own instead")
    parser.add_argument("--framework", nargs="*", choices=sorted(FAMILIES), metavar="FAMILY",
                        help="time each family's sweep against the same work by hand (default: every family)")
    parser.add_argument("--floor", action="store_true",
                        help="one GRU job's training and lesion test against the floor of their matrix products")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of --floor (make paper's jobs: 1)")
    parser.add_argument("--run", action="store_true",
                        help="time one run end to end against a plain-PyTorch script, and the stack's imports")
    parser.add_argument("--recording", action="store_true",
                        help="time a planted 1,000-unit, 600-trial NWB session through model=recording instead")
    args = parser.parse_args()
    if not (args.run or args.parts or args.variants or args.recording or args.floor or args.framework is not None):
        args.framework, args.floor = [], True
    if args.framework is not None:
        time_framework(args.repeats, args.framework or sorted(FAMILIES))
    if args.floor:
        time_floor(args.threads)
    if args.recording:
        time_recordings(args.repeats)
    if args.variants:
        time_variants(args.epochs, args.repeats)
    if args.run:
        time_run(args.repeats)
    if args.parts:
        time_parts(args.epochs, args.repeats)


if __name__ == "__main__":
    main()
