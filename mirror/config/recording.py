"""A recorded session as a run (docs/recordings.md): an NWB file read, binned around an event and scored by the
shared analysis and the battery like any model, with nothing to train. The data fields map the lab's column names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from mirror.config.analysis import AnalysisConfig
from mirror.config.checks import check, check_choice
from mirror.config.hooks import ModelSchema, PairedDataSchema
from mirror.config.memory import DOUBLE, analysis_bytes

SIGNALS = ("units", "roi", "series")
"""Where the activity is: spike times of the Units table, a RoiResponseSeries (calcium imaging), or any TimeSeries of
(time, units) activity (an exported model run's)."""


@dataclass
class RecordingDataConfig(PairedDataSchema):
    """Which file, which signal, which trials-table columns say the context, the condition and the event, and the
    window each trial is binned over."""

    _target_: str = "mirror.data.recording_module.RecordingDataModule"
    path: str = "???"
    """The NWB file (required)."""
    signal: str = "units"
    """'units' (spike times, binned to spikes/s), 'roi' (a RoiResponseSeries) or 'series' (a TimeSeries); a series
    is binned to the mean of each bin's samples."""
    series: str = ""
    """With signal=roi or series, the series's name ('' when the file holds one of that kind)."""
    context_column: str = "context"
    """The trials column saying whether the subject executed or observed."""
    execution_value: str = "execution"
    """Its value on execution trials."""
    observation_value: str = "observation"
    """Its value on observation trials."""
    condition_column: str = "condition"
    """The trials column naming the action, grip or object."""
    pair_column: str = ""
    """A trials column pairing each execution trial with one observation trial of the same sequence (an exported
    model run's 'pair'): the trials then reach the shared analysis as a model's. '' (recordings): unpaired, read as
    condition-by-bin means."""
    event_column: str = "start_time"
    """The trials column of the event each trial is aligned on (seconds), e.g. movement onset or go cue."""
    window_start: float = 0.0
    """Start of the binned window, seconds from the event."""
    window_stop: float = 1.0
    """End of the binned window, seconds from the event."""
    bin_s: float = 0.05
    """Bin width, seconds."""
    baseline_start: float = -0.5
    """Start of each trial's baseline window, seconds from the event (modulation with its sign is read against it)."""
    baseline_stop: float = 0.0
    """End of the baseline window, seconds from the event."""

    def validate(self) -> None:
        check(self.path != "???", "path", "must name an NWB file (data.path=<session.nwb>)", self.path)
        check_choice("signal", self.signal, SIGNALS)
        check(self.bin_s > 0, "bin_s", "must be positive", self.bin_s)
        check(self.window_stop - self.window_start >= self.bin_s, "window_stop",
              "must leave at least one bin (data.bin_s) after data.window_start", self.window_stop)
        check(self.baseline_stop > self.baseline_start, "baseline_stop", "must lie after data.baseline_start",
              self.baseline_stop)
        self.session()  # the file, its tables and columns: ConfigError naming the first thing missing

    def session(self) -> Any:
        """The binned session (read once per process for the same file and settings)."""
        path = Path(self.path).expanduser().resolve()
        return _read(path, path.stat().st_mtime_ns if path.is_file() else 0, self._key())

    def _key(self) -> tuple:
        return (self.signal, self.series, self.context_column, self.execution_value, self.observation_value,
                self.condition_column, self.pair_column, self.event_column, self.window_start, self.window_stop, self.bin_s,
                self.baseline_start, self.baseline_stop)

    def test_shape(self) -> tuple[int, int]:
        """(conditions, bins): the condition-by-bin means the shared analysis scores."""
        activity = self.session().activity()
        return activity.perform.shape[:2]


@lru_cache(maxsize=4)
def _read(path: Path, mtime: int, key: tuple) -> Any:
    from mirror.data.recording import read_session

    fields = ("signal", "series", "context_column", "execution_value", "observation_value", "condition_column",
              "pair_column", "event_column", "window_start", "window_stop", "bin_s", "baseline_start", "baseline_stop")
    return read_session(path, RecordingSettings(**dict(zip(fields, key))))


@dataclass(frozen=True)
class RecordingSettings:
    """The reading settings of RecordingDataConfig, hashable."""

    signal: str
    series: str
    context_column: str
    execution_value: str
    observation_value: str
    condition_column: str
    pair_column: str
    event_column: str
    window_start: float
    window_stop: float
    bin_s: float
    baseline_start: float
    baseline_stop: float


@dataclass
class RecordingModelConfig(ModelSchema):
    """A recording has nothing to train: its units are what they recorded."""

    SECONDS_PER_JOB: ClassVar[float] = 10.0
    """Reading, binning and the shared analysis of a session of about a hundred units."""

    _target_: str = "mirror.models.recording.RecordedSession"

    def validate(self) -> None:
        """Nothing to range-check: the data's checks read the file."""

    def n_units(self, data: Any) -> int:
        """The units with any spike (or signal) in a window."""
        return data.session().perform.shape[-1]


@dataclass
class RecordingAnalysisConfig(AnalysisConfig):
    """The shared analysis and the battery; the session's provenance beside them."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {}
    """None of its own: the reports lead with the shared analysis's."""

    _target_: str = "mirror.analysis.recording.RecordingProvenanceCallback"


def recording_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a recording's job: its binned trials and the shared analysis of its means."""
    session = data.session()
    trials = (session.perform.size + session.observe.size) * DOUBLE
    conditions, bins = data.test_shape()
    return {"data.path": trials, **analysis_bytes(analysis, conditions, bins, session.perform.shape[-1])}
