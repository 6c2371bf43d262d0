"""``python -m mirror.export RUN_ID FILE.nwb``: a run's saved test activity as an NWB session (docs/recordings.md),
so that a lab's tools can read a model's units as they read a recording, and so that reading it back as a recording
(the command it prints) gives the run's own shared-analysis and battery numbers.

Each test trial becomes two NWB trials, an execution (perform) and an observation (observe) one, paired by the trials
column ``pair``; ``condition`` names the action (one per bin, a 2-D column, where it changes within a trial). The
activity is one continuous TimeSeries of (time, units), a sample in the middle of every bin, the trials laid end to
end (a model has no pre-event window: an exported session's baseline window reads the trial before).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

import numpy as np

from mirror.files import replacing
from mirror.protocol import MirrorActivity

BIN_S = 0.05
"""Seconds per model step in the exported session (the recording reader's default bin)."""
SYNTHETIC_CONSTRUCT = "http://purl.obolibrary.org/obo/NCBITaxon_32630"
"""NCBI taxonomy's term for a synthetic construct: the subject's species, as NWB best practice asks for one."""
KEYWORD = "mirror export"
"""The NWB keyword that marks the session as a model's (mirror.data.recording.ORIGINS): never shown as a recording."""


def session(activity: MirrorActivity, identifier: str, description: str, started: datetime.datetime,
            subject_id: str) -> object:
    """The NWBFile of ``activity``: trials table (context, condition, pair) and the activity as a TimeSeries."""
    from pynwb import NWBFile, TimeSeries
    from pynwb.file import Subject

    # A network, not an animal: NCBI's "synthetic construct", sex "other", born when the run initialised it.
    subject = Subject(subject_id=subject_id, description="a model network of mirror, not an animal", sex="O",
                      species=SYNTHETIC_CONSTRUCT, date_of_birth=started)
    n_trials, n_steps, n_units = activity.perform.shape
    nwb = NWBFile(session_description=description, identifier=identifier, session_start_time=started,
                  keywords=[KEYWORD], lab="mirror", institution="mirror", subject=subject,
                  experiment_description="a model's test activity exported as a session of execution and "
                                         "observation trials (mirror.export)")
    width = len(str(max(activity.n_classes - 1, 0)))
    names = np.array([f"action {k:0{width}d}" for k in range(activity.n_classes)])
    per_bin = any((labels != labels[:, :1]).any() for labels in (activity.perform_labels, activity.observe_labels))
    nwb.add_trial_column("context", "execution (the model's perform mode) or observation (observe mode)")
    nwb.add_trial_column("condition", "the action, one per bin" if per_bin else "the action")
    nwb.add_trial_column("pair", "the test sequence: its execution and its observation trial share it")
    duration = n_steps * BIN_S
    for n in range(n_trials):
        for side, (context, labels) in enumerate((("execution", activity.perform_labels),
                                                  ("observation", activity.observe_labels))):
            start = (2 * n + side) * duration
            nwb.add_trial(start_time=start, stop_time=start + duration, context=context, pair=n,
                          condition=names[labels[n]] if per_bin else names[labels[n, 0]])
    data = np.stack([activity.perform, activity.observe], axis=1).reshape(-1, n_units)  # trial by trial, in order
    module = nwb.create_processing_module("behavior", "the model's units, as a lab's processed activity")
    module.add(TimeSeries(name="activity", data=data, unit="a.u.", rate=1 / BIN_S, starting_time=BIN_S / 2,
                          description=f"the activity of {n_units} model units, one sample per step, in the middle of "
                                      "its bin", comments="read back: mirror.run model=recording data.signal=series"))
    return nwb


def reading_overrides(path: Path, n_steps: int, params: dict[str, str]) -> list[str]:
    """The overrides that read the exported session back with the run's own analysis settings and seed."""
    from mirror.config.recording import RecordingAnalysisConfig

    fields = set(RecordingAnalysisConfig.__dataclass_fields__) - {"_target_", "seed"}
    analysis = [f"analysis.{name}={params[f'analysis.{name}']}" for name in sorted(fields)
                if f"analysis.{name}" in params]
    return ["model=recording", f"data.path={path}", "data.signal=series", "data.pair_column=pair",
            f"data.window_stop={n_steps * BIN_S:g}", f"data.bin_s={BIN_S:g}", f"seed={params.get('seed', 0)}",
            *analysis]


def write(session_file: object, path: Path) -> None:
    """Written beside ``path`` and renamed (mirror.files): a failed write leaves no half file. The partial file's name
    ends in .nwb, as pynwb expects."""
    from pynwb import NWBHDF5IO

    with replacing(path) as partial, NWBHDF5IO(str(partial), "w") as io:
        io.write(session_file)


def export(run_id: str, path: Path, tracking_uri: str | None = None) -> list[str]:
    """Write run ``run_id``'s test activity to ``path``; the overrides that read it back."""
    from mirror.config import TrackingConfig
    from mirror.results import load_activity
    from mirror.tracking.store import SQLITE_PREFIX, read_store
    from mirror.tracking.tags import MODEL_TAG

    tracking_uri = tracking_uri or TrackingConfig().uri
    if tracking_uri.startswith(SQLITE_PREFIX) and not Path(tracking_uri[len(SQLITE_PREFIX):]).expanduser().is_file():
        raise ValueError(f"no run {run_id}: there is no store at {tracking_uri}")
    client = read_store(tracking_uri)
    try:
        run = client.get_run(run_id)
    except Exception as error:  # noqa: BLE001 - the store's own error names what it could not find
        raise ValueError(f"no run {run_id} in the store ({type(error).__name__})") from None
    activity = load_activity(run_id, tracking_uri)
    model = run.data.tags.get(MODEL_TAG, "?")
    started = datetime.datetime.fromtimestamp(run.info.start_time / 1000, tz=datetime.timezone.utc)
    description = (f"mirror run {run_id} ({model}, seed {run.data.params.get('seed', '?')}): its test activity, "
                   f"{activity.perform.shape[0]} sequences as execution and observation trials")
    write(session(activity, run_id, description, started, f"{model}, seed {run.data.params.get('seed', '?')}"), path)
    return reading_overrides(path, activity.perform.shape[1], run.data.params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirror.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", metavar="RUN_ID")
    parser.add_argument("file", type=Path, metavar="FILE.nwb")
    parser.add_argument("--tracking-uri", help="MLflow store (default: tracking.uri's default)")
    args = parser.parse_args(argv)
    if args.file.is_dir() or not args.file.resolve().parent.is_dir():
        parser.error(f"{args.file}: must be a file in an existing folder")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    try:
        overrides = export(args.run, args.file, args.tracking_uri)
    except ValueError as error:
        print(f"mirror.export: {error}", file=sys.stderr)
        return 2
    print(f"{args.file}: run {args.run} as an NWB session; read it back as a recording with\n"
          f"python -m mirror.run {' '.join(overrides)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
