"""``python -m mirror.pipeline.backfill``: measures added after a run was made, recomputed from what it kept and
logged to the run itself: the specification grid (docs/calibration.md; from its activity and its units' p), the
preferred-action agreement with its chance level (docs/measures.md 3.2; from its units' preferences), the mode
read from its anti-mirror units (mirror.analysis.self_other; from its activity) and the battery of measures 3.4
(modulation with its sign, the alignment index, the population correlation, time-resolved decoding; from its
activity, a model's: a recording's run has it from the start).

The claims page reads both; a store whose runs predate them gets them without retraining anything. A run that has
them, or kept no activity, is left as it is.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import TYPE_CHECKING

import pandas as pd
from mlflow.entities import Metric
from mlflow.store.tracking import SEARCH_MAX_RESULTS_DEFAULT
from mlflow.utils import get_results_from_paginated_fn

from mirror.analysis.congruence import preferred_agreement
from mirror.analysis.self_other import self_other
from mirror.analysis.summary import NULL_P_COLUMNS, battery, per_unit_r, specification_grid_of
from mirror.config import AnalysisConfig, TrackingConfig
from mirror.protocol import ACTIVITY_FILE, UNITS_FILE, MirrorActivity
from mirror.tracking.store import read_store, resolve_uri
from mirror.tracking.tags import RECORDING_ORIGIN_TAG
from mirror.vocabulary import N_UNITS, SPECIFICATION, congruence_metric, self_other_metric, subspace_metric

AGREEMENT = congruence_metric("preferred_agreement")
BATTERY_MARK = subspace_metric("population_correlation")
"""Logged by the battery for every family (one-step ones too, which log no time course): a run with it has the battery."""
BACKFILL_SETTINGS = ("fdr_alpha", "fdr_method", "anti_mirror_threshold", "seed", "n_permutations",
                     "alignment_components")
"""The analysis settings the recomputed measures read, taken from the run's params."""
SELF_OTHER_COUNT = self_other_metric("n_anti_mirror")

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient


def agreement_of(units: pd.DataFrame) -> dict[str, float]:
    """The preferred-action agreement of the units selective in both modes, and its chance level, from units.csv."""
    both = units["selective_perform"].astype(bool) & units["selective_observe"].astype(bool)
    agreement, chance = preferred_agreement(units.loc[both, "preferred_perform"].to_numpy(int),
                                            units.loc[both, "preferred_observe"].to_numpy(int))
    return {AGREEMENT: agreement, congruence_metric("preferred_agreement_chance"): chance}


def backfill_run(client: MlflowClient, run: Run) -> int:
    """Log what one finished run lacks; the number of metrics logged (0: nothing to do)."""
    logged = run.data.metrics
    has_grid = any(key.startswith(SPECIFICATION) for key in logged)
    needs_battery = BATTERY_MARK not in logged and RECORDING_ORIGIN_TAG not in run.data.tags
    needs_activity = not has_grid or SELF_OTHER_COUNT not in logged or needs_battery
    if (not needs_activity and AGREEMENT in logged) or N_UNITS not in logged:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        try:
            units = pd.read_csv(client.download_artifacts(run.info.run_id, f"analysis/{UNITS_FILE}", folder))
            activity = MirrorActivity.load(client.download_artifacts(
                run.info.run_id, f"analysis/{ACTIVITY_FILE}", folder)) if needs_activity else None
        except (OSError, ValueError):  # no activity kept: nothing to recompute from
            return 0
    params = run.data.params
    settings = AnalysisConfig(**{name: type(getattr(AnalysisConfig, name))(params[f"analysis.{name}"])
                                 for name in BACKFILL_SETTINGS if f"analysis.{name}" in params})
    measures = {} if AGREEMENT in logged else agreement_of(units)
    if not has_grid:
        p_values = {null: units[column].to_numpy(float) for null, column in NULL_P_COLUMNS.items() if column in units}
        measures.update(specification_grid_of(activity, p_values, settings))
    if SELF_OTHER_COUNT not in logged:
        measures.update(self_other(activity, per_unit_r(activity)["centred"], settings.anti_mirror_threshold,
                                   settings.seed))
    if needs_battery:
        measures.update({key: value for key, value in battery(activity.trials(), settings)[0].items()
                         if key not in logged})
    if not measures:
        return 0
    now = int(time.time() * 1000)
    client.log_batch(run.info.run_id, metrics=[Metric(key, value, now, 0) for key, value in measures.items()])
    return len(measures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mirror.pipeline.backfill", description=__doc__)
    parser.add_argument("--tracking-uri", default=TrackingConfig().uri, help="MLflow store (default: %(default)s)")
    parser.add_argument("--experiment", action="append", help="only these experiments (default: every one)")
    args = parser.parse_args(argv)
    client = read_store(args.tracking_uri)
    experiments = [e for e in client.search_experiments() if not args.experiment or e.name in args.experiment]
    filled = 0
    for experiment in experiments:
        runs = get_results_from_paginated_fn(
            lambda size, token: client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'",
                                                   max_results=size, page_token=token),
            max_results_per_page=SEARCH_MAX_RESULTS_DEFAULT)
        filled += sum(backfill_run(client, run) > 0 for run in runs)
    print(f"{filled} runs of {resolve_uri(args.tracking_uri)} now carry their specification grid, preferred-action "
          f"agreement, self-other measures and battery")


if __name__ == "__main__":
    main()
