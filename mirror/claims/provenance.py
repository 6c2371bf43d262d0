"""What a verdict read, in words: how many runs, which seeds, sweeps and commits (saying so when a
page mixes commits, as after a resume), and each run's page in the MLflow UI when a server is known."""

from __future__ import annotations

import pandas as pd

from mirror.claims.verdict import Verdict
from mirror.tracking.store import ui_page


def seeds_text(seeds: pd.Series) -> str:
    """'seeds 0-9' for a run of consecutive seeds, else the list."""
    values = sorted({int(s) for s in pd.to_numeric(seeds, errors="coerce").dropna()})
    if not values:
        return "no seeds"
    if values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"seeds {values[0]}-{values[-1]}"
    return f"seed{'s' if len(values) > 1 else ''} {', '.join(map(str, values))}"


def summary(verdict: Verdict) -> str:
    """One line: runs, seeds, sweeps, commits."""
    runs = verdict.runs
    if runs.empty:
        return "no runs read"
    commits = sorted({str(c)[:10] for c in runs["commit"].fillna("") if c} or {"unknown"})
    sweeps = sorted({str(s) for s in runs["sweep_id"].fillna("") if s})
    mixed = f"; mixes {len(commits)} commits (a resumed sweep)" if len(commits) > 1 else ""
    return (f"{len(runs)} runs, {seeds_text(runs['seed'])}; sweep{'s' if len(sweeps) != 1 else ''} "
            f"{', '.join(sweeps) or 'none'}; trained at {', '.join(commits)}{mixed}")


def run_links(verdict: Verdict, server: str | None) -> list[tuple[str, str | None]]:
    """(run id, its MLflow UI page or None) for every run read."""
    if verdict.runs.empty:
        return []
    rows = verdict.runs.dropna(subset=["run_id"])
    return [(run_id, ui_page(server, experiment, run_id) if server else None)
            for run_id, experiment in zip(rows["run_id"], rows["experiment_id"])]
