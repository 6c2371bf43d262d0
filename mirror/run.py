"""The Hydra entry point: ``python -m mirror.run [overrides] [-m]``."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn

import hydra
import hydra._internal.utils as hydra_utils
from hydra.plugins.sweeper import Sweeper
from omegaconf import DictConfig

from mirror.config import register_schemas
from mirror.pipeline.job import run_job
from mirror.pipeline.preflight import COMPOSITION_ERRORS, composition_refusal, refuse, validated_by_preflight
from mirror.termination import Terminated, stop_on_sigterm

register_schemas()


class _Refused(BaseException):
    """Carries one of Hydra's composition errors past its own reporting (which catches ``Exception``)."""


class _Failed(BaseException):
    """Carries a run's failure past Hydra's reporting, which prints some fifty lines of traceback."""


def _report_composition_errors_in_one_line(report: Callable[[Callable[[], Any]], Any]) -> Callable:
    """Hydra's ``run_and_report`` with its refusals of a command line turned into one line and exit 2, and a failed
    run into one line and exit 1: its traceback is in the run's ``error.txt`` in MLflow (``HYDRA_FULL_ERROR=1``
    prints it here too)."""

    def run_and_report(func: Callable[[], Any]) -> Any:
        def composing() -> Any:
            try:
                return func()
            except COMPOSITION_ERRORS as error:
                raise _Refused(composition_refusal(error)) from None
            except Exception as error:
                if os.environ.get("HYDRA_FULL_ERROR") == "1":
                    raise
                raise _Failed(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") \
                    from None

        try:
            return report(composing)
        except _Refused as refused:
            refuse(str(refused))
        except _Failed as failed:
            print(f"mirror: the run failed: {failed} (its traceback: error.txt of its MLflow run; "
                  "HYDRA_FULL_ERROR=1 prints it here)", file=sys.stderr, flush=True)
            raise SystemExit(1) from None

    return run_and_report


hydra_utils.run_and_report = _report_composition_errors_in_one_line(hydra_utils.run_and_report)


def _compose_only_what_preflight_did_not(validate_batch: Callable[[Sweeper, Any], None]) -> Callable:
    """Hydra's sweepers compose every job of a batch again before launching it, to catch what the preflight
    already caught before any work (86 ms a job: 77 s before the first of 900 jobs, one core idle); the
    jobs the preflight validated are skipped, any other is composed as Hydra does."""

    def validate_batch_is_legal(sweeper: Sweeper, batch: Any) -> None:
        unchecked = [overrides for overrides in batch if not validated_by_preflight(list(overrides))]
        if unchecked:
            validate_batch(sweeper, unchecked)

    return validate_batch_is_legal


Sweeper.validate_batch_is_legal = _compose_only_what_preflight_did_not(Sweeper.validate_batch_is_legal)



@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Returns the headline fraction of mirror units, for sweepers that optimise (NaN for VisNet's control)."""
    return run_job(cfg).headline_fraction


def exit_without_teardown(code: object) -> NoReturn:
    """Exit with ``code`` (as ``sys.exit`` takes it) as Python would, minus the tear-down of
    every module: for torch, Lightning, MLflow and matplotlib that took about 2 s of each
    run, after its results were safe. What an exit does that anyone sees still happens, in
    Python's order: other threads are waited for, exit handlers run (logging's flush among
    them) and the standard streams are flushed."""
    threading._shutdown()  # what the interpreter calls first at exit: joins non-daemon threads
    atexit._run_exitfuncs()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    try:
        with stop_on_sigterm():  # the launching process of a sweep too, between its jobs
            main()
    except Terminated as stopped:
        print(f"mirror: stopped: {stopped}", file=sys.stderr, flush=True)
        exit_without_teardown(Terminated.exit_status)
    except SystemExit as exiting:  # Hydra's, after it reported an error
        exit_without_teardown(exiting.code)
    exit_without_teardown(0)
