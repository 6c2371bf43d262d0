"""Every bad value is refused before any training, data generation or store write, naming its field."""

from __future__ import annotations

import pytest

from mirror.config import ConfigError, validate
from tests.conftest import compose_job, run_cli

TINY = ["trainer=fast", "data.n_train=64", "data.n_val=16", "data.n_test=32", "analysis.n_permutations=20",
        "model.hidden_size=12"]
HEBBIAN = ["model=hebbian_face"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # sizes that would allocate absurd memory
        (["model.hidden_size=1000000000"], "model.hidden_size"),
        (["data.n_train=10000000000"], "data.n_train"),
        (["data.sensory_dim=1000000000"], "data.sensory_dim"),
        ([*HEBBIAN, "model.mirror.sheet_size=100000"], "model.mirror.sheet_size"),
        ([*HEBBIAN, "model.vision.sheet_size=100000"], "model.vision.sheet_size"),
        ([*HEBBIAN, "data.image_size=100000"], "data.image_size"),
        # seeds
        (["data.seed=-1"], "data.seed"),
        (["analysis.seed=-1"], "analysis.seed"),
        ([*HEBBIAN, "data.seed=-1"], "data.seed"),
        # analysis settings the test set or the model cannot support
        (["analysis.decoder_folds=33"], "analysis.decoder_folds"),
        (["data.seq_len=5", "analysis.max_lag=5"], "analysis.max_lag"),
        (["analysis.top_units=13"], "analysis.top_units"),
        ([*HEBBIAN, "model.mirror.sheet_size=3", "analysis.top_units=10"], "analysis.top_units"),
        # a model that would train nothing
        (["model.forward_weight=0", "model.inverse_weight=0"], "model.forward_weight"),
        (["model=forward_only_gru", "model.forward_weight=0"], "model.forward_weight"),
        # non-finite floats pass every comparison
        (["model.lr=inf"], "model.lr"),
        (["model.forward_weight=inf"], "model.forward_weight"),
        (["model.inverse_weight=nan"], "model.inverse_weight"),
        (["data.noise_std=inf"], "data.noise_std"),
        (["data.effect_scale=inf"], "data.effect_scale"),
        (["analysis.fdr_alpha=nan"], "analysis.fdr_alpha"),
        ([*HEBBIAN, "model.vision.slope=[190.0,inf,75.0,26.0]"], "model.vision.slope"),
        # Hebbian fields
        ([*HEBBIAN, "model.vision.slope=[190.0,-40.0,75.0,26.0]"], "model.vision.slope"),
        ([*HEBBIAN, "model.vision.inhibition_sigma=[0.0,2.7,4.0,6.0]"], "model.vision.inhibition_sigma"),
        ([*HEBBIAN, "model.vision.inhibition_delta=[-1.5,1.5,1.6,1.4]"], "model.vision.inhibition_delta"),
        ([*HEBBIAN, "model.vision.learning_rate=[-25.0,6.7,5.0,4.0]"], "model.vision.learning_rate"),
        ([*HEBBIAN, "model.vision.fan_in_radius=[6.0,0.0,9.0,12.0]"], "model.vision.fan_in_radius"),
        ([*HEBBIAN, "model.mirror.slope=0"], "model.mirror.slope"),
        ([*HEBBIAN, "model.mirror.inhibition_sigma=-1"], "model.mirror.inhibition_sigma"),
        ([*HEBBIAN, "model.mirror.inhibition_delta=-1"], "model.mirror.inhibition_delta"),
        ([*HEBBIAN, "model.vision.cache_dir=/etc/hostname/visnet"], "model.vision.cache_dir"),
        # the trainer
        (["trainer.accelerator=bogus"], "trainer.accelerator"),
        (["trainer.limit_train_batches=1.5"], "trainer.limit_train_batches"),
        (["trainer.limit_train_batches=-2"], "trainer.limit_train_batches"),
        # new fields
        (["model.readout=sideways"], "model.readout"),
        (["model.heads=loose"], "model.heads"),
        (["model.heads=untied"], "model.heads"),  # with readout=own no head reads the other mode
        (["model.perform_input=thoughts"], "model.perform_input"),
        (["model.state_projection=other"], "model.state_projection"),
        (["model=asl_associative", "model.rule=bayes"], "model.rule"),
        (["model=asl_associative", "data.unpaired_fraction=1.0"], "data.unpaired_fraction"),
        (["model=asl_associative", "data.unpaired_kind=never"], "data.unpaired_kind"),
        (["model=asl_associative", "data.sound=whistle"], "data.sound"),
        (["model=asl_associative", "data.sound=per_action", "data.unpaired_fraction=0.5"], "data.sound"),
        (["data.effect_redraw=1.5"], "data.effect_redraw"),
        (["model=planted_consequences", "model.observer_sees=minds"], "model.observer_sees"),
        (["model=asl_associative", "model.rule=bcm"], "model.rule"),
        (["model=asl_associative", "model.mean_rate=0"], "model.mean_rate"),
        (["model=asl_associative", "model.learning_rate=0"], "model.learning_rate"),
        ([*HEBBIAN, "model.vision.fan_in=[272,100,2000,100]"], "model.vision.fan_in"),
        (["model=asl_associative", "model.initial_weight=1e300"], "model.initial_weight"),
        (["model=asl_associative", "model.response_noise=0"], "model.response_noise"),
        (["tracking.heartbeat_timeout_s=1"], "tracking.heartbeat_timeout_s"),
        (["tracking.experiment=../../../x"], "tracking.experiment"),  # its report would land outside --out
        # accepted silently before: each now names its field
        (["model=visnet_control", "model.vision.fan_in=[100000,20,20,20]"], "model.vision.fan_in"),
        ([*HEBBIAN, "model.vision.fan_in=[100000000,100,100,100]"], "model.vision.fan_in"),
        (["model=visnet_control", "analysis.cell_counts=[100000]"], "analysis.cell_counts"),
        (["model=visnet_control", "analysis.information_bins=1000000000"], "analysis.information_bins"),
        (["tracking.experiment=a/b"], "tracking.experiment"),
        (["tracking.experiment=.."], "tracking.experiment"),
        (["tracking.uri=http://user:secret@127.0.0.1:5000"], "tracking.uri"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(tmp_path, overrides, field):
    gru = not any(o.startswith("model=") and not o.endswith("_gru") for o in overrides)
    cfg = compose_job([*TINY, *overrides] if gru else overrides, tmp_path / "job")
    with pytest.raises(ConfigError, match=rf"^{field}\b") as error:
        validate(cfg)
    assert "secret" not in str(error.value)


def test_a_whole_number_of_batches_is_passed_to_lightning_as_a_count(tmp_path):
    from omegaconf import OmegaConf

    cfg = compose_job([*TINY, "trainer.limit_train_batches=3"], tmp_path / "job")
    validate(cfg)
    assert OmegaConf.to_object(cfg.trainer).trainer_arguments()["limit_train_batches"] == 3


def test_the_memory_refusal_states_what_is_needed_and_what_there_is(tmp_path):
    cfg = compose_job([*TINY, "model.hidden_size=1000000000"], tmp_path / "job")
    with pytest.raises(ConfigError, match=r"would need about .* of memory \(estimated\); this machine has .* available"):
        validate(cfg)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["model.hidden_size=1000000000"], "mirror: model.hidden_size = 1000000000 would need about"),
        (["tracking.uri=http://user:secret@127.0.0.1:5000"], "mirror: tracking.uri must not carry"),
        (["tracking.uri=http://user:secret@127.0.0.1:5000", "seed=0,1", "-m"], "mirror: tracking.uri must not carry"),
        (["experiment=sweep_seeds", "tracking.uri=http://user:secret@127.0.0.1:5000"],
         "mirror: tracking.uri must not carry"),
        (["tracking.uri=http://127.0.0.1:9"], "mirror: tracking.uri http://127.0.0.1:9 does not answer"),
        (["tracking.uri=sqlite:////proc/nope/mlflow.db"], "mirror: tracking.uri must name a database in a folder"),
        (["tracking.uri=file:./mlruns"], "mirror: tracking.uri must be sqlite:///<path>"),
        (["tracking.uri=bogus://x"], "mirror: tracking.uri must be sqlite:///<path>"),
        (["tracking.uri=sqlite:///damaged.db"], "mirror: tracking.uri names a file that is not an sqlite database"),
        (["tracking.artifact_root=/proc/nope/art"], "mirror: tracking.artifact_root must be a folder"),
        (["tracking.artifact_root=/proc/nope/art", "seed=0,1", "-m"], "mirror: sweep job 1 of 2 ("),
        (["seed=1,-1", "-m"], "mirror: sweep job 2 of 2 ("),
        # Hydra's own refusals, one line each too
        (["model.hidden_size=abc"], "mirror: model.hidden_size: Value 'abc' of type 'str' could not be converted"),
        (["model.foo=1"], "mirror: model.foo: Key 'foo' not in 'GRUModelConfig'"),
        (["model=nonexistent"], "mirror: model=nonexistent: no such option in conf/model/; the options are "
                                "asl_associative, forward_only_gru,"),
        (["experiment=nonexistent"], "mirror: experiment=nonexistent: no such option in conf/experiment/"),
        (["seed=range("], "mirror: seed=range( cannot be read as an override: no viable alternative"),
        (["model.hidden_size=abc,12", "-m"], "mirror: sweep job 1 of 2 (trainer=fast "),
        (["seed=0,1", "hydra/launcher=joblib", "hydra.launcher.n_jobs=0", "-m"], "mirror: hydra.launcher.n_jobs must be"),
        (["seed=0,1", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1000", "-m"],
         "mirror: hydra.launcher.n_jobs must be -1 (one per core) or a count from 1 to this machine's"),
        (["seed=range(20000)", "-m"], "mirror: the sweep expands to 20,000 jobs, more than 10,000"),
        (["threads=100000"], "mirror: threads must be an integer from 0"),
        (["threads=2147483648"], "mirror: threads must be an integer from 0"),
        (['tracking.uri="http://127.0.0.1:5999/?token=secret"'], "mirror: tracking.uri must not carry a query or "
                                                                 "fragment (got http://127.0.0.1:5999/?***)"),
        (['tracking.uri="http://127.0.0.1:5999/?token=secret"', "seed=0,1", "-m"], "mirror: tracking.uri must not carry"),
        (["tracking.uri=http://127.0.0.1:5999/?token=secret"], "mirror: tracking.uri=http://127.0.0.1:5999/?*** cannot be "
                                                               "read as an override"),
        (["experiment=sweep_seeds", "seed=range(0)"], "mirror: the sweep has no jobs"),
    ],
)
def test_the_command_line_refuses_in_one_line_and_leaves_nothing_behind(tmp_path, arguments, expected):
    damaged = "tracking.uri=sqlite:///damaged.db" in arguments
    if damaged:
        (tmp_path / "damaged.db").write_bytes(b"not a database, but 100 bytes of something else " * 2)
    result = run_cli(*TINY, *arguments, cwd=tmp_path, timeout=120)
    if damaged:
        (tmp_path / "damaged.db").unlink()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip().splitlines()[0]], "one line"
    assert result.stderr.startswith(expected)
    assert "secret" not in result.stdout + result.stderr
    assert not any(tmp_path.iterdir()), "no outputs/, multirun/ or mlruns/ for a refused config"


