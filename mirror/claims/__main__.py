"""``python -m mirror.claims``: the claims page (HTML and Markdown) from whatever runs the store holds."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mirror.claims.findings import refresh_readme
from mirror.claims.markdown import render_markdown
from mirror.claims.matrix import evaluate
from mirror.claims.page import log_page_run, render, write_page
from mirror.claims.provenance import summary
from mirror.claims.spec import CLAIMS_DIR, STATED, ClaimError, read_sources
from mirror.files import copy_file
from mirror.config import ConfigError, TrackingConfig
from mirror.tracking.store import StoreUnreachable, read_store, resolve_uri


README = CLAIMS_DIR.parent / "README.md"
PUBLISHED = CLAIMS_DIR.parent / "docs" / "claims.md"
"""The published snapshot; publishing it also rewrites the README's findings from it."""


def destination_problem(out: Path, publish: Path | None) -> str:
    """What is wrong with where the page would go ('' when nothing), checked before the store is read: --out must
    be a folder (or one that can be made), --publish a file in an existing folder, not the page's own file."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder for index.html and claims.md"
    existing = next((parent for parent in (out, *out.parents) if parent.exists()), Path("."))
    if not os.access(existing, os.W_OK):
        return f"--out {out}: {existing} cannot be written"
    if publish is None:
        return ""
    if publish.is_dir():
        return f"--publish {publish} is a folder; name the Markdown file (e.g. {publish / 'claims.md'})"
    if not publish.resolve().parent.is_dir():
        return f"--publish {publish}: its folder {publish.resolve().parent} does not exist"
    if publish.resolve() == (out / "claims.md").resolve():
        return f"--publish {publish} is the page's own claims.md under --out; publish it elsewhere"
    return ""


def main(argv: list[str] | None = None) -> None:
    defaults = TrackingConfig()
    parser = argparse.ArgumentParser(prog="python -m mirror.claims", description=__doc__)
    parser.add_argument("--claims", type=Path, default=CLAIMS_DIR, help="folder of claim files (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("reports/paper"), help="folder of index.html and claims.md")
    parser.add_argument("--tracking-uri", default=defaults.uri, help="MLflow store (default: %(default)s)")
    parser.add_argument("--artifact-root", default=defaults.artifact_root, help="artifact folder of a new experiment")
    parser.add_argument("--no-mlflow-run", action="store_true", help="write the page only, log no report run")
    parser.add_argument("--publish", type=Path, default=None, metavar="FILE",
                        help="also copy the Markdown page there (the snapshot docs/claims.md)")
    args = parser.parse_args(argv)
    problem = destination_problem(args.out, args.publish)
    if problem:
        parser.error(problem)
    try:
        sources = read_sources(args.claims)
        client = read_store(args.tracking_uri)
        uri = resolve_uri(args.tracking_uri)
        matrices = evaluate(client, sources)  # a metric or param no run of a claim's experiment has: ClaimError
    except (ClaimError, ConfigError, StoreUnreachable) as error:
        raise SystemExit(f"mirror.claims: {error}") from None
    width = max(len(claim.id) for source in sources for claim in source.claims)
    for matrix in matrices:
        for claim in matrix.source.claims:
            verdict = matrix.cell(claim, STATED)
            print(f"{claim.id:<{width}}  {verdict.verdict:<13}  {verdict.measured or verdict.test}")
            if not verdict.runs.empty:
                print(f"{'':<{width}}  {'':<13}  {summary(verdict)}")
    server = uri if uri.startswith(("http://", "https://")) else None
    markdown = render_markdown(matrices, uri, args.claims)
    page = write_page(render(matrices, uri, args.out, args.claims, server), markdown, args.out)
    print(f"\nclaims page: {page} (and {page.parent / 'claims.md'})")
    if args.publish is not None:
        copy_file(page.parent / "claims.md", args.publish)
        print(f"published: {args.publish}")
        if args.publish.resolve() == PUBLISHED and refresh_readme(README, markdown):
            print(f"the findings in {README} now say what the published page says")
    if not args.no_mlflow_run:
        print(f"MLflow report run {log_page_run(uri, args.artifact_root, page, matrices)} (browse with `make ui`)")


if __name__ == "__main__":
    main()
