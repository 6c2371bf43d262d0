"""``python -m mirror.figures RUN_ID [RUN_ID ...]``: a run's shared-analysis figures, drawn on demand.

A sweep's jobs draw no figures (``figures=auto``); this draws the shared analysis's four from what every
run keeps (its activity, its per-unit r at initialisation and its config), checks that the analysis
recomputed from them gives the metrics the run logged, and adds the figures to the run's artifacts.
A model family's own figures come with a single run of the same config (``python -m mirror.run <its
overrides>``: the same numbers, every figure drawn).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf


def _settings(config_yaml: Path, run_id: str):
    """The run's analysis settings, typed by its family's schema; ValueError for a run whose config this version
    cannot read (a family or a field it no longer has)."""
    from omegaconf.errors import OmegaConfBaseException

    from mirror.config import MODEL_FAMILIES

    try:
        analysis = OmegaConf.load(config_yaml).analysis
        schema = next(family.analysis for family in MODEL_FAMILIES if family.analysis._target_ == analysis._target_)
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), analysis))
    except (StopIteration, OmegaConfBaseException) as error:
        raise ValueError(f"run {run_id} is a run of another version: its analysis settings do not fit this "
                         f"version's ({type(error).__name__}); draw it with the version that made it") from None


def draw_run_figures(run_id: str, tracking_uri: str | None = None) -> list[str]:
    """Draw one run's four shared figures, log them under its ``analysis/`` artifacts; their names."""
    from mlflow.exceptions import MlflowException

    from mirror.analysis.figures import R_AT_INIT_FILE, draw_figures
    from mirror.analysis.summary import analyse
    from mirror.config import TrackingConfig
    from mirror.pipeline.threads import threads_of_a_job
    from mirror.results import load_activity
    from mirror.tracking.store import read_store
    from mirror.tracking.tags import BLAS_THREADS_TAG, MODEL_TAG, TORCH_THREADS_TAG

    client = read_store(tracking_uri or TrackingConfig().uri)
    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise ValueError(f"no run {run_id} in the store at {tracking_uri or TrackingConfig().uri}") from None
    with tempfile.TemporaryDirectory() as folder:
        try:
            config = Path(client.download_artifacts(run_id, "config.yaml", folder))
            r_at_init = np.load(client.download_artifacts(run_id, f"analysis/{R_AT_INIT_FILE}", folder))
        except (OSError, MlflowException):
            raise ValueError(f"run {run_id} keeps no config.yaml or analysis/{R_AT_INIT_FILE} (a run of an earlier "
                             "version, or of a family the shared analysis does not score)") from None
        settings = _settings(config, run_id)
        activity = load_activity(run_id, tracking_uri)
        tags = run.data.tags
        # The threads the job's analysis ran with; a run of an earlier version records none: this process's.
        with (threads_of_a_job(int(tags[TORCH_THREADS_TAG]), int(tags[BLAS_THREADS_TAG]))
              if BLAS_THREADS_TAG in tags else contextlib.nullcontext()):
            result = analyse(activity, settings)
        logged = run.data.metrics
        differing = sorted(name for name, value in result.metrics.items()
                           if name in logged and not (value == logged[name] or math.isnan(value) and math.isnan(logged[name])))
        if differing:
            raise ValueError(f"run {run_id}: the analysis recomputed from its activity differs from what it logged "
                             f"({', '.join(differing[:5])}); not drawing figures of other numbers")
        title = f"{run.data.tags.get(MODEL_TAG, '')}, seed {run.data.params['seed']}"
        out = Path(folder) / "analysis"
        out.mkdir()
        paths = draw_figures(result, activity, r_at_init, settings, title, out)
        client.log_artifacts(run_id, str(out), "analysis")
        return [f"analysis/{path.name}" for path in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", metavar="RUN_ID")
    parser.add_argument("--tracking-uri", help="MLflow store (default: tracking.uri's default, sqlite:///mlruns/mlflow.db)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # a bar per file drowns the lines
    status = 0
    for run_id in args.runs:
        try:
            drawn = draw_run_figures(run_id, args.tracking_uri)
        except ValueError as error:
            print(f"mirror.figures: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"run {run_id}: {', '.join(drawn)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
