"""``python -m mirror.report``: aggregate finished runs from MLflow into a report."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from mirror.config import TrackingConfig
from mirror.report.build import build_report, log_report_run
from mirror.report.runs import RunSelection
from mirror.tracking.store import StoreUnreachable, check_reachable, resolve_uri


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
    parser.add_argument("--name", help="report name: reports/<name>/ (default: the experiment names)")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="parent folder of reports")
    parser.add_argument("--tracking-uri", default=defaults.uri, help="MLflow store (default: %(default)s)")
    parser.add_argument("--artifact-root", default=defaults.artifact_root, help="artifact folder of a new experiment")
    parser.add_argument("--no-mlflow-run", action="store_true", help="write files only, log no report run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    selection = RunSelection(args.experiment, args.sweep, args.filter)
    uri = resolve_uri(args.tracking_uri)
    name = args.name or (args.sweep if args.sweep else "+".join(args.experiment))
    if Path(name).name != name or name in (".", ".."):
        raise SystemExit(f"mirror.report: --name must be a folder name inside {args.out}/, not a path (got {name!r})")
    try:
        check_reachable(uri)
        report = build_report(MlflowClient(tracking_uri=uri), selection, args.out / name, args.metrics, args.reference)
    except (ValueError, StoreUnreachable) as error:  # no such experiment, no matching runs, an unknown metric
        raise SystemExit(f"mirror.report: {error}") from None
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
