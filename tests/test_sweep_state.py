"""Sweep bookkeeping without running jobs: job expansion, progress, threads, config identity."""

from __future__ import annotations

import itertools
import time

import pytest
from omegaconf import OmegaConf, open_dict

from mirror.pipeline.job import threads_per_job
from mirror.tracking.resume import config_hash
from mirror.tracking.sweep import Sweep, format_seconds, planned_jobs, swept_keys
from tests.conftest import compose_job


@pytest.fixture
def sweep_config(tmp_path):
    """The master config of a multirun: composed with the hydra node kept."""
    def build(*overrides: str, task: list[str] = ()):
        from hydra import compose, initialize_config_dir
        from hydra.core.global_hydra import GlobalHydra

        from mirror.config import register_schemas
        from tests.conftest import CONF

        register_schemas()
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        with open_dict(cfg):
            cfg.hydra.overrides.task = [*overrides, *task]
        return cfg

    return build


def test_planned_jobs_expand_a_preset_like_hydras_basic_sweeper(sweep_config):
    jobs = planned_jobs(sweep_config("experiment=ablations"))
    expected = [
        ["experiment=ablations", f"model={m}", f"trainer.max_epochs={e}", f"seed={s}"]
        for m, e, s in itertools.product(
            ["shared_gru", "separate_gru", "forward_only_gru", "shuffled_gru"], [20, 0], range(10)
        )
    ]
    assert sorted(map(sorted, jobs)) == sorted(map(sorted, expected))
    assert swept_keys(jobs) == ["model", "seed", "trainer.max_epochs"]


def test_a_command_line_sweep_replaces_the_presets_values_for_that_key(sweep_config):
    jobs = planned_jobs(sweep_config("experiment=sweep_hidden", task=["seed=range(2)"]))
    assert len(jobs) == 8 * 2
    assert {o for job in jobs for o in job if o.startswith("seed=")} == {"seed=0", "seed=1"}


def test_progress_estimates_the_time_left_from_the_jobs_done(tmp_path):
    sweep = Sweep("abc", "parent", "1", n_jobs=10, swept=["seed"], started=time.time() - 20.0,
                  directory=str(tmp_path))
    (tmp_path / ".mirror" / "done").mkdir(parents=True)
    sweep.mark_done(0, "COMPLETED")
    sweep.mark_done(1, "SKIPPED")
    sweep.mark_done(1, "COMPLETED")  # the first mark stands
    line = sweep.progress(2, ["seed=2", "trainer=fast"])
    assert line.startswith("sweep abc: job 3 of 10 (seed=2): 2 done, about 1 min 20 s left")
    assert sweep.done() == {"COMPLETED": 1, "SKIPPED": 1}


@pytest.mark.parametrize(
    ("seconds", "text"), [(4.4, "4 s"), (59.6, "1 min 00 s"), (125, "2 min 05 s"), (7620, "2 h 07 min")]
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("threads", "launcher", "cores", "expected"),
    [
        (0, {"_target_": "hydra._internal.core_plugins.basic_launcher.BasicLauncher"}, 8, 8),
        (0, {"_target_": "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", "n_jobs": 2}, 8, 4),
        (0, {"_target_": "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", "n_jobs": -1}, 8, 1),
        (0, {"_target_": "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", "n_jobs": 3}, 2, 1),
        (0, {"_target_": "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher",
             "cpus_per_task": None}, 8, 1),
        (0, {"_target_": "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
             "cpus_per_task": 6}, 8, 6),
        (3, {"_target_": "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", "n_jobs": 2}, 8, 3),
    ],
)
def test_parallel_jobs_share_the_cores(monkeypatch, threads, launcher, cores, expected):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cores)))
    assert threads_per_job(threads, OmegaConf.create(launcher)) == expected


def test_config_identity_ignores_where_and_how_a_job_runs(tmp_path):
    base = config_hash(compose_job([], tmp_path / "a"))
    assert config_hash(compose_job(
        ["tracking.experiment=other", "threads=3", "trainer.enable_progress_bar=false"], tmp_path / "b"
    )) == base
    assert config_hash(compose_job(["seed=1"], tmp_path / "c")) != base
    assert config_hash(compose_job(["analysis.n_permutations=10"], tmp_path / "d")) != base


def test_a_sweeps_description_stays_within_mlflows_limit_in_whole_rows():
    from mirror.tracking.sweep_summary import DESCRIPTION_LIMIT, ConditionSummary, MetricSummary, description

    metric = MetricSummary("analysis/centred/fraction_mirror", 10, 0.25, 0.2, 0.3)
    many = [ConditionSummary(f"data.lag={lag} model.rule=hebb", 10, [metric]) for lag in range(500)]
    text = description(many, "FINISHED", "python -m mirror.report --experiment x")
    assert len(text) <= DESCRIPTION_LIMIT and text.endswith("`python -m mirror.report --experiment x`")
    kept = text.count("| data.lag=")
    assert 0 < kept < 500 and f"(and {500 - kept} more conditions)" in text
    assert all(line.endswith("|") for line in text.splitlines() if line.startswith("| data.lag="))
    few = description(many[:2], "FINISHED", "r")
    assert "more conditions" not in few and few.count("| data.lag=") == 2


def test_a_proportions_interval_in_a_sweeps_summary_stays_inside_zero_and_one():
    from types import SimpleNamespace

    from mirror.tracking.sweep_summary import across_seeds

    fractions = [0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.02]  # a t-interval would reach below 0
    runs = [SimpleNamespace(data=SimpleNamespace(metrics={"analysis/centred/fraction_mirror": value},
                                                 tags={"mirror.overrides": f"seed={seed}"}))
            for seed, value in enumerate(fractions)]
    (summary,) = across_seeds(runs, ["seed"])
    (metric,) = summary.metrics
    assert 0.0 <= metric.low <= metric.mean <= metric.high <= 1.0 and metric.n == 10
