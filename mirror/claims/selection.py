"""Exactly the runs a claim names: selected by param values, refused when the selection mixes configs
or holds a seed twice (an untrained run added to a sweep's experiment must not join its seeds), and
the provenance the page prints for them (run ids, seeds, sweeps, commits)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mirror.config import is_execution_field
from mirror.report.runs import is_seed_copy

PROVENANCE = ("run_id", "seed", "commit", "sweep_id", "experiment_id")


class Refused(ValueError):
    """The selected runs are not one config over seeds; the message says which params to pin."""


def _matches(column: pd.Series, wanted: object) -> pd.Series:
    """Params come back from MLflow as strings or numbers; compare either way."""
    as_text = column.astype(str) == str(wanted)
    try:
        return as_text | np.isclose(pd.to_numeric(column, errors="coerce"), float(wanted))
    except (TypeError, ValueError):
        return as_text


def select(runs: pd.DataFrame, where: dict) -> pd.DataFrame:
    """The runs whose params have every value in ``where`` (``model`` is the run's model)."""
    chosen = pd.Series(True, index=runs.index)
    for name, wanted in where.items():
        column = "model" if name == "model" else f"params.{name}"
        if column not in runs:
            return runs.iloc[0:0]
        chosen &= _matches(runs[column], wanted)
    return runs[chosen]


def exact_runs(chosen: pd.DataFrame, factor: str | None) -> pd.DataFrame:
    """The selection unchanged when it is one config (the swept ``factor`` aside) over distinct seeds;
    :class:`Refused` naming what differs otherwise."""
    if chosen.empty:
        return chosen
    mixed = []
    for column in ("model", *(c for c in chosen.columns if c.startswith("params."))):
        name = column.removeprefix("params.")
        if name == factor or is_execution_field(name) or is_seed_copy(chosen, column):
            continue
        values = chosen[column].astype(str).unique()
        if len(values) > 1:
            mixed.append(f"{name} ({', '.join(sorted(values)[:3])}{', ...' if len(values) > 3 else ''})")
    if mixed:
        raise Refused(f"the selected runs mix configs: {'; '.join(mixed)} differ; pin them in the claim file")
    keys = ["seed"] if factor is None else ["seed", f"params.{factor}"]
    twice = chosen[chosen.duplicated(keys, keep=False)]
    if not twice.empty:
        seeds = sorted(set(twice["seed"].astype(str)))
        raise Refused(f"seed {', '.join(seeds)} appears twice in the selected runs")
    return chosen


def provenance(runs: pd.DataFrame) -> pd.DataFrame:
    """The columns the page lists for each run read."""
    return runs.reindex(columns=list(PROVENANCE))
