from __future__ import annotations

from collections import Counter

from mirror.config import AssociativeModelConfig, GRUModelConfig
from mirror.pipeline.plan import JOB_START_S, SWEEP_START_S, PresetPlan, describe, plan_presets


def test_a_model_never_run_is_estimated_at_its_schemas_seconds_per_job():
    plans = [PresetPlan("p", "e", Counter({"separate_gru": 10, "asl_associative": 30}))]
    expected = (10 * GRUModelConfig.SECONDS_PER_JOB + 30 * AssociativeModelConfig.SECONDS_PER_JOB + 40 * JOB_START_S
                + SWEEP_START_S)
    minutes = -(-expected // 60)
    assert describe(plans, Counter(), {}, jobs_at_once=1).splitlines()[0] == (
        f"40 jobs to run, 1 at a time: about 0 h {minutes:02.0f} min")


def test_presets_are_counted_per_model_from_their_sweeps():
    ablations, lag = plan_presets(["ablations", "sweep_lag"])
    assert ablations.experiment == "ablations"
    assert ablations.jobs == Counter({m: 20 for m in ("shared_gru", "separate_gru", "forward_only_gru",
                                                      "shuffled_gru")})
    assert lag.jobs == Counter({"hebbian_face": 55})


def test_finished_runs_are_not_counted_twice_and_the_estimate_uses_the_measured_times():
    plans = [PresetPlan("one", "shared", Counter({"m": 10})), PresetPlan("two", "shared", Counter({"m": 10}))]
    text = describe(plans, Counter({("shared", "m"): 12}), {"m": 60.0}, jobs_at_once=2)
    minutes = -(-(8 * (60.0 + JOB_START_S) / 2 + SWEEP_START_S) // 60)  # one sweep starts: the first preset has nothing left
    assert text.splitlines()[0] == f"8 jobs to run, 2 at a time: about 0 h {minutes:02.0f} min"
    assert "10 jobs,    0 to run" in text and "10 jobs,    8 to run" in text


def test_a_preset_run_before_is_timed_by_its_own_jobs_before_the_models_in_general():
    plans = [PresetPlan("wide", "hidden", Counter({"m": 20})), PresetPlan("plain", "seeds", Counter({"m": 20}))]
    seconds = {("wide", "m"): 300.0, "m": 30.0}
    hours, minutes = divmod(-(-(20 * 300.0 + 20 * 30.0 + 40 * JOB_START_S + 2 * SWEEP_START_S) // 60), 60)
    assert describe(plans, Counter(), seconds, jobs_at_once=1).splitlines()[0] == (
        f"40 jobs to run, 1 at a time: about {hours:.0f} h {minutes:02.0f} min")


def test_the_store_gives_each_model_the_mean_wall_time_of_its_finished_jobs(tmp_path):
    from mlflow.tracking import MlflowClient

    from mirror.pipeline.plan import finished

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("seeds", artifact_location=str(tmp_path / "artifacts"))
    for seconds, status, preset in ((10, "FINISHED", "long"), (20, "FINISHED", "short"), (60, "FINISHED", "long"),
                                    (500, "FAILED", "long")):
        run = client.create_run(experiment, start_time=1_000_000, tags={
            "mirror.model": "m", "mirror.overrides": f"model=m seed=1 experiment={preset}"})
        client.set_terminated(run.info.run_id, status, end_time=1_000_000 + seconds * 1000)
    done, means = finished(uri, {"seeds", "absent"})
    assert done == Counter({("seeds", "m"): 3})
    assert means == {("long", "m"): 35.0, ("short", "m"): 20.0, "m": 30.0}, "means of finished jobs: a total is a sum"
