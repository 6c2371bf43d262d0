"""A recorded session in NWB as the shared analysis reads it (docs/recordings.md): spikes from the Units table or
fluorescence from a RoiResponseSeries, binned around a named event of each trial of the trials table, split by the
column that says the context (execution or observation) and labelled by the column that says the condition.

Recorded trials are unequal in number and unpaired across contexts, with one condition per trial, while the shared
analysis takes perform and observe activity paired trial by trial: a session reaches it as condition-by-bin means
per context, each condition a "trial" of both contexts (paired by condition and bin). Units with no spike in any
window are dropped and counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirror.config.checks import ConfigError
from mirror.protocol import MirrorActivity

CONTEXTS = ("execution", "observation")
"""The two contexts, in the order the shared analysis takes them (perform, observe)."""


@dataclass(frozen=True)
class Session:
    """Binned trials of one recorded session: (trials, bins, units) rates per context, each trial's condition index,
    the condition names, and what identifies the file."""

    perform: np.ndarray
    observe: np.ndarray
    perform_conditions: np.ndarray
    observe_conditions: np.ndarray
    perform_baseline: np.ndarray
    """(trials, units): each execution trial's mean rate in its pre-event baseline window."""
    observe_baseline: np.ndarray
    conditions: tuple[str, ...]
    identifier: str
    silent_units: int

    def condition_means(self) -> MirrorActivity:
        """Each context's mean over the trials of each condition, paired by condition and bin (conditions as trials)."""
        means = []
        for trials, conditions in ((self.perform, self.perform_conditions), (self.observe, self.observe_conditions)):
            means.append(np.stack([trials[conditions == k].mean(axis=0) for k in range(len(self.conditions))]))
        k, bins = len(self.conditions), self.perform.shape[1]
        labels = np.repeat(np.arange(k)[:, None], bins, axis=1)
        return MirrorActivity(perform=means[0], observe=means[1], perform_labels=labels, observe_labels=labels,
                              trial_ids=np.arange(k), n_classes=k, condition_names=("execution", "observation"))


