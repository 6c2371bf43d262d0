"""A sweep's up-front validation composes each job as Hydra does, without composing every job."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from mirror.config import CONF_DIR, compose_config, register_schemas
from mirror.pipeline.preflight import JobComposer
from mirror.tracking.sweep import planned_jobs


@pytest.mark.parametrize("preset, extra", [
    ("readout", ["trainer=fast"]),                     # a config group swept (model=...) with values
    ("readout_input", []),                              # a trainer value swept beside a model group
    ("asl_signalled", []),                              # a family's own fields and booleans
    ("sweep_lag", ["model.mirror.sparseness=0.3"]),     # nested fields, an interpolated seed
])
def test_every_job_is_the_config_hydra_composes(preset, extra):
    jobs = planned_jobs(compose_config([f"experiment={preset}", *extra], with_hydra=True))
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        composer = JobComposer("config")
        for overrides in jobs[:: max(1, len(jobs) // 25)]:
            fast = OmegaConf.to_container(composer.compose(overrides), resolve=True)
            assert fast == OmegaConf.to_container(compose("config", overrides=overrides), resolve=True), overrides
    assert len(composer._composed) < len(jobs), "jobs that differ in values share a composition"


def test_a_value_that_cannot_be_set_is_left_to_hydra_to_refuse():
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        composer = JobComposer("config")
        with pytest.raises(Exception, match="model.hidden_size") as raised:
            composer.compose(["model.hidden_size=abc"])
        with pytest.raises(Exception, match="model.nope"):
            composer.compose(["model.nope=1"])
    assert "ConfigCompositionException" in type(raised.value).__name__


def test_hydra_composes_again_only_the_jobs_the_preflight_did_not_validate(monkeypatch):
    from types import SimpleNamespace

    from hydra.plugins.sweeper import Sweeper

    import mirror.run  # noqa: F401  (installs the sweeper's check of what the preflight did not check)
    from mirror.pipeline import preflight

    composed = []
    loader = SimpleNamespace(load_sweep_config=lambda master_config, sweep_overrides: composed.append(sweep_overrides))
    sweeper = SimpleNamespace(hydra_context=SimpleNamespace(config_loader=loader), config=OmegaConf.create())
    monkeypatch.setattr(preflight, "_validated_jobs", {("seed=0",), ("seed=1",)})
    Sweeper.validate_batch_is_legal(sweeper, [["seed=0"], ["seed=2"], ["seed=1"]])
    assert composed == [["seed=2"]]
    Sweeper.validate_batch_is_legal(sweeper, [["seed=0"], ["seed=1"]])
    assert composed == [["seed=2"]], "a batch the preflight validated whole is not composed again"
