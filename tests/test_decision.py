"""decide(): a job skips what FINISHED in its experiment, copies what FINISHED elsewhere by the same code, runs the
rest, and never starts a config a live process holds; every experiment opens in MLflow's model-training view."""

from __future__ import annotations

import pytest
from mlflow.tracking import MlflowClient

from mirror.tracking.decision import COPY, RUN, SKIP, ConfigAlreadyRunning, claim, decide
from mirror.tracking.liveness import owner_tags
from mirror.tracking.store import prepare_experiment
from mirror.tracking.tags import CODE_DIGEST_TAG, CONFIG_HASH_TAG, EXPERIMENT_KIND_TAG, MODEL_TAG, MODEL_TRAINING_KIND

CODE = "code-1"


def store(tmp_path) -> tuple[MlflowClient, str, str]:
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client, here = prepare_experiment(uri, "here", str(tmp_path / "art"))
    _, elsewhere = prepare_experiment(uri, "elsewhere", str(tmp_path / "art"))
    return client, here, elsewhere


def job_run(client: MlflowClient, experiment_id: str, digest: str, status: str = "FINISHED", code: str = CODE,
            **tags: str) -> str:
    run = client.create_run(experiment_id, tags={MODEL_TAG: "asl_associative", CONFIG_HASH_TAG: digest,
                                                 CODE_DIGEST_TAG: code, **tags})
    if status != "RUNNING":
        client.set_terminated(run.info.run_id, status)
    return run.info.run_id


def decision(client: MlflowClient, experiment_id: str, digest: str, resuming: bool = True):
    return decide(client, experiment_id, digest, resuming=resuming, code=CODE, heartbeat_timeout_s=600.0)


def test_a_config_finished_here_is_skipped_to_its_newest_run(tmp_path):
    client, here, _ = store(tmp_path)
    job_run(client, here, "abc")
    newest = job_run(client, here, "abc")
    job_run(client, here, "abc", status="FAILED")
    found = decision(client, here, "abc")
    assert found.action == SKIP and found.run.info.run_id == newest


def test_a_config_finished_elsewhere_by_the_same_code_is_copied_and_by_other_code_run(tmp_path):
    client, here, elsewhere = store(tmp_path)
    source = job_run(client, elsewhere, "abc")
    job_run(client, elsewhere, "def", code="code-0")
    copied = decision(client, here, "abc")
    assert copied.action == COPY and copied.run.info.run_id == source
    assert decision(client, here, "def").action == RUN, "computed by other code: run again"


def test_a_new_config_and_any_config_without_resume_run(tmp_path):
    client, here, _ = store(tmp_path)
    job_run(client, here, "abc")
    assert decision(client, here, "new").action == RUN
    assert decision(client, here, "abc", resuming=False).action == RUN and decision(client, here, "abc",
                                                                                    resuming=False).run is None


def test_a_config_a_live_process_holds_is_not_started_and_a_dead_ones_is_freed(tmp_path):
    client, here, _ = store(tmp_path)
    job_run(client, here, "abc", status="RUNNING", **owner_tags())  # this live process holds it
    with pytest.raises(ConfigAlreadyRunning, match="already RUNNING"):
        decision(client, here, "abc")
    dead = job_run(client, here, "def", status="RUNNING", **{**owner_tags(), "mirror.pid": "999999999"})
    assert decision(client, here, "def").action == RUN
    assert client.get_run(dead).info.status == "FAILED", "an abandoned run is failed before deciding"


def test_every_experiment_opens_in_the_model_training_view_old_ones_included(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    client, experiment_id = prepare_experiment(uri, "new", str(tmp_path / "art"))
    assert client.get_experiment(experiment_id).tags[EXPERIMENT_KIND_TAG] == MODEL_TRAINING_KIND
    old = client.create_experiment("made-by-an-earlier-version")
    assert EXPERIMENT_KIND_TAG not in client.get_experiment(old).tags
    _, found = prepare_experiment(uri, "made-by-an-earlier-version", str(tmp_path / "art"))
    assert found == old and client.get_experiment(old).tags[EXPERIMENT_KIND_TAG] == MODEL_TRAINING_KIND


def test_two_processes_that_both_decided_to_run_a_config_run_it_once_whoever_claims_first(tmp_path):
    """Look-then-create is not atomic: both decide RUN before either creates its run. Create-then-check keeps the
    oldest run of the config and deletes the other, whichever order the checks come in."""
    client, here, _ = store(tmp_path)
    assert decision(client, here, "abc").action == decision(client, here, "abc").action == RUN
    first = job_run(client, here, "abc", status="RUNNING", **owner_tags())
    second = job_run(client, here, "abc", status="RUNNING", **owner_tags())
    with pytest.raises(ConfigAlreadyRunning, match=f"already RUNNING in run {first}"):
        claim(client, here, "abc", second)  # the later run checks first: it loses
    claim(client, here, "abc", first)  # the earlier one keeps its run
    assert client.get_run(second).info.lifecycle_stage == "deleted"
    live = client.search_runs([here], "attributes.status = 'RUNNING'")
    assert [run.info.run_id for run in live] == [first]


def test_a_finished_run_of_the_config_wins_over_a_run_created_after_it_and_failed_ones_do_not_count(tmp_path):
    client, here, _ = store(tmp_path)
    job_run(client, here, "abc", status="FAILED")
    finished = job_run(client, here, "abc")
    late = job_run(client, here, "abc", status="RUNNING", **owner_tags())
    with pytest.raises(ConfigAlreadyRunning, match=f"already FINISHED in run {finished}"):
        claim(client, here, "abc", late)
    alone = job_run(client, here, "new", status="RUNNING", **owner_tags())
    claim(client, here, "new", alone)  # no rival: kept
    assert client.get_run(alone).info.lifecycle_stage == "active"


def test_a_run_finished_elsewhere_that_lost_its_artifacts_is_run_again_not_copied(tmp_path):
    client, here, elsewhere = store(tmp_path)
    whole, bare = job_run(client, elsewhere, "abc"), job_run(client, elsewhere, "def")
    for run_id in (whole, bare):
        client.log_text(run_id, "seed: 0", "config.yaml")
    client.log_text(whole, "x", "analysis/activity.npz")
    needed = ("config.yaml", "analysis/activity.npz")
    kept = decide(client, here, "abc", resuming=True, code=CODE, heartbeat_timeout_s=600.0, artifacts=needed)
    lost = decide(client, here, "def", resuming=True, code=CODE, heartbeat_timeout_s=600.0, artifacts=needed)
    assert kept.action == COPY and kept.run.info.run_id == whole
    assert lost.action == RUN, "only config.yaml left: a copy would be FINISHED with nothing to draw or read"
