"""Pre-registration, checked: the claim files' digest the page records, and whether a claim's statement, runs,
seeds, metric, test or margin changed (in git) after the commit its runs were trained at."""

from __future__ import annotations

import hashlib
import subprocess
from functools import cache
from pathlib import Path

import yaml

from mirror.claims.spec import Claim, fingerprint
from mirror.claims.verdict import Verdict


def claim_files_digest(folder: Path) -> str:
    """A digest of every claim file's name and content, in name order: the page records which claims it judged."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@cache
def _file_at(folder: Path, file: str, commit: str) -> dict[str, str] | None:
    """Each claim's fingerprint in a claim file at ``commit`` (empty when the file did not exist there); None when
    git cannot say (not a checkout, or a commit it does not hold). Read once per file and commit."""
    try:
        root = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, timeout=30, check=True).stdout.strip()
        relative = (folder.resolve() / file).relative_to(Path(root).resolve()).as_posix()
        known = subprocess.run(["git", "-C", root, "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True,
                               timeout=30).returncode == 0
        if not known:
            return None
        shown = subprocess.run(["git", "-C", root, "show", f"{commit}:{relative}"], capture_output=True, text=True,
                               timeout=30)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    try:
        document = (yaml.safe_load(shown.stdout) or {}) if shown.returncode == 0 else {}
    except yaml.YAMLError:
        document = {}
    return {str(raw.get("id")): fingerprint(raw, document.get("seeds"))
            for raw in document.get("claims") or [] if isinstance(raw, dict)}


def changed_since_training(claim: Claim, commits: list[str], folder: Path) -> list[str]:
    """The commits (of those its runs were trained at) at which the claim read otherwise than it does now."""
    return [commit for commit in commits
            if (then := _file_at(folder, claim.file, commit)) is not None and then.get(claim.id) != claim.fingerprint]


def registration_note(verdict: Verdict, folder: Path) -> str:
    """The row's warning when its claim was edited after its runs were trained; '' otherwise."""
    if verdict.runs.empty or "commit" not in verdict.runs:
        return ""
    commits = sorted({str(c) for c in verdict.runs["commit"].dropna() if str(c)})
    changed = changed_since_training(verdict.claim, commits, folder)
    if not changed:
        return ""
    return (f"edited after its runs were trained: the claim file read otherwise at {', '.join(c[:10] for c in changed)}"
            " (statement, runs, seeds, metric, test or margin)")
