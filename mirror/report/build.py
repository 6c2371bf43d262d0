"""Build a cross-run report: finished runs from MLflow -> CSVs, Markdown tables, figures, a report run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from mlflow.tracking import MlflowClient

from mirror.config import HEADLINE_METRICS
from mirror.report import figures
from mirror.report.provenance import provenance_section
from mirror.report.runs import (
    DESIGN_METRICS,
    RunSelection,
    load_runs,
    swept_factors,
    tidy,
    unit_correlations,
)
from mirror.report.stats import compare_models, summarise, trend_tests
from mirror.report.tables import report_markdown, short, summary_table, tests_section
from mirror.tracking.store import prepare_experiment, resolve_uri, ui_page
from mirror.tracking.tags import (
    REPORT_EXPERIMENTS_TAG,
    REPORT_FILTER_TAG,
    REPORT_ROLE,
    REPORT_RUN_TAG,
    REPORT_SWEEP_TAG,
    ROLE_TAG,
    SOURCE_NAME_TAG,
    SWEEP_ID_TAG,
    SWEEP_ROLE,
)

FIGURE_METRICS = 6
"""Panels per figure: the first metrics of the report's list."""


def _category(runs: pd.DataFrame, columns: list[str]) -> pd.Series | None:
    """Several columns as one categorical label ('max_epochs=20'), or None when there are none."""
    if not columns:
        return None
    return runs[columns].apply(
        lambda row: ", ".join(f"{short(c).rsplit('.', 1)[-1]}={row[c]}" for c in columns), axis=1
    )


def draw_figures(client: MlflowClient, runs: pd.DataFrame, factors: list[str], metrics: list[str],
                 folder: Path) -> list[str]:
    """The report's figures, by what was swept; returns their file names."""
    shown = metrics[:FIGURE_METRICS]
    several_models = runs["model"].nunique() > 1
    drawn = []
    for factor in factors:
        if pd.api.types.is_numeric_dtype(runs[factor]) and runs[factor].nunique() >= 3:
            # One line per level of everything else that varies, never a mean pooled over it.
            held = (["model"] if several_models else []) + [f for f in factors if f != factor]
            path = folder / f"metrics_vs_{short(factor).replace('.', '_')}.png"
            figures.metrics_against(runs.assign(held=_category(runs, held)), factor, shown,
                                    "held" if held else None, path)
            drawn.append(path.name)
    conditions = (["model"] if several_models else []) + factors
    for design in (f"metrics.{m}" for m in DESIGN_METRICS if f"metrics.{m}" in runs):
        # A curve needs the conditions to program at least three different values, as a swept factor does.
        if conditions and runs.groupby(conditions)[design].mean().round(6).nunique() >= 3:
            path = folder / f"metrics_vs_{design.rsplit('/', 1)[-1]}.png"
            figures.metrics_against_design(runs, design, shown[:3], conditions, path)
            drawn.append(path.name)
    x_columns, hue_columns = (["model"], factors) if several_models else (factors[:1] or ["model"], factors[1:])
    labelled = runs.assign(group=_category(runs, x_columns) if x_columns != ["model"] else runs["model"],
                           condition=_category(runs, hue_columns))
    hue = "condition" if hue_columns else None
    drawn.append(figures.across_seeds(labelled, "group", hue, shown, folder / "across_seeds.png",
                                      xlabel=", ".join(short(c) for c in x_columns)).name)
    headline = runs.get("params.analysis.headline", pd.Series(dtype=object)).dropna()
    column = f"r_{headline.mode().iloc[0] if len(headline) else 'centred'}"
    with tempfile.TemporaryDirectory() as cache:
        units = unit_correlations(client, labelled[["run_id", "group", "condition"]], column, Path(cache))
    if not units.empty:
        thresholds = {}
        for name, param in (("mirror", "mirror_threshold"), ("anti-mirror", "anti_mirror_threshold")):
            values = runs.get(f"params.analysis.{param}", pd.Series(dtype=float)).dropna()
            if len(values):
                thresholds[name] = float(values.iloc[0])
        path = folder / "r_distributions.png"
        figures.r_distributions(units, "group", hue, thresholds, path)
        drawn.append(path.name)
    return drawn


