"""What a report compared: the settings every run shared that differ from the defaults, the
analysis settings, the code commits and the run ids, so a 2-epoch sweep says so."""

from __future__ import annotations

from functools import cache

import pandas as pd
from omegaconf import OmegaConf

from mirror.config import compose_config, is_execution_field
from mirror.report.runs import is_seed_copy
from mirror.tracking.tags import flatten


@cache
def default_params(model: str) -> dict[str, str]:
    """The params a run of ``model`` logs with no override, as strings (what MLflow keeps)."""
    cfg = compose_config([f"model={model}"])
    return {key: str(value) for key, value in flatten(OmegaConf.to_container(cfg, resolve=True)).items()}


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def held_constant(runs: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """One row per param that is the same in every run and differs from its default for some
    model of the runs: param, value, default. Seeds and where-and-how fields are left out."""
    rows = []
    models = sorted(runs["model"].unique())
    for column in (c for c in runs.columns if c.startswith("params.") and c not in factors):
        name = column.removeprefix("params.")
        values = runs[column].dropna().astype(str).unique()
        if len(values) != 1 or is_execution_field(name) or is_seed_copy(runs, column):
            continue
        defaults = {default_params(m).get(name) for m in models}
        if any(d is None or not _same(values[0], d) for d in defaults):
            rows.append({"param": name, "value": values[0],
                         "default": ", ".join(sorted(d for d in defaults if d is not None)) or "(none)"})
    return pd.DataFrame(rows, columns=["param", "value", "default"])


def analysis_settings(runs: pd.DataFrame) -> dict[str, str]:
    """The analysis fields, with their value, or 'varies' when the runs differ."""
    settings = {}
    for column in sorted(c for c in runs.columns if c.startswith("params.analysis.")):
        values = runs[column].dropna().astype(str).unique()
        settings[column.removeprefix("params.")] = values[0] if len(values) == 1 else "varies"
    return settings


def provenance_section(runs: pd.DataFrame, factors: list[str]) -> str:
    """Markdown: held constant (non-default), analysis settings, commits, run ids."""
    lines = ["## What was held constant", ""]
    held = held_constant(runs, factors)
    if held.empty:
        lines.append("Every setting that was not swept has its default value.")
    else:
        lines.append("Settings shared by every run that differ from the defaults:")
        lines.append("")
        lines += [f"- `{row.param}` = {row.value} (default {row.default})" for row in held.itertuples()]
    lines += ["", "Analysis: " + ", ".join(f"`{k.removeprefix('analysis.')}` = {v}"
                                            for k, v in analysis_settings(runs).items()), ""]
    commits = runs.get("commit", pd.Series(dtype=str)).fillna("").replace("", "unknown").value_counts()
    lines.append("Code: " + ", ".join(f"commit `{commit[:10]}` ({n} run{'' if n == 1 else 's'})"
                                      for commit, n in commits.items()) + ".")
    lines += ["", f"Run ids ({len(runs)}): " + ", ".join(f"`{r}`" for r in runs["run_id"]) + ".", ""]
    return "\n".join(lines)
