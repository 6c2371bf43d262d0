from __future__ import annotations

from collections import Counter

from mirror.config import AssociativeModelConfig, GRUModelConfig
from mirror.pipeline.plan import PresetPlan, describe, plan_presets


def test_a_model_never_run_is_estimated_at_its_schemas_seconds_per_job():
    plans = [PresetPlan("p", "e", Counter({"separate_gru": 10, "asl_associative": 30}))]
    expected = 10 * GRUModelConfig.SECONDS_PER_JOB + 30 * AssociativeModelConfig.SECONDS_PER_JOB
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
    assert text.splitlines()[0] == "8 jobs to run, 2 at a time: about 0 h 04 min"
    assert "10 jobs,    0 to run" in text and "10 jobs,    8 to run" in text