SECRET_URI = "http://user:secret@secret.invalid:5000"
"""A store address with a password; its host name is the password too, so a look-up would leak it."""


def test_reading_runs_from_python_refuses_a_password_before_any_network_use(monkeypatch):
    import socket

    import mirror

    def no_network(*args, **kwargs):
        raise AssertionError("the address was used before it was refused")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    with pytest.raises(ConfigError, match=r"^tracking.uri must not carry .*\*\*\*@secret.invalid") as error:
        mirror.load_runs("anything", tracking_uri=SECRET_URI)
    assert "user:secret" not in str(error.value)
    with pytest.raises(ConfigError):
        mirror.load_activity("0" * 32, tracking_uri=SECRET_URI)


@pytest.mark.parametrize(
    ("module", "arguments"),
    [
        ("mirror.report.__main__", ["--experiment", "x", "--no-mlflow-run", "--tracking-uri", SECRET_URI]),
        ("mirror.claims.__main__", ["--no-mlflow-run", "--tracking-uri", SECRET_URI]),
        ("mirror.pipeline.plan", ["sweep_seeds", "--tracking-uri", SECRET_URI]),
        ("mirror.pipeline.plan", ["sweep_seeds", "--tracking-uri", "http://secret.invalid:5999/?token=secret"]),
    ],
)
def test_the_report_the_claims_page_and_the_plan_refuse_a_password_in_one_masked_line(module, arguments, tmp_path,
                                                                                        monkeypatch):
    import importlib
    import socket

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("the address was used"))
    with pytest.raises(SystemExit) as stopped:
        importlib.import_module(module).main([*arguments, "--out", str(tmp_path / "out")]
                                             if module != "mirror.pipeline.plan" else arguments)
    message = str(stopped.value.code)
    if "token" in arguments[-1]:  # a token in the query: refused, the query masked
        assert "must not carry a query or fragment (got http://secret.invalid:5999/?***)" in message
    else:
        assert "must not carry a user name or password" in message and "***@secret.invalid" in message
    assert "user:secret" not in message and "token=" not in message and len(message.splitlines()) == 1