def content_hash(path: Path) -> str:
    """The file's SHA-256, its identity in the run's provenance."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(path: Path, where: str, message: str) -> ConfigError:
    return ConfigError(f"path {path}: {where} {message}")


def _column(trials: Any, name: str, path: Path, field: str) -> np.ndarray:
    if name not in trials.colnames and name not in ("start_time", "stop_time"):
        raise _fail(path, f"trials table has no column {name!r} (data.{field});",
                    f"its columns: {', '.join(trials.colnames)}")
    return np.asarray(trials[name].data[:])


def bin_spikes(spike_times: list[np.ndarray], events: np.ndarray, start: float, stop: float, width: float) -> np.ndarray:
    """(trials, bins, units) rates in spikes/s from each unit's spike times, in bins of ``width`` s over
    [event + start, event + stop) of every trial."""
    edges = np.arange(start, stop + width / 2, width)
    windows = events[:, None] + edges[None, :]  # (trials, bins + 1): every bin edge of every trial
    rates = np.zeros((len(events), len(edges) - 1, len(spike_times)))
    for unit, times in enumerate(spike_times):  # spikes before each edge, by binary search of the sorted times
        rates[..., unit] = np.diff(np.searchsorted(np.sort(times), windows, side="left"), axis=1) / width
    return rates


def bin_series(data: np.ndarray, timestamps: np.ndarray, events: np.ndarray, start: float, stop: float,
               width: float) -> np.ndarray:
    """(trials, bins, rois) mean fluorescence of each bin of [event + start, event + stop) (NaN-free: an empty bin
    takes the nearest sample)."""
    edges = np.arange(start, stop + width / 2, width)
    centres = (edges[:-1] + edges[1:]) / 2
    out = np.zeros((len(events), len(centres), data.shape[1]))
    for trial, event in enumerate(events):
        index = np.searchsorted(timestamps, event + centres).clip(0, len(timestamps) - 1)
        out[trial] = data[index]
    return out


def read_session(path: Path, settings: Any) -> Session:
    """The session at ``path`` binned as ``settings`` (a RecordingDataConfig) says; ConfigError naming the file and
    the table or column at the first thing missing."""
    from pynwb import NWBHDF5IO

    if not path.is_file():
        raise _fail(path, "is not a file", "(data.path)")
    try:
        io = NWBHDF5IO(str(path), mode="r")
        nwb = io.read()
    except Exception as error:  # noqa: BLE001 - any reader failure is a file that is not NWB
        raise _fail(path, "cannot be read as NWB:", f"{type(error).__name__}: {str(error).splitlines()[0][:200]}") \
            from None
    try:
        trials = nwb.trials
        if trials is None or len(trials) == 0:
            raise _fail(path, "has no trials table", "(nwbfile.trials)")
        contexts = _column(trials, settings.context_column, path, "context_column").astype(str)
        known = {settings.execution_value: 0, settings.observation_value: 1}
        unknown = sorted(str(value) for value in set(contexts) - set(known))
        if unknown:
            raise _fail(path, f"trials column {settings.context_column!r} has values {unknown} that are neither",
                        f"{settings.execution_value!r} (data.execution_value) nor {settings.observation_value!r} "
                        "(data.observation_value)")
        conditions = _column(trials, settings.condition_column, path, "condition_column").astype(str)
        events = _column(trials, settings.event_column, path, "event_column").astype(np.float64)
        names = tuple(sorted(str(name) for name in set(conditions)))
        if settings.signal == "units":
            if nwb.units is None or len(nwb.units) == 0:
                raise _fail(path, "has no Units table", "(nwbfile.units; data.signal=units)")
            spikes = [np.asarray(nwb.units.get_unit_spike_times(i)) for i in range(len(nwb.units))]
            rates = bin_spikes(spikes, events, settings.window_start, settings.window_stop, settings.bin_s)
            baseline = bin_spikes(spikes, events, settings.baseline_start, settings.baseline_stop,
                                  settings.baseline_stop - settings.baseline_start)[:, 0]
        else:
            series = _roi_series(nwb, settings.roi_series, path)
            timestamps = (np.asarray(series.timestamps[:]) if series.timestamps is not None else
                          series.starting_time + np.arange(series.data.shape[0]) / series.rate)
            data = np.asarray(series.data[:], dtype=np.float64)
            rates = bin_series(data, timestamps, events, settings.window_start, settings.window_stop, settings.bin_s)
            baseline = bin_series(data, timestamps, events, settings.baseline_start, settings.baseline_stop,
                                  settings.baseline_stop - settings.baseline_start)[:, 0]
        identifier = str(nwb.identifier)
    finally:
        io.close()
    active = np.abs(rates).sum(axis=(0, 1)) > 0
    if not active.any():
        raise _fail(path, "holds not a single spike (or signal) in any trial's window", "(data.window_start, "
                    "data.window_stop, data.event_column)")
    index = np.array([names.index(c) for c in conditions])
    context = np.array([known[c] for c in contexts])
    for side, name in enumerate(CONTEXTS):
        missing = sorted(str(name) for name in set(names) - set(conditions[context == side]))
        if missing:
            raise _fail(path, f"has no {name} trial of condition(s) {missing}", f"(column {settings.condition_column!r})")
    rates, baseline = rates[..., active], baseline[:, active]
    return Session(perform=rates[context == 0], observe=rates[context == 1], perform_conditions=index[context == 0],
                   observe_conditions=index[context == 1], perform_baseline=baseline[context == 0],
                   observe_baseline=baseline[context == 1], conditions=names, identifier=identifier,
                   silent_units=int((~active).sum()))


def _roi_series(nwb: Any, name: str, path: Path) -> Any:
    """The RoiResponseSeries called ``name`` in any processing module (the only one when ``name`` is empty)."""
    from pynwb.ophys import RoiResponseSeries

    found = {obj.name: obj for obj in nwb.objects.values() if isinstance(obj, RoiResponseSeries)}
    if not found:
        raise _fail(path, "has no RoiResponseSeries", "(data.signal=roi)")
    if name:
        if name not in found:
            raise _fail(path, f"has no RoiResponseSeries {name!r} (data.roi_series);", f"it has {sorted(found)}")
        return found[name]
    if len(found) > 1:
        raise _fail(path, f"has {len(found)} RoiResponseSeries {sorted(found)}:", "name one in data.roi_series")
    return next(iter(found.values()))
