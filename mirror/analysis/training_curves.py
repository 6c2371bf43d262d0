"""Measures taken over one pass of online learning (the Hebbian and the associative model): a
callback that takes and logs them every ``eval_every`` steps, and the figure of their curves
with the training phases shaded (development, counter-mirror, repair)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import seaborn as sns

from mirror.analysis.callback import FamilyCallback
from mirror.plotting import plt, save_figure
from mirror.vocabulary import LATENCIES, PHASES, phase_label

CurvePoint = Mapping[str, float]
"""One point of a curve: 'step', 'phase' (an index into PHASES) and the measures taken there."""


def curves_over_training(curve: Sequence[CurvePoint], series: Mapping[str, str], xlabel: str, ylabel: str,
                         title: str, path: Path, from_zero: bool = False) -> Path:
    """Each of ``series`` (legend label -> key of the points) against the step, later phases shaded."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, ax = plt.subplots(figsize=(10, 4))
    steps = np.array([point["step"] for point in curve])
    phases = np.array([point["phase"] for point in curve])
    for phase, colour in zip(range(1, len(PHASES)), ("0.9", "0.8")):
        if (phases == phase).any():
            # A phase starts where the last point of the phases before it was taken.
            start = steps[phases < phase].max() if (phases < phase).any() else 0.0
            ax.axvspan(start, steps[phases == phase].max(), color=colour, label=phase_label(PHASES[phase]), zorder=0)
    for label, key in series.items():
        ax.plot(steps, [point[key] for point in curve], marker="o", ms=3, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if from_zero:
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1]))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the axes, off the curves
    return save_figure(fig, path)


class TrainingCurveCallback(FamilyCallback):
    """Takes a model family's measures every ``eval_every`` steps of online learning (the steps
    counted from the batches, the phase read from the datamodule's ``phases``) and logs them as
    ``<family>/curve/<measure>`` beside ``<family>/curve/phase``; subclasses say what to measure."""

    def __init__(self, eval_every: int, metric: Callable[[str, str | None], str], phase_metric: str) -> None:
        super().__init__()
        self.eval_every, self.metric, self.phase_metric = eval_every, metric, phase_metric
        self.curve: list[dict[str, float]] = []
        self.steps_seen = 0

    def measure(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict[str, float]:
        """The measures of one point of the curve."""
        raise NotImplementedError

    def log_metrics(self, trainer: pl.Trainer, metrics: dict[str, float], step: int) -> None:
        self.logged.update(metrics)
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=step)

    SETTLED_FRACTION = 0.25
    """The last part of training the ``settled`` measures average over: its last quarter of steps."""

    def settled(self) -> dict[str, float]:
        """Each measure averaged over the curve's points in the last :attr:`SETTLED_FRACTION` of the steps seen,
        beside the final state (empty before any step)."""
        late = [point for point in self.curve if point["step"] > (1 - self.SETTLED_FRACTION) * self.steps_seen]
        if not self.steps_seen or not late:
            return {}
        names = [name for name in late[0] if name not in ("step", "phase")]
        return {self.metric(name, "settled"): float(np.mean([point[name] for point in late])) for name in names}

    REMAPPED = 0.5
    """A signed measure on [-1, 1] (the mirror balance) counts as re-mapped once it passes this far on the other side of
    zero: anti-mirror neurons outnumbering mirror ones by half the layer (or the reverse in repair). A layer paired at
    chance wanders within about +-0.25 (the planted independent layer, seeds 0-4), so its noise never passes it, where
    a first crossing of zero would time that noise."""

    def steps_to_sign(self, phases: np.ndarray, name: str) -> dict[str, float]:
        """How fast training re-maps ``name`` (a signed measure, e.g. the mirror balance): the steps from the start
        of counter-mirror training until it first falls below -:attr:`REMAPPED` (``steps_to_reversal``), and from the
        start of repair until it first rises above +:attr:`REMAPPED` again (``steps_to_repair``), read at the
        curve's points. A phase that never gets there, or was not run, logs nothing: its steps are censored at the
        phase's length."""
        latencies = {}
        for phase, (measure, sign) in enumerate(zip(LATENCIES, (-1.0, 1.0)), start=1):
            if not (phases == phase).any():
                continue
            start = int(np.argmax(phases == phase))
            reached = [point["step"] for point in self.curve
                       if point["phase"] == phase and sign * point[name] > self.REMAPPED]
            if reached:
                latencies[self.metric(measure, None)] = reached[0] - start
        return latencies

    def start_curve(self, measures: dict[str, float]) -> None:
        """The point before training (step 0, the first phase)."""
        self.curve.append({"step": 0.0, "phase": 0.0, **measures})

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        before, self.steps_seen = self.steps_seen, self.steps_seen + len(batch.phase)
        if self.steps_seen // self.eval_every > before // self.eval_every:
            phase = float(trainer.datamodule.phases[self.steps_seen - 1])
            measures = self.measure(trainer, pl_module)
            self.curve.append({"step": float(self.steps_seen), "phase": phase, **measures})
            logged = {self.metric(name, "curve"): value for name, value in measures.items()}
            self.log_metrics(trainer, {**logged, self.phase_metric: phase}, step=self.steps_seen)
