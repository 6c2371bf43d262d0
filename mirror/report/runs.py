"""Reading finished runs out of MLflow into one row per run, and finding what was swept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from mlflow.utils import get_results_from_paginated_fn
from mlflow.store.tracking import SEARCH_MAX_RESULTS_DEFAULT

from mirror.config import MODEL_FAMILIES, is_execution_field
from mirror.tracking.tags import (
    CONFIG_HASH_TAG,
    GIT_COMMIT_TAG,
    MODEL_TAG,
    RECORDING_TAG_PREFIX,
    SWEEP_ID_TAG,
    is_job_run,
)

# Logged properties of a run's design that a report plots the headline metrics against (each family's).
DESIGN_METRICS: dict[str, str] = {
    name: label for family in MODEL_FAMILIES for name, label in family.analysis.DESIGN_METRICS.items()
}


@dataclass(frozen=True)
class RunSelection:
    """Which runs a report reads: experiments by name, optionally one sweep and a filter."""

    experiments: Sequence[str]
    sweep_id: str | None = None
    filter_string: str = ""

    def mlflow_filter(self) -> str:
        clauses = ["attributes.status = 'FINISHED'"]
        if self.sweep_id:
            clauses.append(f"tags.`{SWEEP_ID_TAG}` = '{self.sweep_id}'")
        if self.filter_string:
            clauses.append(self.filter_string)
        return " and ".join(clauses)


def _numeric(column: pd.Series) -> pd.Series:
    """Params come back as strings; make a column numeric when every value is a number."""
    converted = pd.to_numeric(column, errors="coerce")
    present = column.notna()
    return converted if converted[present].notna().all() else column


def load_runs(client: MlflowClient, selection: RunSelection) -> pd.DataFrame:
    """One row per FINISHED job run: run_id, model, seed, commit, sweep_id, experiment_id, every param, every
    metric and a recording's provenance tags (``tags.recording.*``).

    Sweep parents and report runs are left out, and when several runs share a config
    (a sweep re-run with ``tracking.resume=false``) only the newest counts, so no seed
    is counted twice.
    """
    experiment_ids = []
    for name in selection.experiments:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise ValueError(f"no MLflow experiment named {name!r} at {client.tracking_uri}")
        experiment_ids.append(experiment.experiment_id)
    found = get_results_from_paginated_fn(
        lambda page_size, token: client.search_runs(experiment_ids, selection.mlflow_filter(), max_results=page_size,
                                                    order_by=["attributes.start_time DESC"], page_token=token),
        max_results_per_page=SEARCH_MAX_RESULTS_DEFAULT)
    rows = [{
        "run_id": run.info.run_id,
        "model": run.data.tags[MODEL_TAG],
        "commit": run.data.tags.get(GIT_COMMIT_TAG, ""),
        "sweep_id": run.data.tags.get(SWEEP_ID_TAG, ""),
        "experiment_id": run.info.experiment_id,
        "config_hash": run.data.tags.get(CONFIG_HASH_TAG, run.info.run_id),
        **{f"params.{key}": value for key, value in run.data.params.items()},
        **{f"metrics.{key}": value for key, value in run.data.metrics.items()},
        **{f"tags.{key}": value for key, value in run.data.tags.items() if key.startswith(RECORDING_TAG_PREFIX)},
    } for run in found if is_job_run(run.data.tags)]
    if not rows:
        raise ValueError(f"no finished runs match {selection}")
    runs = pd.DataFrame(rows).drop_duplicates("config_hash").drop(columns="config_hash")
    runs = runs.apply(_numeric)
    runs.insert(2, "seed", runs.pop("params.seed"))
    return runs.reset_index(drop=True)


def is_seed_copy(runs: pd.DataFrame, column: str) -> bool:
    """True for a param that equals the seed in every run (``data.seed`` follows it), compared as numbers: in an
    experiment where only some models have the param, its column is float (``model.seed`` 3.0 for seed 3)."""
    values, seeds = pd.to_numeric(runs[column], errors="coerce"), pd.to_numeric(runs["seed"], errors="coerce")
    return bool((values == seeds).all())


def swept_factors(runs: pd.DataFrame) -> list[str]:
    """The params that define conditions besides the model: those that vary across runs,
    are not implied by the model (``model._target_``) and are not the seed (or a copy of it,
    such as ``data.seed``)."""
    factors = []
    for column in (c for c in runs.columns if c.startswith("params.")):
        name = column.removeprefix("params.")
        if is_execution_field(name) or is_seed_copy(runs, column):
            continue
        values = runs[column].astype(str)
        if values.nunique() > 1 and values.groupby(runs["model"]).nunique().max() > 1:
            factors.append(column)
    return factors


def tidy(runs: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Long format, one row per run and metric: run_id, model, seed, factors, metric, value."""
    keys = ["run_id", "model", "seed", *factors]
    metrics = [c for c in runs.columns if c.startswith("metrics.")]
    long = runs[keys + metrics].melt(id_vars=keys, var_name="metric", value_name="value")
    long["metric"] = long["metric"].str.removeprefix("metrics.")
    long.columns = [c.removeprefix("params.") for c in long.columns]
    return long.dropna(subset=["value"]).reset_index(drop=True)


def unit_correlations(client: MlflowClient, runs: pd.DataFrame, column: str, cache: Path) -> pd.DataFrame:
    """Per-unit r of every run (``analysis/units.csv``), one row per unit, with the run's keys."""
    frames = []
    for _, run in runs.iterrows():
        target = cache / run["run_id"]
        target.mkdir(parents=True, exist_ok=True)
        try:
            path = client.download_artifacts(run["run_id"], "analysis/units.csv", str(target))
        except (MlflowException, OSError):  # a run without the artifact is left out
            continue
        units = pd.read_csv(path)
        if column not in units:
            continue
        frames.append(pd.DataFrame({"run_id": run["run_id"], "r": units[column].to_numpy(np.float64)}))
    if not frames:
        return pd.DataFrame(columns=["run_id", "r"])
    return pd.concat(frames, ignore_index=True).merge(runs.drop(columns=[c for c in runs if c.startswith("metrics.")]), on="run_id")
