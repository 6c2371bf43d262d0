"""The claims page's command line against files and folders that could hurt it, through real processes: a claim
that cannot fail or a malformed file is one line before the store is read, the page's destinations are checked at
argument parsing, a page cut mid-write never replaces a whole one, and a statement's Markdown or HTML reaches the
page as text."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mirror.claims.markdown import _code, _escape
from tests.test_claims import store  # noqa: F401  (the module's store of known runs)

CLAIM = ("{{id: X, statement: {statement}, control: c, runs: {{experiment: seeds}}, metric: analysis/fraction, "
         "margin_reason: r, test: {test}}}")


def _claims(folder: Path, statement: str = "s", test: str = "{kind: above, value: 0}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1_x.yaml").write_text(f"source: x\nseeds: [0, 1, 2, 3]\nclaims:\n  - "
                                     f"{CLAIM.format(statement=statement, test=test)}\n")
    return folder


def _page(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mirror.claims", "--no-mlflow-run", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("test", ["{kind: range, low: 0, high: 1, tolerance: .inf}",
                                  "{kind: range, low: -.inf, high: .inf, tolerance: 0}",
                                  "{kind: equivalent, value: 0, margin: .inf}", "{kind: every, value: -.inf}",
                                  "{kind: above, value: .nan}"])
def test_a_claim_that_cannot_fail_stops_the_page_in_one_line_before_the_store_is_read(tmp_path, test):
    done = _page("--claims", str(_claims(tmp_path / "claims", test=test)), "--tracking-uri",
                 f"sqlite:///{tmp_path}/store.db", "--out", str(tmp_path / "out"), cwd=tmp_path)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1 and "must be a finite number" in lines[0], done.stderr
    assert lines[0].startswith("mirror.claims: 1_x.yaml, claim X: test.")
    assert not (tmp_path / "store.db").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["out is a file", "publish is a folder", "publish's folder is missing",
                                  "publish is the page's own file"])
def test_a_destination_the_page_cannot_go_to_is_refused_at_argument_parsing(tmp_path, case):
    claims = _claims(tmp_path / "claims")
    (tmp_path / "a_file").write_text("x")
    arguments = {"out is a file": ["--out", str(tmp_path / "a_file")],
                 "publish is a folder": ["--out", str(tmp_path / "out"), "--publish", str(tmp_path)],
                 "publish's folder is missing": ["--out", str(tmp_path / "out"), "--publish",
                                                 str(tmp_path / "no" / "claims.md")],
                 "publish is the page's own file": ["--out", str(tmp_path / "out"), "--publish",
                                                    str(tmp_path / "out" / "claims.md")]}[case]
    done = _page("--claims", str(claims), "--tracking-uri", f"sqlite:///{tmp_path}/store.db", *arguments,
                 cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("python -m mirror.claims: error: --")
    assert not (tmp_path / "store.db").exists(), "refused before the store is read"


def test_a_publish_stopped_mid_write_leaves_the_whole_snapshot_it_replaced(tmp_path, store):  # noqa: F811
    """The disk filling up or a kill mid-write: the page is written beside its target and renamed, so the target
    is either the old whole page or the new whole page, never a cut one (here: the new write dies at SIGKILL)."""
    uri, claims_dir, _ = store
    published = tmp_path / "claims.md"
    published.write_text("# the whole page of yesterday\n" + "| row |\n" * 10_000)
    before = published.read_text()
    process = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, mirror.files as files\n"
        "real = files.os.replace\n"
        "def dying(*args):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "files.os.replace = dying\n"
        f"from mirror.claims.__main__ import main\n"
        f"main(['--no-mlflow-run', '--claims', {str(claims_dir)!r}, '--tracking-uri', {uri!r}, "
        f"'--out', {str(tmp_path / 'out')!r}, '--publish', {str(published)!r}])\n")], cwd=tmp_path)
    assert process.wait(timeout=300) == -signal.SIGKILL
    assert published.read_text() == before, "the snapshot it would have replaced is whole"
    assert not (tmp_path / "out" / "index.html").exists() or (tmp_path / "out" / "index.html").stat().st_size > 0
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".partial")] \
        if (tmp_path / "out").exists() else []
    assert len(leftovers) <= 1, "at most the one file being written when it died"
    done = _page("--claims", str(claims_dir), "--tracking-uri", uri, "--out", str(tmp_path / "out"), "--publish",
                 str(published), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert published.read_text() == (tmp_path / "out" / "claims.md").read_text() != before


def test_a_statement_s_markdown_and_html_reach_the_page_as_text(tmp_path, store):  # noqa: F811
    uri, _, _ = store
    statement = "'<!-- hidden --> <img src=x onerror=alert(1)> [a link](http://x) *emphasis* `code` a|b'"
    done = _page("--claims", str(_claims(tmp_path / "claims", statement=statement)), "--tracking-uri", uri,
                 "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    page = (tmp_path / "out" / "claims.md").read_text()
    assert "<!-- hidden" not in page and "<img" not in page and " [a link](http" not in page
    assert "&lt;!-- hidden --&gt;" in page and r"\*emphasis\*" in page and r"\[a link\](http://x)" in page
    assert _escape("a|b") == r"a\|b" and _code("odd`name") == "`` odd`name ``" and _code("m|x") == r"`m\|x`"
