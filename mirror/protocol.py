"""The one structure that passes between any model and the shared analysis.

A model exposes ``mirror_activity(dataloader) -> MirrorActivity``; the analysis callback
and the report know only this record, never a concrete model. "Perform" is the
executed condition (GRU perform mode, Hebbian motor-only trials) and "observe" the
observed one (GRU observe mode, Hebbian visual-only trials). Trial n of ``perform`` is
matched with trial n of ``observe``: same sequence, or same expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

ACTIVITY_FILE = "activity.npz"
"""The test activity the analysis scored, saved under ``analysis/`` beside its results
(``MirrorActivity.save``, read back by ``mirror.load_activity``)."""
UNITS_FILE = "units.csv"
"""Each unit's measures beside it (its r, p and q against each null), one row per unit."""


@dataclass(frozen=True)
class MirrorActivity:
    """Matched hidden activity of one model on one test set.

    Shapes: ``perform`` and ``observe`` (N trials, T steps, U units); labels (N, T) ints in
    [0, n_classes); ``trial_ids`` (N,) identify the test examples.
    """

    perform: np.ndarray
    observe: np.ndarray
    perform_labels: np.ndarray
    observe_labels: np.ndarray
    trial_ids: np.ndarray
    n_classes: int
    condition_names: tuple[str, str] = ("perform", "observe")

    def __post_init__(self) -> None:
        if self.perform.ndim != 3 or self.perform.shape != self.observe.shape:
            raise ValueError(
                f"perform {self.perform.shape} and observe {self.observe.shape} must both be (N, T, U)"
            )
        n_trials, n_steps, _ = self.perform.shape
        for name in ("perform_labels", "observe_labels"):
            labels = getattr(self, name)
            if labels.shape != (n_trials, n_steps):
                raise ValueError(f"{name} has shape {labels.shape}, expected {(n_trials, n_steps)}")
            if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
                raise ValueError(f"{name} must lie in [0, {self.n_classes})")
        if self.trial_ids.shape != (n_trials,):
            raise ValueError(f"trial_ids has shape {self.trial_ids.shape}, expected {(n_trials,)}")

    @property
    def n_units(self) -> int:
        return self.perform.shape[2]

    def trials(self) -> ContextTrials:
        """The same trials as each context's own, unpaired: what the battery reads."""
        return ContextTrials(self.perform, self.perform_labels, self.observe, self.observe_labels, self.n_classes)

    def save(self, path: Path) -> Path:
        """A compressed ``.npz``, so a run can be re-analysed without training it again.

        The activity is stored as float32 where that loses nothing (a GRU's is float32 cast
        up: a fifth of the time to compress) and read back in the type it had."""
        np.savez_compressed(path, perform=_narrowest_exact(self.perform), observe=_narrowest_exact(self.observe),
                            activity_dtypes=np.array([self.perform.dtype.str, self.observe.dtype.str]),
                            perform_labels=self.perform_labels, observe_labels=self.observe_labels,
                            trial_ids=self.trial_ids, n_classes=np.array(self.n_classes),
                            condition_names=np.array(self.condition_names))
        return path

    @classmethod
    def load(cls, path: Path | str) -> MirrorActivity:
        with np.load(path) as saved:
            perform, observe = saved["perform"], saved["observe"]
            if "activity_dtypes" in saved.files:
                perform_dtype, observe_dtype = saved["activity_dtypes"]
                perform, observe = perform.astype(perform_dtype), observe.astype(observe_dtype)
            return cls(perform, observe, saved["perform_labels"], saved["observe_labels"],
                       saved["trial_ids"], int(saved["n_classes"]), tuple(str(c) for c in saved["condition_names"]))


@dataclass(frozen=True)
class ContextTrials:
    """Single trials of each context, unpaired and unequal in number (a recording's): (N_c, T, U) activity and
    (N_c, T) labels per context. The battery of docs/measures.md 3.4 reads these; a model's are its paired trials."""

    perform: np.ndarray
    perform_labels: np.ndarray
    observe: np.ndarray
    observe_labels: np.ndarray
    n_classes: int
    perform_baseline: np.ndarray | None = None
    """(N_c, U): each trial's mean in a window before the event (a recording's); None: a model's, whose sequences
    start from rest, so each trial's first step is its baseline."""
    observe_baseline: np.ndarray | None = None


def _narrowest_exact(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 when that changes no value, else unchanged."""
    if values.dtype != np.float64:
        return values
    narrow = values.astype(np.float32)
    return narrow if np.array_equal(narrow, values) else values
