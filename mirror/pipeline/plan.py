"""``python -m mirror.plan PRESET [PRESET ...] --jobs N``: how many jobs the presets will run and
about how long, before a long batch such as ``make paper`` starts.

Jobs are composed from each preset's sweep (``hydra.sweeper.params``, expanded as Hydra expands them, each
composed as the sweep's preflight composes it) and known by their config hash, as a resumed sweep knows
them: a job whose experiment already holds a FINISHED run of its config is done; one whose config FINISHED
in another experiment by the same code, or is run by an earlier preset of the list, is copied
(:mod:`mirror.tracking.reuse`).
The time per job run is the mean wall time of the finished jobs of the same model from the same preset
(one run before: its configs, read from each run's overrides), else of the same model in the store, else
its schema's ``SECONDS_PER_JOB``; the mean, not the median, because the total is a sum (a preset of
trained and untrained jobs). A preset's time is its jobs' total (each with :data:`JOB_START_S` outside
its run, a copy :data:`COPY_S`) over the jobs run at once, plus :data:`SWEEP_START_S` before its first job
starts.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from omegaconf import OmegaConf

from mirror.config import CONF_DIR, ConfigError, TrackingConfig, compose_config
from mirror.config.execution import MAX_JOBS_AT_ONCE, MAX_SWEEP_JOBS
from mirror.tracking.store import StoreUnreachable
from mirror.tracking.sweep import planned_jobs
from mirror.tracking.tags import (
    CODE_DIGEST_TAG,
    CONFIG_HASH_TAG,
    COPIED_FROM_TAG,
    MODEL_TAG,
    OVERRIDES_TAG,
    code_digest,
    is_job_run,
)
from mirror.vocabulary import JOB_SECONDS, TIME


@dataclass(frozen=True)
class PlannedJob:
    model: str
    config_hash: str


@dataclass(frozen=True)
class PresetPlan:
    preset: str
    experiment: str
    jobs: tuple[PlannedJob, ...]


def plan_presets(presets: list[str]) -> list[PresetPlan]:
    """Each preset's jobs, expanded, composed and validated as its sweep will run them; ConfigError naming the
    preset, the job and the field at the first that its sweep would refuse."""
    from hydra import compose

    from mirror.config import validate
    from mirror.config.registry import composing
    from mirror.pipeline.preflight import COMPOSITION_ERRORS, JobComposer, composition_refusal
    from mirror.tracking.resume import config_hash

    plans = []
    with composing():
        for preset in presets:
            try:
                cfg = compose(config_name="config", overrides=[f"experiment={preset}"], return_hydra_config=True)
            except COMPOSITION_ERRORS as error:
                raise ConfigError(f"preset {preset}: {composition_refusal(error)}") from None
            default_model = cfg.hydra.runtime.choices["model"]
            composer = JobComposer(cfg.hydra.job.config_name)
            overrides_of = planned_jobs(cfg)
            if len(overrides_of) > MAX_SWEEP_JOBS:
                raise ConfigError(f"preset {preset} expands to {len(overrides_of):,} jobs, more than "
                                  f"{MAX_SWEEP_JOBS:,}: split it")
            jobs = []
            for number, overrides in enumerate(overrides_of):
                try:
                    composed = composer.compose(overrides)
                    validate(composed)
                except (ConfigError, *COMPOSITION_ERRORS) as error:
                    why = str(error) if isinstance(error, ConfigError) else composition_refusal(error)
                    raise ConfigError(f"preset {preset}, job {number + 1} of {len(overrides_of)} "
                                      f"({' '.join(overrides)}): {why}") from None
                jobs.append(PlannedJob(dict(o.split("=", 1) for o in overrides).get("model", default_model),
                                       config_hash(composed)))
            plans.append(PresetPlan(preset, cfg.tracking.experiment, tuple(jobs)))
    return plans


@cache
def assumed_seconds(model: str) -> float:
    """Seconds of one job of a model with no finished run to time: its schema's ``SECONDS_PER_JOB``."""
    return type(OmegaConf.to_object(compose_config([f"model={model}"]).model)).SECONDS_PER_JOB


SWEEP_START_S = 11.0
"""Seconds a sweep adds besides its jobs (Hydra, the preflight of every job, the parent run, each worker's
first imports): fitted with :data:`JOB_START_S` over the 20 presets of one ``make paper`` (2 cores, JOBS=2)."""
JOB_START_S = 0.27
"""Seconds a job slot spends outside the job's run (the launcher handing it over, Hydra's job set-up):
fitted on ``make paper`` for jobs of 0.16 s and of 12 s alike; more than an associative job's own time."""
COPY_S = 0.16
"""Seconds of a job copied from another experiment's run (its metrics and artifacts), besides
:data:`JOB_START_S`: the mean of ``make paper``'s 175 copies."""


def _preset(overrides: str) -> str | None:
    """The preset a job ran under, from its overrides tag (``... experiment=readout_untrained``)."""
    found = [item.split("=", 1)[1] for item in overrides.split() if item.startswith("experiment=")]
    return found[-1] if found else None


@dataclass
class FinishedRuns:
    """What the store holds for a plan: per experiment, the config hashes of its FINISHED job runs; those a
    job of this code may copy; the mean wall seconds of a job run (not copied) per (preset, model)
    and per model, and the mean of its work alone (training and measuring, as the run timed them)."""

    done: dict[str, set[str]]
    copyable: set[str]
    seconds: dict[tuple[str, str] | str, float]
    work: dict[tuple[str, str] | str, float] = field(default_factory=dict)

    def per_job(self, preset: str, model: str) -> tuple[float, float]:
        """Wall seconds of one job of ``model`` in ``preset``, and of its work alone: the preset's runs of the
        model, else the model's anywhere, else its schema's estimate for both."""
        for key in ((preset, model), model):
            if key in self.seconds:
                return self.seconds[key], self.work.get(key, self.seconds[key])
        return assumed_seconds(model), assumed_seconds(model)


