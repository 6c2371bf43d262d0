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


def test_a_process_whose_source_is_edited_while_it_runs_records_a_digest_no_one_copies_from(tmp_path):
    """A sweep's worker reads the code's digest once; a module it imports after an edit runs new code. Such a
    process's runs are marked as of edited code, in a real process on a copy of the package."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import mirror

    shutil.copytree(Path(mirror.__file__).parent, tmp_path / "mirror", ignore=shutil.ignore_patterns("__pycache__"))
    script = ("from pathlib import Path\n"
              "from mirror.tracking.tags import code_digest, EDITED\n"
              "before = code_digest()\n"
              "assert code_digest() == before and not before.endswith(EDITED)\n"
              "module = Path('mirror/figures.py')\n"
              "module.write_text(module.read_text() + '\\n# edited\\n')\n"
              "after = code_digest()\n"
              "assert after == before + EDITED, (before, after)\n"
              "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    assert "source was edited while this process ran" in done.stderr
