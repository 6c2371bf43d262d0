"""Results from Python: finished runs as a DataFrame, and a run's test activity for re-analysis.

    import mirror
    from mirror.analysis.summary import analyse
    from mirror.config import AnalysisConfig
    runs = mirror.load_runs(experiment="ablations", filter="params.`trainer.max_epochs` = '20'")
    runs.groupby("model")["metrics.analysis/centred/fraction_mirror"].describe()
    activity = mirror.load_activity(runs.run_id[0])
    analyse(activity, AnalysisConfig(n_permutations=10_000)).metrics   # re-analysed, no training

MLflow loads when a function is called, not when ``mirror`` is imported.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from mirror.protocol import MirrorActivity


def _client(tracking_uri: str | None):
    from mirror.config import TrackingConfig
    from mirror.tracking.store import read_store

    return read_store(tracking_uri or TrackingConfig().uri)


def load_runs(experiment: str | Sequence[str], sweep: str | None = None, filter: str = "",
              tracking_uri: str | None = None) -> pd.DataFrame:
    """One row per FINISHED job run of the experiment(s): ``run_id``, ``model``, ``seed``,
    ``params.<field>`` for every config field and ``metrics.<name>`` for every metric; ``sweep``
    keeps one sweep's runs, ``filter`` is an MLflow filter string. Numbers come back as numbers.
    The store is ``tracking.uri``'s default unless ``tracking_uri`` is given."""
    from mirror.report.runs import RunSelection
    from mirror.report.runs import load_runs as read

    experiments = [experiment] if isinstance(experiment, str) else list(experiment)
    return read(_client(tracking_uri), RunSelection(experiments, sweep, filter))


def load_activity(run_id: str, tracking_uri: str | None = None) -> MirrorActivity:
    """The matched test activity a run's analysis scored, as the model produced it."""
    from mirror.protocol import ACTIVITY_FILE, MirrorActivity

    from mlflow.exceptions import MlflowException

    with tempfile.TemporaryDirectory() as folder:
        try:
            path = _client(tracking_uri).download_artifacts(run_id, f"analysis/{ACTIVITY_FILE}", folder)
        except (MlflowException, OSError):
            raise ValueError(f"run {run_id} keeps no analysis/{ACTIVITY_FILE} (a run of an earlier version, of a "
                             "family the shared analysis does not score, or one whose artifacts were lost)") from None
        try:
            return MirrorActivity.load(path)
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
            raise ValueError(f"run {run_id}: its activity file analysis/{ACTIVITY_FILE} is unreadable "
                             f"({type(error).__name__}: {error}); the run's other artifacts are unaffected, and "
                             "running its config again writes a whole one") from None