@pytest.mark.parametrize(("arguments", "expected"), [
    (["sweep_seeds", "--jobs", "0"], "--jobs must be from 1 to 256 (got 0)"),
    (["sweep_seeds", "--jobs", "-2"], "--jobs must be from 1 to 256 (got -2)"),
    (["sweep_seeds", "--jobs", "100000"], "--jobs must be from 1 to 256 (got 100000)"),
    (["nope"], "no preset named nope in conf/experiment/; the presets are ablations, "),
])
def test_the_plan_refuses_a_count_or_preset_that_cannot_be_planned(arguments, expected, capsys):
    from mirror.pipeline.plan import main

    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    assert stopped.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_an_unreadable_activity_file_is_named_with_its_run(tmp_path, damage):
    import numpy as np

    import mirror
    from mirror.protocol import ACTIVITY_FILE
    from mirror.tracking.store import prepare_experiment

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client, experiment_id = prepare_experiment(uri, "mirror", str(tmp_path / "artifacts"))
    run_id = client.create_run(experiment_id).info.run_id
    whole = tmp_path / "whole.npz"
    np.savez_compressed(whole, perform=np.ones((50, 3, 4)), observe=np.ones((50, 3, 4)))
    damaged = tmp_path / ACTIVITY_FILE
    damaged.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2] if damage == "truncated" else b"")
    client.log_artifact(run_id, str(damaged), "analysis")
    with pytest.raises(ValueError, match=rf"^run {run_id}: its activity file analysis/{ACTIVITY_FILE} is unreadable"):
        mirror.load_activity(run_id, tracking_uri=uri)