def read_finished(uri: str, code: str) -> FinishedRuns:
    """The store's FINISHED job runs; copyable are those computed by ``code`` (:func:`code_digest`)."""
    from mirror.tracking.store import read_store  # mlflow loads here, after the arguments were checked

    client = read_store(uri)
    done: dict[str, set[str]] = {}
    copyable: set[str] = set()
    seconds: dict[tuple[str, str] | str, list[float]] = {}
    work: dict[tuple[str, str] | str, list[float]] = {}
    for experiment in client.search_experiments():
        for run in client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'",
                                      max_results=50000):
            tags = run.data.tags
            if not is_job_run(tags) or CONFIG_HASH_TAG not in tags:
                continue
            done.setdefault(experiment.name, set()).add(tags[CONFIG_HASH_TAG])
            if tags.get(CODE_DIGEST_TAG) == code:
                copyable.add(tags[CONFIG_HASH_TAG])
            if run.info.end_time and run.info.start_time and COPIED_FROM_TAG not in tags:
                wall = (run.info.end_time - run.info.start_time) / 1000
                own = [run.data.metrics.get(f"{TIME}/{part}") for part in JOB_SECONDS[1:]]
                preset = _preset(tags.get(OVERRIDES_TAG, ""))
                for key in ([(preset, tags[MODEL_TAG])] if preset is not None else []) + [tags[MODEL_TAG]]:
                    seconds.setdefault(key, []).append(wall)
                    if None not in own:
                        work.setdefault(key, []).append(sum(own))
    return FinishedRuns(done, copyable, _means(seconds), _means(work))


def _means(samples: dict[tuple[str, str] | str, list[float]]) -> dict[tuple[str, str] | str, float]:
    return {key: sum(values) / len(values) for key, values in samples.items()}


def describe(plans: list[PresetPlan], store: FinishedRuns, jobs_at_once: int) -> str:
    """The plan in words: jobs to run and to copy, about how long, and per preset; a config run by an
    earlier preset of the list is copied by a later one."""
    lines, total_run, total_copied, total_seconds, floor = [], 0, 0, 0.0, 0.0
    done = {name: set(hashes) for name, hashes in store.done.items()}
    copyable = set(store.copyable)
    for plan in plans:
        here = done.setdefault(plan.experiment, set())
        to_run: Counter = Counter()
        to_copy = 0
        for job in plan.jobs:
            if job.config_hash in here:
                continue
            if job.config_hash in copyable:
                to_copy += 1
            else:
                to_run[job.model] += 1
            here.add(job.config_hash)
            copyable.add(job.config_hash)
        per_job = {model: store.per_job(plan.preset, model) for model in to_run}
        cost = to_copy * (JOB_START_S + COPY_S) + sum(n * (JOB_START_S + per_job[model][0]) for model, n in to_run.items())
        floor += sum(n * per_job[model][1] for model, n in to_run.items()) / max(1, jobs_at_once)
        n_run = sum(to_run.values())
        total_run += n_run
        total_copied += to_copy
        total_seconds += cost / max(1, jobs_at_once) + (SWEEP_START_S if n_run or to_copy else 0.0)
        lines.append(f"  {plan.preset:<22} {len(plan.jobs):>4} jobs, {n_run:>4} to run, {to_copy:>4} to copy "
                     f"(experiment {plan.experiment})")
    ratio = f"{total_seconds / floor:.2f}x" if floor else "-"
    return "\n".join([f"{total_run} jobs to run and {total_copied} to copy, {jobs_at_once} at a time: "
                      f"about {_clock(total_seconds)}; the jobs' own work (training and measuring) {_clock(floor)}, "
                      f"the plan {ratio} its floor", *lines])


def _clock(seconds: float) -> str:
    hours, minutes = divmod(math.ceil(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mirror.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="+", help="names of files in conf/experiment/")
    parser.add_argument("--jobs", type=int, default=1, help="jobs run at once (make's JOBS)")
    parser.add_argument("--tracking-uri", default=TrackingConfig().uri)
    parser.add_argument("--fresh", action="store_true",
                        help="plan as on an empty store (every job run or copied), timed by the store's runs")
    args = parser.parse_args(argv)
    if not 1 <= args.jobs <= MAX_JOBS_AT_ONCE:
        parser.error(f"--jobs must be from 1 to {MAX_JOBS_AT_ONCE} (got {args.jobs})")
    known = sorted(path.stem for path in (CONF_DIR / "experiment").glob("*.yaml"))
    unknown = [preset for preset in args.presets if preset not in known]
    if unknown:
        parser.error(f"no preset named {', '.join(unknown)} in conf/experiment/; the presets are {', '.join(known)}")
    try:
        plans = plan_presets(args.presets)
        store = read_finished(args.tracking_uri, code_digest())
    except (ConfigError, StoreUnreachable) as error:
        raise SystemExit(f"mirror.plan: {error}") from None
    if args.fresh:
        store = FinishedRuns({}, set(), store.seconds, store.work)
    print(describe(plans, store, args.jobs), flush=True)


if __name__ == "__main__":
    main()