def build_report(client: MlflowClient, selection: RunSelection, folder: Path, metrics: list[str] | None = None,
                 reference: str | None = None) -> Path:
    """Read the runs, write CSVs, the Markdown report and the figures into ``folder``."""
    runs = load_runs(client, selection)
    factors = swept_factors(runs)
    conditions = ["model", *factors]
    wanted = metrics or [m for m in HEADLINE_METRICS if f"metrics.{m}" in runs]
    metric_columns = [f"metrics.{m}" for m in wanted]
    missing = [m for m in metric_columns if m not in runs]
    if missing:
        raise ValueError(f"no run logged {', '.join(short(m) for m in missing)}")
    models = sorted(runs["model"].unique())
    reference = reference or ("shared_gru" if "shared_gru" in models else models[0])

    folder.mkdir(parents=True, exist_ok=True)
    tidy(runs, factors).to_csv(folder / "runs.csv", index=False)
    summary = summarise(runs, conditions, metric_columns)
    summary.rename(columns=short).assign(metric=summary["metric"].map(short)).to_csv(folder / "summary.csv", index=False)
    comparisons = compare_models(runs, factors, metric_columns, reference)
    trends = trend_tests(runs, factors, metric_columns)
    for table, name in ((comparisons, "model_tests.csv"), (trends, "trend_tests.csv")):
        readable = table.rename(columns=short)
        for column in {"metric", "factor"} & set(readable.columns):
            readable[column] = readable[column].map(short)
        readable.to_csv(folder / name, index=False)
    drawn = draw_figures(client, runs, factors, metric_columns, folder)
    source = f"MLflow experiment(s) {', '.join(selection.experiments)}" + (
        f", sweep {selection.sweep_id}" if selection.sweep_id else "") + (
        f", filter `{selection.filter_string}`" if selection.filter_string else "")
    text = report_markdown(
        folder.name, source, len(runs), conditions, summary_table(summary, conditions, metric_columns),
        provenance_section(runs, factors) + "\n" + tests_section(comparisons, trends, reference, len(models)), drawn,
    )
    (folder / "report.md").write_text(text)
    return folder / "report.md"


def record_report_run(uri: str, artifact_root: str, experiment: str, run_name: str, folder: Path,
                      artifact_path: str, tags: dict[str, str], metrics: dict[str, float] | None = None) -> str:
    """A run of its own (``ROLE_TAG`` = report) holding every file of ``folder`` as artifacts;
    marked FAILED if logging fails, so no report run stays RUNNING."""
    client, experiment_id = prepare_experiment(uri, experiment, artifact_root)
    run_id = client.create_run(experiment_id, run_name=run_name, tags={ROLE_TAG: REPORT_ROLE, **tags}).info.run_id
    try:
        for name, value in (metrics or {}).items():
            client.log_metric(run_id, name, value)
        client.log_artifacts(run_id, str(folder), artifact_path)
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
    return run_id


def log_report_run(uri: str, artifact_root: str, selection: RunSelection, folder: Path) -> str:
    """Record the report as a report run with every file as artifact, and link it from the parent run of every
    sweep it reports (the one sweep asked for, or every sweep of the experiments)."""
    experiment = selection.experiments[0] if len(selection.experiments) == 1 else "reports"
    run_id = record_report_run(uri, artifact_root, experiment, f"report-{folder.name}", folder, "report", {
        SOURCE_NAME_TAG: "mirror.report", REPORT_EXPERIMENTS_TAG: ",".join(selection.experiments),
        REPORT_SWEEP_TAG: selection.sweep_id or "", REPORT_FILTER_TAG: selection.filter_string,
    })
    client = MlflowClient(resolve_uri(uri))
    report = client.get_run(run_id)
    wanted = f"tags.`{ROLE_TAG}` = '{SWEEP_ROLE}'" + (f" and tags.`{SWEEP_ID_TAG}` = '{selection.sweep_id}'"
                                                    if selection.sweep_id else "")
    experiment_ids = [e.experiment_id for e in map(client.get_experiment_by_name, selection.experiments) if e]
    for parent in client.search_runs(experiment_ids, wanted, max_results=1000):
        client.set_tag(parent.info.run_id, REPORT_RUN_TAG,
                       f"{run_id} ({ui_page(uri, report.info.experiment_id, run_id)})")
    return run_id