@pytest.mark.parametrize("uri", ["bogus://x", "sqlite:////proc/nope/mlflow.db"])
@pytest.mark.parametrize(("module", "arguments"), [
    ("mirror.report.__main__", ["--experiment", "x", "--no-mlflow-run"]),
    ("mirror.claims.__main__", ["--no-mlflow-run"]),
    ("mirror.pipeline.plan", ["sweep_seeds"]),
])
def test_the_report_the_claims_page_and_the_plan_refuse_a_store_they_cannot_open_in_one_line(module, arguments, uri,
                                                                                              tmp_path, monkeypatch):
    import importlib

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        importlib.import_module(module).main([*arguments, "--tracking-uri", uri])
    message = str(stopped.value.code)
    assert "tracking.uri must" in message and len(message.splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_a_preset_that_is_not_yaml_is_one_line_naming_its_file_and_line(tmp_path):
    """A preset with broken YAML printed Hydra's 111-line traceback."""
    presets = tmp_path / "extra" / "experiment"
    presets.mkdir(parents=True)
    (presets / "broken.yaml").write_text("# @package _global_\nhydra:\n  sweeper:\n    params:\n      seed: 0,1\n  bad: [\n")
    result = run_cli("experiment=broken", f"hydra.searchpath=[file://{tmp_path / 'extra'}]", "-m", cwd=tmp_path,
                     timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith(f"mirror: {presets / 'broken.yaml'}, line 7: not valid YAML")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extra"], "nothing written"
