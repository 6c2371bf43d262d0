"""``python -m mirror.pipeline.plan PRESET [PRESET ...] --jobs N``: how many jobs the presets will run and
about how long, before a long batch such as ``make paper`` starts.

Jobs are counted from each preset's sweep (``hydra.sweeper.params``, expanded as Hydra expands
them); those whose experiment already holds a FINISHED run of the same model are counted as
done, since a resumed sweep skips them. The time per job is the mean wall time of the finished jobs
of the same model from the same preset (one run before: its configs, read from each run's overrides),
else of the same model in the store's experiments, else its schema's ``SECONDS_PER_JOB``; the mean, not the median, because the
total is a sum (a preset of trained and untrained jobs). A preset's time is its jobs' total (each with
:data:`JOB_START_S` outside its run) over the jobs run at once, plus :data:`SWEEP_START_S` before its
first job starts.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache

from omegaconf import OmegaConf

from mirror.config import CONF_DIR, ConfigError, TrackingConfig, compose_config
from mirror.tracking.store import StoreUnreachable
from mirror.tracking.sweep import planned_jobs
from mirror.tracking.tags import MODEL_TAG, OVERRIDES_TAG, is_job_run


@dataclass(frozen=True)
class PresetPlan:
    preset: str
    experiment: str
    jobs: Counter
    """Jobs per model."""


def plan_presets(presets: list[str]) -> list[PresetPlan]:
    """Each preset's jobs per model, expanded as Hydra's basic sweeper will run them."""
    plans = []
    for preset in presets:
        cfg = compose_config([f"experiment={preset}"], with_hydra=True)
        default_model = cfg.hydra.runtime.choices["model"]
        jobs = (dict(override.split("=", 1) for override in job) for job in planned_jobs(cfg))
        plans.append(PresetPlan(preset, cfg.tracking.experiment, Counter(job.get("model", default_model) for job in jobs)))
    return plans


@cache
def assumed_seconds(model: str) -> float:
    """Seconds of one job of a model with no finished run to time: its schema's ``SECONDS_PER_JOB``."""
    return type(OmegaConf.to_object(compose_config([f"model={model}"]).model)).SECONDS_PER_JOB


SWEEP_START_S = 14.0
"""Seconds a sweep adds besides its jobs (Hydra, the preflight of every job, the parent run, each worker's
first imports): fitted with :data:`JOB_START_S` over the 20 presets of one ``make paper`` (2 cores, JOBS=2)."""
JOB_START_S = 0.3
"""Seconds a job slot spends outside the job's run (the launcher handing it over, Hydra's job set-up):
fitted on ``make paper`` for jobs of 0.2 s and of 12 s alike; more than an associative job's own time."""


def _preset(overrides: str) -> str | None:
    """The preset a job ran under, from its overrides tag (``... experiment=readout_untrained``)."""
    found = [item.split("=", 1)[1] for item in overrides.split() if item.startswith("experiment=")]
    return found[-1] if found else None


def finished(uri: str, experiments: set[str]) -> tuple[Counter, dict[tuple[str, str] | str, float]]:
    """FINISHED job runs per (experiment, model), and the mean wall seconds of a job per (preset, model)
    and per model."""
    from mirror.tracking.store import read_store  # mlflow loads here, after the arguments were checked

    client = read_store(uri)
    done: Counter = Counter()
    seconds: dict[tuple[str, str] | str, list[float]] = {}
    for name in experiments:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            continue
        for run in client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'",
                                      max_results=50000):
            if not is_job_run(run.data.tags):
                continue
            model = run.data.tags[MODEL_TAG]
            done[name, model] += 1
            if run.info.end_time and run.info.start_time:
                wall = (run.info.end_time - run.info.start_time) / 1000
                preset = _preset(run.data.tags.get(OVERRIDES_TAG, ""))
                if preset is not None:
                    seconds.setdefault((preset, model), []).append(wall)
                seconds.setdefault(model, []).append(wall)
    return done, {key: sum(values) / len(values) for key, values in seconds.items()}


def describe(plans: list[PresetPlan], done: Counter, seconds: dict[tuple[str, str] | str, float],
             jobs_at_once: int) -> str:
    lines, total_jobs, total_seconds = [], 0, 0.0
    unclaimed = done.copy()  # two presets may share an experiment: a finished run counts once
    for plan in plans:
        remaining = {}
        for model, n in plan.jobs.items():
            skipped = min(n, unclaimed[plan.experiment, model])
            unclaimed[plan.experiment, model] -= skipped
            remaining[model] = n - skipped
        cost = sum(n * (JOB_START_S + (seconds.get((plan.preset, model)) or seconds.get(model) or assumed_seconds(model)))
                   for model, n in remaining.items())
        total_jobs += sum(remaining.values())
        total_seconds += cost / max(1, jobs_at_once) + (SWEEP_START_S if any(remaining.values()) else 0.0)
        lines.append(f"  {plan.preset:<22} {sum(plan.jobs.values()):>4} jobs, {sum(remaining.values()):>4} to run "
                     f"(experiment {plan.experiment})")
    hours, minutes = divmod(math.ceil(total_seconds / 60), 60)
    return "\n".join([f"{total_jobs} jobs to run, {jobs_at_once} at a time: about {hours} h {minutes:02d} min",
                      *lines])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mirror.pipeline.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="+", help="names of files in conf/experiment/")
    parser.add_argument("--jobs", type=int, default=1, help="jobs run at once (make's JOBS)")
    parser.add_argument("--tracking-uri", default=TrackingConfig().uri)
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1 (got {args.jobs})")
    known = sorted(path.stem for path in (CONF_DIR / "experiment").glob("*.yaml"))
    unknown = [preset for preset in args.presets if preset not in known]
    if unknown:
        parser.error(f"no preset named {', '.join(unknown)} in conf/experiment/; the presets are {', '.join(known)}")
    plans = plan_presets(args.presets)
    try:
        done, seconds = finished(args.tracking_uri, {plan.experiment for plan in plans})
    except (ConfigError, StoreUnreachable) as error:
        raise SystemExit(f"mirror.pipeline.plan: {error}") from None
    print(describe(plans, done, seconds, args.jobs), flush=True)


if __name__ == "__main__":
    main()
