"""``python -m mirror.report``: aggregate finished runs from MLflow into a report."""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from mirror.config import TrackingConfig
from mirror.config.checks import folder_name_problem
from mirror.report.build import build_report, log_report_run
from mirror.report.runs import RunSelection
from mirror.tracking.store import StoreUnreachable, read_store, resolve_uri
from mirror.tracking.tags import ROLE_TAG, SWEEP_ID_TAG, SWEEP_ROLE


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = TrackingConfig()
    parser = argparse.ArgumentParser(prog="python -m mirror.report", description=__doc__)
    parser.add_argument("--experiment", action="append", required=True,
                        help="MLflow experiment to read (repeat for several)")
    parser.add_argument("--sweep", help="only the runs of this sweep id (tag mirror.sweep_id)")
    parser.add_argument("--filter", default="", help="an extra MLflow filter, e.g. \"params.`data.n_actions` = '4'\"")
    parser.add_argument("--metric", action="append", dest="metrics",
                        help="metric to tabulate (repeat; default: the headline metrics present)")
    parser.add_argument("--reference", help="model the others are tested against (default: shared_gru if present)")
    parser.add_argument("--name", help="report name: reports/<name>/ (default: the experiment names, and for "
                        "one sweep the time it started)")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="parent folder of reports")
    parser.add_argument("--tracking-uri", default=defaults.uri, help="MLflow store (default: %(default)s)")
    parser.add_argument("--artifact-root", default=defaults.artifact_root, help="artifact folder of a new experiment")
    parser.add_argument("--no-mlflow-run", action="store_true", help="write files only, log no report run")
    return parser.parse_args(argv)


def default_name(client: MlflowClient, selection: RunSelection) -> str:
    """'ablations', or for one sweep 'ablations_sweep_2026-11-30_04-48' (when it started)."""
    name = "+".join(selection.experiments)
    if not selection.sweep_id:
        return name
    parents = client.search_runs(
        [e.experiment_id for e in map(client.get_experiment_by_name, selection.experiments) if e is not None],
        f"tags.`{SWEEP_ID_TAG}` = '{selection.sweep_id}' and tags.`{ROLE_TAG}` = '{SWEEP_ROLE}'", max_results=1)
    if not parents:
        raise ValueError(f"no sweep {selection.sweep_id!r} in {', '.join(selection.experiments)}")
    started = datetime.datetime.fromtimestamp(parents[0].info.start_time / 1000)
    return f"{name}_sweep_{started:%Y-%m-%d_%H-%M-%S}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    selection = RunSelection(args.experiment, args.sweep, args.filter)
    # The report's folder is named after --name, or else the experiments: either must stay inside --out.
    option, named = ("--name", args.name) if args.name is not None else ("--experiment", "+".join(args.experiment))
    problem = folder_name_problem(named)
    if problem:
        raise SystemExit(f"mirror.report: {option} {problem} (got {named!r}): the report's folder under {args.out}/ "
                         "is named after it" + ("; name it with --name" if args.name is None else ""))
    try:
        client = read_store(args.tracking_uri)
        uri = resolve_uri(args.tracking_uri)
        name = args.name or default_name(client, selection)
        report = build_report(client, selection, args.out / name, args.metrics, args.reference)
    except (ValueError, StoreUnreachable) as error:  # no such experiment, no matching runs, an unknown metric
        raise SystemExit(f"mirror.report: {error}") from None
    except OSError as error:  # --out cannot be created or written
        raise SystemExit(f"mirror.report: cannot write the report under --out {args.out}: "
                         f"{error.strerror or error}") from None
    except MlflowException as error:  # a filter or sweep id MLflow cannot parse
        raise SystemExit(f"mirror.report: MLflow refused the selection {selection.mlflow_filter()!r}: "
                         f"{str(error).splitlines()[0]}") from None
    print(report.read_text())
    print(f"\nreport: {report.parent}/")
    if not args.no_mlflow_run:
        run_id = log_report_run(uri, args.artifact_root, selection, report.parent)
        print(f"MLflow report run {run_id} (browse with `make ui`)")


if __name__ == "__main__":
    main()
