from __future__ import annotations

from collections import Counter

from mirror.config import AssociativeModelConfig, GRUModelConfig
from mirror.pipeline.plan import (
    COPY_S,
    JOB_START_S,
    SWEEP_START_S,
    FinishedRuns,
    PlannedJob,
    PresetPlan,
    describe,
    plan_presets,
)


def jobs(model: str, *hashes: str) -> tuple[PlannedJob, ...]:
    return tuple(PlannedJob(model, digest) for digest in hashes)


def store(done: dict[str, set[str]] | None = None, copyable: set[str] | None = None,
          seconds: dict | None = None) -> FinishedRuns:
    return FinishedRuns(done or {}, copyable or set(), seconds or {})


def first_line(minutes_total: float, n_run: int, n_copied: int, at_once: int) -> str:
    hours, minutes = divmod(-(-minutes_total // 60), 60)
    return f"{n_run} jobs to run and {n_copied} to copy, {at_once} at a time: about {hours:.0f} h {minutes:02.0f} min"


def test_a_model_never_run_is_estimated_at_its_schemas_seconds_per_job():
    plans = [PresetPlan("p", "e", jobs("separate_gru", *"abcdefghij") + jobs("asl_associative", *map(str, range(30))))]
    expected = (10 * GRUModelConfig.SECONDS_PER_JOB + 30 * AssociativeModelConfig.SECONDS_PER_JOB + 40 * JOB_START_S
                + SWEEP_START_S)
    assert describe(plans, store(), jobs_at_once=1).splitlines()[0].split(";")[0] == first_line(expected, 40, 0, 1)


def test_presets_are_composed_job_by_job_and_shared_conditions_have_one_config():
    ablations, untrained, lag = plan_presets(["ablations", "readout_untrained", "sweep_lag"])
    assert ablations.experiment == "ablations" and untrained.experiment == "readout"
    assert Counter(job.model for job in ablations.jobs) == Counter(
        {m: 20 for m in ("shared_gru", "separate_gru", "forward_only_gru", "shuffled_gru")})
    assert Counter(job.model for job in lag.jobs) == Counter({"hebbian_face": 165})  # the learnt layer and two planted
    assert len({job.config_hash for job in ablations.jobs}) == 80, "every job of a preset is its own config"
    # The readout preset's untrained tied own readout is the ablations' untrained GRUs, config for config.
    assert {job.config_hash for job in untrained.jobs} < {job.config_hash for job in ablations.jobs}


def test_a_config_finished_here_is_skipped_elsewhere_copied_and_one_run_earlier_in_the_list_copied_too():
    plans = [PresetPlan("one", "shared", jobs("m", *"abcdefghij")),
             PresetPlan("two", "shared", jobs("m", *"abcdefghij")),  # the same experiment: nothing again
             PresetPlan("three", "other", jobs("m", "a", "b", "c", "k", "x"))]
    # a and b FINISHED in "shared", a by this code; x in another experiment by this code; c run by "one".
    finished = store(done={"shared": {"a", "b"}, "old": {"x", "y"}}, copyable={"a", "x"}, seconds={"m": 60.0})
    text = describe(plans, finished, jobs_at_once=2)
    expected = (10 * (60.0 + JOB_START_S) + 3 * (JOB_START_S + COPY_S)) / 2 + 2 * SWEEP_START_S
    assert text.splitlines()[0].split(";")[0] == first_line(expected, 10, 3, 2)
    assert "10 jobs,    8 to run,    0 to copy" in text and "10 jobs,    0 to run,    0 to copy" in text
    assert "5 jobs,    2 to run,    3 to copy" in text, "b (other code) and k run; a, c and x copied"


def test_a_config_finished_by_other_code_is_run_again():
    plans = [PresetPlan("p", "new", jobs("m", "y"))]
    text = describe(plans, store(done={"old": {"y"}}, seconds={"m": 60.0}), jobs_at_once=1)
    assert text.splitlines()[0].split(";")[0] == first_line(60.0 + JOB_START_S + SWEEP_START_S, 1, 0, 1)


def test_a_preset_run_before_is_timed_by_its_own_jobs_before_the_models_in_general():
    plans = [PresetPlan("wide", "hidden", jobs("m", *map(str, range(20)))),
             PresetPlan("plain", "seeds", jobs("m", *map(str, range(20, 40))))]
    seconds = {("wide", "m"): 300.0, "m": 30.0}
    expected = 20 * 300.0 + 20 * 30.0 + 40 * JOB_START_S + 2 * SWEEP_START_S
    assert describe(plans, store(seconds=seconds), jobs_at_once=1).splitlines()[0].split(";")[0] == first_line(expected, 40, 0, 1)


def test_the_store_gives_each_model_the_mean_wall_time_of_the_jobs_it_ran(tmp_path):
    from mlflow.tracking import MlflowClient

    from mirror.pipeline.plan import read_finished

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("seeds", artifact_location=str(tmp_path / "artifacts"))
    for n, (seconds, status, preset, extra) in enumerate((
            (10, "FINISHED", "long", {"mirror.code_digest": "now"}), (20, "FINISHED", "short", {}),
            (60, "FINISHED", "long", {"mirror.code_digest": "before"}), (500, "FAILED", "long", {}),
            (1, "FINISHED", "short", {"mirror.copied_from": "r in e", "mirror.code_digest": "now"}))):
        run = client.create_run(experiment, start_time=1_000_000, tags={
            "mirror.model": "m", "mirror.overrides": f"model=m seed={n} experiment={preset}",
            "mirror.config_hash": f"h{n}", **extra})
        for part, share in (("train_s", 0.5), ("analysis_s", 0.25)):  # the run's own work: 3/4 of its wall time
            client.log_metric(run.info.run_id, f"time/{part}", share * seconds)
        client.set_terminated(run.info.run_id, status, end_time=1_000_000 + seconds * 1000)
    finished = read_finished(uri, code="now")
    assert finished.done == {"seeds": {"h0", "h1", "h2", "h4"}}
    assert finished.copyable == {"h0", "h4"}, "only runs of the same code are copied"
    assert finished.seconds == {("long", "m"): 35.0, ("short", "m"): 20.0, "m": 30.0}, \
        "means of the jobs run (not copied, not failed): a total is a sum"
    assert finished.work == {("long", "m"): 26.25, ("short", "m"): 15.0, "m": 22.5}, "their training and measuring"


def test_the_plan_states_its_ratio_to_the_jobs_own_work():
    plans = [PresetPlan("p", "e", jobs("m", *map(str, range(10)))), PresetPlan("q", "f", jobs("m", "0"))]
    finished = FinishedRuns({}, set(), {"m": 10.0}, {"m": 8.0})
    line = describe(plans, finished, jobs_at_once=2).splitlines()[0]
    planned = (10 * (10.0 + JOB_START_S) + (JOB_START_S + COPY_S)) / 2 + 2 * SWEEP_START_S
    floor = 10 * 8.0 / 2  # the copy is no work; a sweep's start is none of a job's
    assert line.endswith(f"the jobs' own work (training and measuring) 0 h 01 min, the plan {planned / floor:.2f}x its floor")


def test_a_fresh_plan_runs_every_job_again_timed_by_the_store(tmp_path, capsys):
    from mlflow.tracking import MlflowClient

    from mirror.pipeline.plan import main

    (preset,) = plan_presets(["power_curve"])
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(preset.experiment, artifact_location=str(tmp_path / "artifacts"))
    job = preset.jobs[0]
    run = client.create_run(experiment, start_time=1_000_000, tags={"mirror.model": job.model, "mirror.config_hash":
                                                             job.config_hash, "mirror.overrides": "experiment=power_curve"})
    client.log_metric(run.info.run_id, "time/train_s", 100.0)
    client.log_metric(run.info.run_id, "time/analysis_s", 20.0)
    client.set_terminated(run.info.run_id, "FINISHED", end_time=1_150_000)
    main(["power_curve", "--tracking-uri", uri])
    main(["power_curve", "--tracking-uri", uri, "--fresh"])
    resumed, fresh = (line for line in capsys.readouterr().out.splitlines() if "jobs to run" in line)
    assert resumed.startswith(f"{len(preset.jobs) - 1} jobs to run") and fresh.startswith(f"{len(preset.jobs)} jobs to run")
    planned = (len(preset.jobs) * (150.0 + JOB_START_S)) + SWEEP_START_S
    assert fresh.endswith(f"the plan {planned / (len(preset.jobs) * 120.0):.2f}x its floor")
