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
from mirror.protocol import ContextTrials, MirrorActivity

CONTEXTS = ("execution", "observation")
"""The two contexts, in the order the shared analysis takes them (perform, observe)."""


ORIGINS = {"mirror planted": "planted", "mirror export": "exported"}
"""NWB keywords that mark a session this project wrote (a planted test session, a model run exported): the claims
page shows only recorded ones as data."""


@dataclass(frozen=True)
class Session:
    """Binned trials of one recorded session: (trials, bins, units) rates per context, each bin's condition index,
    the condition names, and what identifies the file. ``paired``: trial n of each context is the same sequence
    (a pair column named them, as an exported model run has), so the trials reach the shared analysis as a model's."""

    perform: np.ndarray
    observe: np.ndarray
    perform_labels: np.ndarray
    """(trials, bins): each execution bin's condition index."""
    observe_labels: np.ndarray
    perform_baseline: np.ndarray
    """(trials, units): each execution trial's mean rate in its pre-event baseline window."""
    observe_baseline: np.ndarray
    conditions: tuple[str, ...]
    identifier: str
    silent_units: int
    paired: bool
    origin: str
    """'recorded', or 'planted' or 'exported' for a session this project wrote (ORIGINS)."""

    def trials(self) -> ContextTrials:
        """Each context's single trials, unpaired, with their pre-event baselines: what the battery reads. An exported
        model run has no window before its event (its baseline window reads the trial before): it is read as the
        model was, each trial's first step its baseline."""
        exported = self.origin == "exported"
        return ContextTrials(self.perform, self.perform_labels, self.observe, self.observe_labels,
                             len(self.conditions), None if exported else self.perform_baseline,
                             None if exported else self.observe_baseline)

    def activity(self) -> MirrorActivity:
        """What the shared analysis scores: paired trials as they are; otherwise each context's mean over the trials
        of each condition, paired by condition and bin (conditions as trials)."""
        k = len(self.conditions)
        if self.paired:
            return MirrorActivity(perform=self.perform, observe=self.observe, perform_labels=self.perform_labels,
                                  observe_labels=self.observe_labels, trial_ids=np.arange(len(self.perform)),
                                  n_classes=k, condition_names=CONTEXTS)
        means = [np.stack([trials[labels[:, 0] == c].mean(axis=0) for c in range(k)])
                 for trials, labels in ((self.perform, self.perform_labels), (self.observe, self.observe_labels))]
        labels = np.repeat(np.arange(k)[:, None], self.perform.shape[1], axis=1)
        return MirrorActivity(perform=means[0], observe=means[1], perform_labels=labels, observe_labels=labels,
                              trial_ids=np.arange(k), n_classes=k, condition_names=CONTEXTS)


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
    """(trials, bins, units) rates in spikes/s from each unit's sorted spike times, in bins of ``width`` s over
    [event + start, event + stop) of every trial."""
    edges = np.arange(start, stop + width / 2, width)
    windows = events[:, None] + edges[None, :]  # (trials, bins + 1): every bin edge of every trial
    rates = np.zeros((len(events), len(edges) - 1, len(spike_times)))
    for unit, times in enumerate(spike_times):  # spikes before each edge, by binary search of the sorted times
        rates[..., unit] = np.diff(np.searchsorted(times, windows, side="left"), axis=1) / width
    return rates


def bin_series(data: np.ndarray, timestamps: np.ndarray, events: np.ndarray, start: float, stop: float,
               width: float) -> np.ndarray:
    """(trials, bins, rois) mean of the samples in each bin of [event + start, event + stop); a bin with no sample
    (a slow frame rate) takes the sample nearest its centre."""
    edges = events[:, None] + np.arange(start, stop + width / 2, width)[None, :]  # (trials, bins + 1)
    sums = np.concatenate([np.zeros((1, data.shape[1])), np.cumsum(data, axis=0)])
    index = np.searchsorted(timestamps, edges, side="left")
    counts = np.diff(index, axis=1)  # samples per bin
    binned = (sums[index[:, 1:]] - sums[index[:, :-1]]) / np.maximum(counts, 1)[..., None]
    if (counts == 0).any():
        centres = (edges[:, :-1] + edges[:, 1:]) / 2
        after = np.searchsorted(timestamps, centres).clip(1, len(timestamps) - 1)
        nearest = np.where(np.abs(timestamps[after - 1] - centres) <= np.abs(timestamps[after] - centres),
                           after - 1, after)
        binned[counts == 0] = data[nearest[counts == 0]]
    return binned


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
        pairs = _column(trials, settings.pair_column, path, "pair_column") if settings.pair_column else None
        rates, baseline = _binned(nwb, events, settings, path)
        identifier = str(nwb.identifier)
        keywords = {str(word) for word in (nwb.keywords[:] if nwb.keywords is not None else [])}
    finally:
        io.close()
    active = np.abs(rates).sum(axis=(0, 1)) > 0
    if not active.any():
        raise _fail(path, "holds not a single spike (or signal) in any trial's window", "(data.window_start, "
                    "data.window_stop, data.event_column)")
    labels, names = _labels(conditions, rates.shape[1], path, settings)
    context = np.array([known[c] for c in contexts])
    for side, name in enumerate(CONTEXTS):
        missing = sorted(names[k] for k in set(range(len(names))) - set(labels[context == side].ravel()))
        if missing:
            raise _fail(path, f"has no {name} trial of condition(s) {missing}", f"(column {settings.condition_column!r})")
    order = [np.flatnonzero(context == side) for side in (0, 1)]
    if pairs is not None:
        order = _paired(pairs, context, path, settings.pair_column)
    rates, baseline = rates[..., active], baseline[:, active]
    perform, observe = order
    origin = next((ORIGINS[word] for word in sorted(keywords) if word in ORIGINS), "recorded")
    return Session(perform=rates[perform], observe=rates[observe], perform_labels=labels[perform],
                   observe_labels=labels[observe], perform_baseline=baseline[perform],
                   observe_baseline=baseline[observe], conditions=names, identifier=identifier,
                   silent_units=int((~active).sum()), paired=pairs is not None, origin=origin)


