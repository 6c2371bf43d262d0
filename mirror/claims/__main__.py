"""``python -m mirror.claims``: the claims page from whatever runs the store holds."""

from __future__ import annotations

import argparse
from pathlib import Path

from mirror.claims.page import evaluate, log_page_run, write_page
from mirror.claims.spec import CLAIMS_DIR, ClaimError, read_claims
from mirror.config import ConfigError, TrackingConfig
from mirror.tracking.store import StoreUnreachable, read_store, resolve_uri


def main(argv: list[str] | None = None) -> None:
    defaults = TrackingConfig()
    parser = argparse.ArgumentParser(prog="python -m mirror.claims", description=__doc__)
    parser.add_argument("--claims", type=Path, default=CLAIMS_DIR, help="folder of claim files (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("reports/paper"), help="folder of index.html")
    parser.add_argument("--tracking-uri", default=defaults.uri, help="MLflow store (default: %(default)s)")
    parser.add_argument("--artifact-root", default=defaults.artifact_root, help="artifact folder of a new experiment")
    parser.add_argument("--no-mlflow-run", action="store_true", help="write the page only, log no report run")
    args = parser.parse_args(argv)
    try:
        claims = read_claims(args.claims)
        client = read_store(args.tracking_uri)
        uri = resolve_uri(args.tracking_uri)
        verdicts = evaluate(client, claims)  # a metric or param no run of a claim's experiment has: ClaimError
    except (ClaimError, ConfigError, StoreUnreachable) as error:
        raise SystemExit(f"mirror.claims: {error}") from None
    width = max(len(v.claim.id) for v in verdicts)
    for verdict in verdicts:
        print(f"{verdict.claim.id:<{width}}  {verdict.verdict:<13}  {verdict.measured or verdict.test}")
    page = write_page(verdicts, uri, args.out)
    print(f"\nclaims page: {page}")
    if not args.no_mlflow_run:
        print(f"MLflow report run {log_page_run(uri, args.artifact_root, page, verdicts)} (browse with `make ui`)")


if __name__ == "__main__":
    main()
