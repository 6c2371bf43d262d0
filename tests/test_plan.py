from __future__ import annotations

from collections import Counter

from mirror.plan import PresetPlan, describe, expand, plan_presets


def test_a_sweep_expands_to_the_cross_product_hydra_runs():
    jobs = expand({"model": "a,b", "seed": "range(3)", "data.lag": "2"})
    assert len(jobs) == 6
    assert {(job["model"], job["seed"]) for job in jobs} == {(m, str(s)) for m in "ab" for s in range(3)}
    assert {job["data.lag"] for job in jobs} == {"2"}


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