def _binned(nwb: Any, events: np.ndarray, settings: Any, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(trials, bins, units) activity in the window and (trials, units) in the baseline window."""
    windows = ((settings.window_start, settings.window_stop, settings.bin_s),
               (settings.baseline_start, settings.baseline_stop, settings.baseline_stop - settings.baseline_start))
    if settings.signal == "units":
        if nwb.units is None or len(nwb.units) == 0:
            raise _fail(path, "has no Units table", "(nwbfile.units; data.signal=units)")
        spikes = [np.sort(np.asarray(nwb.units.get_unit_spike_times(i))) for i in range(len(nwb.units))]
        rates, baseline = (bin_spikes(spikes, events, *window) for window in windows)
    else:
        series = _series(nwb, settings, path)
        timestamps = (np.asarray(series.timestamps[:]) if series.timestamps is not None else
                      series.starting_time + np.arange(series.data.shape[0]) / series.rate)
        data = np.asarray(series.data[:], dtype=np.float64).reshape(len(timestamps), -1)
        rates, baseline = (bin_series(data, timestamps, events, *window) for window in windows)
    return rates, baseline[:, 0]


def _labels(conditions: np.ndarray, bins: int, path: Path, settings: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """(trials, bins) condition indices from one condition per trial, or one per bin (a 2-D column, as an exported
    model run writes where the action changes within a trial), and the sorted condition names."""
    if conditions.ndim == 2 and conditions.shape[1] != bins:
        raise _fail(path, f"trials column {settings.condition_column!r} holds {conditions.shape[1]} conditions per "
                    f"trial, not one per bin ({bins}:", "data.window_start, data.window_stop, data.bin_s)")
    if conditions.ndim == 2 and not settings.pair_column and (conditions != conditions[:, :1]).any():
        raise _fail(path, f"trials column {settings.condition_column!r} changes condition within trials, which only "
                    "paired trials can be read with:", "name their pair column (data.pair_column)")
    names = tuple(sorted(set(conditions.ravel().tolist())))
    index = np.searchsorted(np.array(names), conditions)
    return (index if index.ndim == 2 else np.repeat(index[:, None], bins, axis=1)), names


def _paired(pairs: np.ndarray, context: np.ndarray, path: Path, column: str) -> list[np.ndarray]:
    """The execution and the observation trial of each pair, in the pairs' order; ConfigError unless every pair has
    exactly one of each."""
    order = []
    for side in (0, 1):
        values = pairs[context == side]
        if len(set(values.tolist())) != len(values):
            raise _fail(path, f"trials column {column!r} names a pair twice in {CONTEXTS[side]} trials",
                        "(data.pair_column)")
        order.append(np.flatnonzero(context == side)[np.argsort(values, kind="stable")])
    if not np.array_equal(np.sort(pairs[context == 0]), np.sort(pairs[context == 1])):
        raise _fail(path, f"trials column {column!r} has pairs without both an execution and an observation trial",
                    "(data.pair_column)")
    return order


def _series(nwb: Any, settings: Any, path: Path) -> Any:
    """The RoiResponseSeries (signal=roi) or TimeSeries (signal=series) called ``settings.series`` anywhere in the
    file (the only one when ``series`` is empty)."""
    from pynwb import TimeSeries
    from pynwb.ophys import RoiResponseSeries

    kind = RoiResponseSeries if settings.signal == "roi" else TimeSeries
    found = {obj.name: obj for obj in nwb.objects.values() if isinstance(obj, kind)}
    if not found:
        raise _fail(path, f"has no {kind.__name__}", f"(data.signal={settings.signal})")
    if settings.series:
        if settings.series not in found:
            raise _fail(path, f"has no {kind.__name__} {settings.series!r} (data.series);", f"it has {sorted(found)}")
        return found[settings.series]
    if len(found) > 1:
        raise _fail(path, f"has {len(found)} {kind.__name__}s {sorted(found)}:", "name one in data.series")
    return next(iter(found.values()))
