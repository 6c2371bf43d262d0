"""A wrong config value stops the run before training, with a message naming the field."""

from __future__ import annotations

import pytest
from hydra.errors import ConfigCompositionException, MissingConfigException

from mirror.config import ConfigError, validate
from tests.conftest import compose_job, run_cli


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("model.hidden_size=-3", "model.hidden_size"),
        ("data.n_actions=1", "data.n_actions"),
        ("data.decay=1.5", "data.decay"),
        ("data.pairing=shuffled", "data.pairing"),
        ("trainer.max_epochs=-1", "trainer.max_epochs"),
        ("analysis.headline=median", "analysis.headline"),
        ("seed=-1", "seed"),
    ],
)
def test_out_of_range_values_name_their_field(tiny_job, override, field):
    cfg = tiny_job(override)
    with pytest.raises(ConfigError, match=rf"^{field} "):
        validate(cfg)


def test_defaults_are_valid(tiny_job):
    validate(tiny_job())


def test_wrong_types_fail_at_composition_naming_the_field(tiny_job):
    with pytest.raises(ConfigCompositionException) as error:
        tiny_job("model.hidden_size=many")
    assert "hidden_size" in str(error.value.__cause__ or error.value)


def test_unknown_keys_are_refused(tiny_job):
    with pytest.raises(ConfigCompositionException, match="hiden_size"):
        tiny_job("model.hiden_size=8")


def test_unknown_model_lists_the_available_ones(tiny_job):
    with pytest.raises(MissingConfigException, match="shared_gru"):
        tiny_job("model=no_such_model")


def test_command_line_stops_before_training(tmp_path):
    result = run_cli("model.hidden_size=-3", cwd=tmp_path, timeout=120)
    assert result.returncode != 0
    assert "model.hidden_size must be positive (got -3)" in result.stderr
    assert not (tmp_path / "mlruns").exists(), "nothing may be recorded for a config that never ran"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (["model=hebbian_face", "model.vision.sparseness=[0.1]"], "model.vision.sparseness"),
        (["model=hebbian_face", "model.mirror.normalisation=both"], "model.mirror.normalisation"),
        (["model=hebbian_face", "data.lag=5000"], "data.lag"),
        (["model=hebbian_face", "data.test_identities=2"], "data.test_identities"),
        (["model=hebbian_face", "data=action_sequences"], "data"),
        (["model=hebbian_face", "data.pretrain_order=sweep", "data.max_shift=0.05"], "data.sequence_length"),
        (["model=hebbian_face", "data.pretrain_order=sweep", "data.sequence_length=9"], "data.max_shift"),
        (["model=hebbian_face", "analysis.vision_information_threshold=0"], "analysis.vision_information_threshold"),
        (["model=hebbian_face", "data.parent_views=video"], "data.parent_views"),
        (["model=hebbian_face", "data.pretrain_order=identity_morph", "data.sequence_length=1"], "data.sequence_length"),
        (["model=visnet_control", "data.stimuli=[T]"], "data.stimuli"),
        (["model=visnet_control", "data.stimuli=[T,O]"], "data.stimuli"),
        (["model=visnet_control", "data.spacing=30"], "data.spacing"),
        (["model=visnet_control", "analysis.invariance_criterion=1.5"], "analysis.invariance_criterion"),
        (["model=visnet_control", "analysis=hebbian"], "analysis"),
    ],
)
def test_hebbian_errors_name_their_nested_field(tmp_path, overrides, field):
    cfg = compose_job(overrides, tmp_path / "job")
    with pytest.raises(ConfigError, match=rf"^{field} "):
        validate(cfg)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("tracking", True), ("tracking.uri", True), ("threads", True), ("trainer.enable_progress_bar", True),
     ("trainer.max_epochs", False), ("tracking_extra", False), ("model.hidden_size", False)],
)
def test_execution_fields_are_told_from_fields_that_change_results(name, expected):
    from mirror.config import is_execution_field

    assert is_execution_field(name) is expected
