"""``python -m mirror.plan PRESET [PRESET ...] --jobs N``: how many jobs the presets will run and
about how long, before a long batch such as ``make paper`` starts.

Jobs are counted from each preset's sweep (``hydra.sweeper.params``, expanded as Hydra expands
them); those whose experiment already holds a FINISHED run of the same model are counted as
done, since a resumed sweep skips them. The time per job is the median of the finished runs of
the same model in the store, or, for a model never run here, SECONDS_PER_JOB.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from dataclasses import dataclass

from hydra.core.override_parser.overrides_parser import OverridesParser

from mirror.config import TrackingConfig, compose_config
from mirror.vocabulary import JOB_SECONDS, TIME

SECONDS_PER_JOB = {"shared_gru": 18.0, "separate_gru": 20.0, "forward_only_gru": 16.0, "shuffled_gru": 18.0,
                   "hebbian_face": 25.0, "asl_associative": 6.0}
"""Wall seconds of one job at the presets' settings on a 2-core machine, one job at a time
(start-up included), for a model with no finished run in the store to time."""


@dataclass(frozen=True)
class PresetPlan:
    preset: str
    experiment: str
    jobs: Counter
    """Jobs per model."""


def expand(params: dict[str, str]) -> list[dict[str, str]]:
    """Every job of a sweep: the cross product of each param's values, as Hydra's basic sweeper runs it."""
    parser = OverridesParser.create()
    jobs: list[dict[str, str]] = [{}]
    for override in parser.parse_overrides([f"{key}={value}" for key, value in params.items()]):
        values = list(override.sweep_string_iterator()) if override.is_sweep_override() else [override.value()]
        jobs = [{**job, override.key_or_group: str(value)} for job in jobs for value in values]
    return jobs


def plan_presets(presets: list[str]) -> list[PresetPlan]:
    plans = []
    for preset in presets:
        cfg = compose_config([f"experiment={preset}"], with_hydra=True)
        default_model = cfg.hydra.runtime.choices["model"]
        jobs = Counter(job.get("model", default_model) for job in expand(dict(cfg.hydra.sweeper.params)))
        plans.append(PresetPlan(preset, cfg.tracking.experiment, jobs))
    return plans


def finished(uri: str, experiments: set[str]) -> tuple[Counter, dict[str, float]]:
    """FINISHED job runs per (experiment, model), and the median seconds of a job per model."""
    from mirror.tracking.store import read_store

    client = read_store(uri)
    done: Counter = Counter()
    seconds: dict[str, list[float]] = {}
    for name in experiments:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            continue
        for run in client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'",
                                      max_results=50000):
            model = run.data.tags.get("mirror.model")
            if model is None or "mirror.role" in run.data.tags:
                continue
            done[name, model] += 1
            times = [run.data.metrics.get(f"{TIME}/{part}") for part in JOB_SECONDS]
            if all(t is not None for t in times):
                seconds.setdefault(model, []).append(sum(times))
    medians = {model: sorted(values)[len(values) // 2] for model, values in seconds.items()}
    return done, medians


def describe(plans: list[PresetPlan], done: Counter, seconds: dict[str, float], jobs_at_once: int) -> str:
    lines, total_jobs, total_seconds = [], 0, 0.0
    unclaimed = done.copy()  # two presets may share an experiment: a finished run counts once
    for plan in plans:
        remaining = {}
        for model, n in plan.jobs.items():
            skipped = min(n, unclaimed[plan.experiment, model])
            unclaimed[plan.experiment, model] -= skipped
            remaining[model] = n - skipped
        cost = sum(n * seconds.get(model, SECONDS_PER_JOB.get(model, 20.0)) for model, n in remaining.items())
        total_jobs += sum(remaining.values())
        total_seconds += cost
        lines.append(f"  {plan.preset:<22} {sum(plan.jobs.values()):>4} jobs, {sum(remaining.values()):>4} to run "
                     f"(experiment {plan.experiment})")
    hours, minutes = divmod(math.ceil(total_seconds / max(1, jobs_at_once) / 60), 60)
    return "\n".join([f"{total_jobs} jobs to run, {jobs_at_once} at a time: about {hours} h {minutes:02d} min",
                      *lines])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mirror.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="+", help="names of files in conf/experiment/")
    parser.add_argument("--jobs", type=int, default=1, help="jobs run at once (make's JOBS)")
    parser.add_argument("--tracking-uri", default=TrackingConfig().uri)
    args = parser.parse_args(argv)
    plans = plan_presets(args.presets)
    done, seconds = finished(args.tracking_uri, {plan.experiment for plan in plans})
    print(describe(plans, done, seconds, args.jobs), flush=True)


if __name__ == "__main__":
    main()
