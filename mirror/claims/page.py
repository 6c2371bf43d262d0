"""The claims page: one self-contained HTML file (figures embedded) with, per claim, the measured
value, the test, the verdict and the figure; recorded in MLflow as a report run."""

from __future__ import annotations

import base64
import datetime
import html
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from mlflow.tracking import MlflowClient

from mirror.claims.figures import draw
from mirror.claims.spec import TEST_KINDS, Claim
from mirror.claims.verdicts import ALPHA, FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, VERDICTS, Verdict, judge
from mirror.report.build import record_report_run
from mirror.report.runs import RunSelection, load_runs
from mirror.tracking.tags import GIT_COMMIT_TAG, SOURCE_NAME_TAG, git_state

COLOURS = {HOLDS: "#1a7f37", FAILS: "#cf222e", INCONCLUSIVE: "#9a6700", NOT_RUN: "#6e7781"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #1f2328; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
th, td { border-bottom: 1px solid #d0d7de; padding: 6px 8px; vertical-align: top; text-align: left; font-size: 14px; }
th { background: #f6f8fa; }
.verdict { font-weight: 600; white-space: nowrap; }
.small { color: #57606a; font-size: 12px; }
img { width: 380px; }
"""


def evaluate(client: MlflowClient, claims: Sequence[Claim]) -> list[Verdict]:
    """Every claim's verdict from the finished runs the store holds (each experiment read once)."""
    runs: dict[str, pd.DataFrame | None] = {}
    for experiment in dict.fromkeys(claim.experiment for claim in claims):
        try:
            runs[experiment] = load_runs(client, RunSelection([experiment]))
        except ValueError:  # no such experiment, or no finished run in it
            runs[experiment] = None

    def history(run_id: str, metric: str) -> list[tuple[int, float]]:
        return [(point.step, point.value) for point in client.get_metric_history(run_id, metric)]

    return [judge(claim, runs[claim.experiment], history) for claim in claims]


def _row(verdict: Verdict) -> str:
    claim = verdict.claim
    png = draw(verdict)
    figure = (f'<img alt="{html.escape(claim.id)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
              if png else "")
    where = ", ".join(f"{k}={v}" for k, v in claim.where.items())
    return (
        f"<tr><td><b>{html.escape(claim.id)}</b></td>"
        f"<td>{html.escape(claim.statement)}<div class=small>runs: experiment <code>{html.escape(claim.experiment)}"
        f"</code>, {html.escape(where)}; metric <code>{html.escape(claim.metric)}</code></div></td>"
        f"<td>{html.escape(verdict.measured) or '&ndash;'}</td>"
        f"<td>{html.escape(claim.test.kind)}: {html.escape(verdict.test)}</td>"
        f'<td class=verdict style="color:{COLOURS[verdict.verdict]}">{verdict.verdict}</td>'
        f"<td>{figure}</td></tr>"
    )


def render(verdicts: Sequence[Verdict], store: str) -> str:
    """The page's HTML."""
    counts = Counter(v.verdict for v in verdicts)
    summary = ", ".join(f"{counts[k]} {k}" for k in VERDICTS)
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    sections = []
    for source in dict.fromkeys(v.claim.source for v in verdicts):
        rows = "".join(_row(v) for v in verdicts if v.claim.source == source)
        sections.append(
            f"<h2>{html.escape(source)}</h2><table><tr><th>claim</th><th>statement and runs</th>"
            f"<th>measured (mean [95 % CI], n seeds)</th><th>test</th><th>verdict</th><th>figure</th></tr>"
            f"{rows}</table>"
        )
    legend = "".join(f"<li><b>{kind}</b>: {html.escape(text)}</li>" for kind, text in TEST_KINDS.items())
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>mirror: the claims and what the runs measured"
        f"</title><style>{STYLE}</style></head><body>"
        "<h1>The claims and what the runs measured</h1>"
        f"<p>{len(verdicts)} claims: {summary}. Built {now} from the MLflow store <code>{html.escape(store)}</code>"
        f" at commit <code>{git_state(Path(__file__).parent).get(GIT_COMMIT_TAG, 'unknown')[:10]}</code>. Every interval is the 95 % Student-t interval of the mean over "
        f"seeds (a bootstrap interval where marked: a proportion whose t-interval would leave [0, 1]); every test is one-sided at {ALPHA}. A claim of no decrease that neither its margin nor a decrease is shown for is <i>{INCONCLUSIVE}</i>; a claim without runs says <i>{NOT_RUN}</i>: "
        "<code>make paper</code> runs every sweep the page reads.</p>"
        f"{''.join(sections)}<h2>The tests</h2><ul>{legend}</ul></body></html>"
    )


def write_page(verdicts: Sequence[Verdict], store: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "index.html"
    page.write_text(render(verdicts, store))
    return page


def log_page_run(uri: str, artifact_root: str, page: Path, verdicts: Sequence[Verdict]) -> str:
    """Record the page's folder as a report run of the experiment 'claims', with the count of each
    verdict as metrics."""
    counts = Counter(v.verdict for v in verdicts)
    return record_report_run(uri, artifact_root, "claims", "claims-page", page.parent, "paper",
                             {SOURCE_NAME_TAG: "mirror.claims"},
                             {f"claims/n_{verdict.replace(' ', '_')}": counts[verdict] for verdict in VERDICTS})
