"""Which earlier run a sweep job reuses: in its own experiment, any FINISHED run of its config; in another
experiment, only one computed by the same code."""

from __future__ import annotations

from mirror.tracking.resume import finished_elsewhere, finished_run
from mirror.tracking.store import prepare_experiment


def test_a_run_elsewhere_is_reused_only_when_finished_by_the_same_code_for_the_same_config(tmp_path):
    uri, root = f"sqlite:///{tmp_path}/mlflow.db", str(tmp_path / "art")
    client, here = prepare_experiment(uri, "here", root)
    _, there = prepare_experiment(uri, "there", root)

    def run(experiment: str, digest: str, code: str, status: str = "FINISHED", **tags: str) -> str:
        run_id = client.create_run(experiment, tags={"mirror.model": "m", "mirror.config_hash": digest,
                                                     "mirror.code_digest": code, **tags}).info.run_id
        client.set_terminated(run_id, status)
        return run_id

    run(there, "h1", "old")                                   # other code
    run(there, "h2", "new", status="FAILED")                  # not finished
    run(there, "h3", "new", **{"mirror.role": "sweep"})       # not a job run
    own = run(here, "h4", "new")                              # this experiment: resumed, not copied
    source = run(there, "h5", "new")
    assert finished_elsewhere(client, here, "h5", "new").info.run_id == source
    assert [finished_elsewhere(client, here, digest, "new") for digest in ("h1", "h2", "h3", "h4", "h6")] == [None] * 5
    assert finished_elsewhere(client, here, "h1", "old") is not None, "the same code's run is found"
    assert finished_run(client, here, "h4").info.run_id == own and finished_run(client, here, "h5") is None
