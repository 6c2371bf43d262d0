"""The claims page: one self-contained HTML file (figures embedded). At the top, per source, the
matrix of verdicts (claims down, conditions across) and the sentences computed from it; below, each
claim's row with its statement, control, measured value, test with raw and adjusted p, verdict,
provenance and figure. Recorded in MLflow as a report run."""

from __future__ import annotations

import base64
import datetime
import html
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from mirror.claims.calibration import COUNTED, DIAGNOSTIC, NOT_CALIBRATED, NOT_DIAGNOSTIC, REFERENCES, Calibration
from mirror.claims.figures import VERDICT_COLOURS, draw, draw_curve
from mirror.claims.findings import sentence
from mirror.claims.kinds import KINDS
from mirror.claims.matrix import SourceMatrix, synthesis
from mirror.claims.presets import filled_by
from mirror.claims.provenance import run_links, summary
from mirror.claims.quantities import shown
from mirror.claims.recordings import PUBLISHED_METHOD, Beside, published_table, sentences, table
from mirror.claims.registration import claim_files_digest, registration_note
from mirror.claims.spec import CLAIMS_DIR, STATED, TEST_KINDS, Condition
from mirror.claims.verdict import ADJUSTMENT, ALPHA, FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, REFUSED, VERDICTS, Verdict
from mirror.files import write_text
from mirror.report.build import record_report_run
from mirror.tracking.tags import GIT_COMMIT_TAG, SOURCE_NAME_TAG, git_state

COLOURS = {**VERDICT_COLOURS, NOT_RUN: "#6e7781", REFUSED: "#8250df", DIAGNOSTIC: VERDICT_COLOURS[HOLDS],
           NOT_DIAGNOSTIC: "#bc4c00", NOT_CALIBRATED: "#6e7781"}
CALIBRATION_MEANINGS = {
    DIAGNOSTIC: "the claim's own metric and rule, run on its two references, do not hold where its effect is absent and "
                "hold where it is present (the mirror image for a claim of absence): its verdict counts",
    NOT_DIAGNOSTIC: "the same rule gives the verdict its known answer forbids on a reference: its verdict is shown but "
                    "counted apart, never as holds or does not hold",
    NOT_CALIBRATED: "a reference is not named yet, or not run: counted apart too",
}
"""What each calibration status means, stated once at the top of the page."""
MEANINGS = {
    HOLDS: "the 95 % interval lies inside the claimed range (widened by the claim's stated tolerance), the claim's "
           "one-sided test passes after adjustment, or, for a claim about every network, every seed meets it",
    FAILS: "the interval lies outside the range, the opposite of the claim is shown after adjustment, or some seed "
           "does not meet a claim about every network",
    INCONCLUSIVE: "neither is shown; the row says how many seeds would decide it at the observed spread",
    NOT_RUN: "the store holds no runs the claim names",
    REFUSED: "the runs the claim's selection finds are not one config over distinct seeds (the row says what to pin)",
}
"""What each verdict means, stated once at the top of the page."""
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1360px; padding: 0 12px; color: #1f2328; }
table { border-collapse: collapse; margin-bottom: 1.5em; table-layout: fixed; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: 5px 6px; vertical-align: top; text-align: left; font-size: 13px;
         overflow-wrap: anywhere; }
th { background: #f6f8fa; }
.matrix td, .matrix th { text-align: center; font-size: 11px; padding: 4px 3px; overflow-wrap: normal; }
.matrix td:first-child, .matrix th:first-child { text-align: left; }
.matrix a { color: inherit; text-decoration: none; display: block; }
.cell { color: white; font-weight: 600; }
.verdict { font-weight: 600; }
.small { color: #57606a; font-size: 12px; }
details { font-size: 12px; }
img { width: 240px; }
code { font-size: 12px; }
"""


def fill_text(verdict: Verdict) -> str:
    """For a verdict with no runs, the commands that would fill it; '' otherwise."""
    commands = filled_by(verdict.claim.experiment) if verdict.verdict == NOT_RUN else ""
    return f"fill it: {commands} (every one: make paper)" if commands else ""


def _anchor(claim_id: str, source: str) -> str:
    return "claim-" + "".join(ch if ch.isalnum() else "-" for ch in f"{source[:12]}-{claim_id}").lower()


def _cell_text(verdict: Verdict) -> str:
    return "&ndash;" if verdict.verdict == NOT_RUN else f"{verdict.verdict}<br>{html.escape(shown(verdict))}"


def _cell(verdict: Verdict, link: str, title: str = "") -> str:
    shade = COLOURS[verdict.verdict] if verdict.verdict != NOT_RUN else "#eaeef2"
    return (f'<td class=cell style="background:{shade};{"color:#57606a" if verdict.verdict == NOT_RUN else ""}" '
            f'title="{html.escape(title or verdict.measured or verdict.test)}"><a href="{link}">{_cell_text(verdict)}'
            "</a></td>")


def condition_text(condition: Condition) -> str:
    """What a condition changes, in one line: its experiment, its param values, the measures it reads instead."""
    parts = [f"experiment {condition.experiment}"] if condition.experiment else []
    parts += [", ".join(f"{k}={v}" for k, v in condition.where.items())] if condition.where else []
    parts += [f"{metric} read as {swap['metric']}" for metric, swap in condition.metrics.items()]
    parts += [f"every metric read under {condition.metric_prefix}"] if condition.metric_prefix else []
    return f"{condition.name}: {'; '.join(parts)}"


def conditions_shown(matrix: SourceMatrix) -> list[str]:
    """The conditions of the matrix's columns, each explained once."""
    shown_names = set(matrix.columns[1:])
    return [condition_text(c) for c in matrix.source.conditions if c.name in shown_names]


def reference_columns(matrix: SourceMatrix) -> list[str]:
    """The matrix's columns after the stated design: the two references where any claim of the source has them."""
    return [f"{kind} (reference)" for kind in REFERENCES
            if any(kind in matrix.calibration(claim).references for claim in matrix.source.claims)]


def _matrix(matrix: SourceMatrix) -> str:
    references = reference_columns(matrix)
    head = "".join(f"<th>{html.escape(column)}</th>" for column in
                   (matrix.columns[0], *references, *matrix.columns[1:]))
    rows = []
    for claim in matrix.source.claims:
        link = f'#{_anchor(claim.id, claim.source)}'
        calibration = matrix.calibration(claim)
        cells = [_cell(matrix.cell(claim, STATED), link)]
        for kind in REFERENCES[:len(references)]:
            verdict = calibration.references.get(kind)
            cells.append(_cell(verdict, link, f"{verdict.claim.calibration[kind].about}: {verdict.measured or verdict.test}")
                         if verdict is not None else "<td>&ndash;</td>")
        cells += [_cell(matrix.cell(claim, column), link) for column in matrix.columns[1:]]
        status = (f'<td style="color:{COLOURS[calibration.status]};font-weight:600" '
                  f'title="{html.escape(calibration.why())}">{calibration.status}</td>')
        rows.append(f'<tr><td><a href="{link}"><b>{html.escape(claim.id)}</b><div class=small>'
                    f'{html.escape(claim.short)}</div></a></td>{status}{"".join(cells)}</tr>')
    return (f"<table class=matrix><colgroup><col style='width:190px'><col style='width:90px'></colgroup>"
            f"<tr><th>claim</th><th>calibration</th>{head}</tr>{''.join(rows)}</table>")


def p_text(verdict: Verdict) -> str:
    """The p that decided the verdict, or why the verdict needs none."""
    if not verdict.tested:
        return KINDS[verdict.claim.test.kind].decided_without_p if verdict.measured else ""
    if verdict.verdict == HOLDS:
        return f"decided by the claim's p = {verdict.p_adjusted:.2g} adjusted ({verdict.p:.2g} raw)"
    if verdict.verdict == FAILS:
        return f"decided by the opposite's p = {verdict.p_against_adjusted:.2g} adjusted ({verdict.p_against:.2g} raw)"
    return (f"neither adjusted p is below {ALPHA}: the claim's {verdict.p_adjusted:.2g}, the opposite's "
            f"{verdict.p_against_adjusted:.2g}")


def _p_html(verdict: Verdict) -> str:
    """The deciding p, with every p (raw and adjusted, the claim's and its opposite's) folded under it."""
    if not verdict.tested:
        return f"<div class=small>{html.escape(p_text(verdict))}</div>"
    every = (f"the claim's p = {verdict.p:.2g} raw, {verdict.p_adjusted:.2g} adjusted; the opposite's p = "
             f"{verdict.p_against:.2g} raw, {verdict.p_against_adjusted:.2g} adjusted")
    return (f"<details class=small><summary>{html.escape(p_text(verdict))}</summary>{html.escape(every)}</details>")


def _conditions(matrix: SourceMatrix, claim_id: str) -> str:
    claim = next(c for c in matrix.source.claims if c.id == claim_id)
    rows = "".join(
        f"<tr><td>{html.escape(column)}</td><td>{html.escape(v.measured) or '&ndash;'}</td>"
        f"<td>{html.escape(v.test)}{_p_html(v)}</td>"
        f'<td class=verdict style="color:{COLOURS[v.verdict]}">{v.verdict}</td>'
        f"<td>{html.escape(summary(v))}</td></tr>"
        for column in matrix.columns[1:] for v in [matrix.cell(claim, column)])
    return (f"<details><summary>under {len(matrix.columns) - 1} conditions</summary><table><tr><th>condition</th>"
            f"<th>measured</th><th>test</th><th style='width:90px'>verdict</th><th>runs</th></tr>{rows}</table>"
            "</details>") if rows else ""


FIGURES = "figures"
"""The page's folder of claim figures: each PNG is also embedded in the page (one file to read), which links
its PDF."""


def _embedded(png: Path, name: str) -> str:
    """A figure in the page (one file to read), a click away from its full size, with its PDF."""
    data = base64.b64encode(png.read_bytes()).decode()
    return (f'<a href="{FIGURES}/{png.name}" title="click to enlarge"><img alt="{html.escape(name)}" '
            f'src="data:image/png;base64,{data}"></a><div class=small><a href="{FIGURES}/{png.stem}.pdf" '
            'title="the figure as a PDF">PDF</a></div>')


def _row(matrix: SourceMatrix, verdict: Verdict, server: str | None, folder: Path, claims_dir: Path) -> str:
    claim = verdict.claim
    anchor = _anchor(claim.id, claim.source)
    png = draw(verdict, folder / FIGURES / f"{anchor}.png")
    figure = _embedded(png, claim.id) if png else ""
    specification = matrix.curves.get(claim.id)
    if specification is not None:
        drawn = draw_curve(specification, f"{claim.id}: specification curve", folder / FIGURES / f"{anchor}-curve.png")
        figure += _embedded(drawn, f"{claim.id}, specification curve")
    where = ", ".join(f"{k}={v}" for k, v in claim.selection.items())
    links = run_links(verdict, server)
    listed = ", ".join(f'<a href="{url}">{run_id[:8]}</a>' if url else run_id[:8] for run_id, url in links)
    calibration = matrix.calibration(claim)
    styles = {EDITED: "color:#b35900", CALIBRATION: f"color:{COLOURS[calibration.status]}"}
    noted = "".join(f"<div class=small style='{styles.get(kind, '')}'>{html.escape(text)}</div>"
                    for kind, text in notes(matrix, verdict, claims_dir))
    return (
        f'<tr id="{anchor}"><td><b>{html.escape(claim.id)}</b></td>'
        f"<td>{html.escape(claim.statement)}<div class=small>control that would make it fail: "
        f"{html.escape(claim.control)}</div><div class=small>runs: experiment <code>{html.escape(claim.experiment)}"
        f"</code>, {html.escape(where)}; metric <code>{html.escape(claim.metric)}</code>; {html.escape(summary(verdict))}"
        f"</div>{f'<details><summary>run ids</summary>{listed}</details>' if listed else ''}"
        f"{_conditions(matrix, claim.id)}</td>"
        f"<td>{html.escape(verdict.measured) or '&ndash;'}</td>"
        f"<td>{html.escape(claim.test.kind)}: {html.escape(verdict.test)}{_p_html(verdict)}"
        f"{noted}{_references(calibration)}</td>"
        f'<td class=verdict style="color:{COLOURS[verdict.verdict]}">{verdict.verdict}'
        f'<div class=small style="color:{COLOURS[calibration.status]}">{calibration.status}</div></td>'
        f"<td>{figure}</td></tr>"
    )


EDITED, CALIBRATION = "edited", "calibration"


def notes(matrix: SourceMatrix, verdict: Verdict, claims_dir: Path) -> list[tuple[str, str]]:
    """What a row says under its test, in order, on the page and in the Markdown alike, as (what it is, its text): the
    margin's reason, the seeds that would decide it, the commands that fill it, an edit after its runs were trained,
    its calibration and its specification curve."""
    claim = verdict.claim
    edited = registration_note(verdict, claims_dir)
    curve = matrix.curves.get(claim.id)
    said = [("margin", f"margin: {claim.margin_reason}" if claim.margin_reason else ""),
            ("to decide", verdict.to_decide), ("fill", fill_text(verdict)), (EDITED, f"⚠ {edited}" if edited else ""),
            (CALIBRATION, matrix.calibration(claim).why()), ("curve", curve.text() if curve is not None else "")]
    return [(kind, text) for kind, text in said if text]


def _conditions_list(matrix: SourceMatrix) -> str:
    items = "".join(f"<li>{html.escape(text)}</li>" for text in conditions_shown(matrix))
    return f"<details class=small><summary>the conditions (columns)</summary><ul>{items}</ul></details>" if items else ""


def _references(calibration: Calibration) -> str:
    """The row's references, folded: each, what it is, its runs, its measured value and verdict."""
    parts = "".join(
        f"<li>{html.escape(kind)}: {html.escape(v.claim.calibration[kind].about)} (experiment "
        f"<code>{html.escape(v.claim.experiment)}</code>, "
        f"{html.escape(', '.join(f'{k}={x}' for k, x in v.claim.selection.items()))}): "
        f"{html.escape(v.measured or v.test)}; <b style='color:{COLOURS[v.verdict]}'>{v.verdict}</b>"
        f"{f' ({html.escape(fill)})' if (fill := fill_text(v)) else ''}"
        f"{f' ({html.escape(p_text(v))}, adjusted among the references)' if v.tested else ''}</li>"
        for kind, v in calibration.references.items())
    return f"<details><summary>its references</summary><ul class=small>{parts}</ul></details>" if parts else ""


def _bold(line: str) -> str:
    """A found sentence's **source** in bold, the rest escaped."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line))


def found(matrices: Sequence[SourceMatrix]) -> list[str]:
    """One sentence per source, at the top of the page: what each claim's verdict counts as."""
    return [sentence(m.source.name, {v.claim.id: m.calibration(v.claim).counted(v) for v in m.stated})
            for m in matrices]


def counted(matrices: Sequence[SourceMatrix]) -> Counter:
    """What each claim's stated-design verdict counts as (:data:`COUNTED`)."""
    return Counter(m.calibration(v.claim).counted(v) for m in matrices for v in m.stated)


def counts_line(matrices: Sequence[SourceMatrix]) -> str:
    """How many claims hold etc. under their stated design (a verdict that is not diagnostic counted apart), and
    over every cell of the matrices."""
    stated = counted(matrices)
    every = Counter(m.cells[c.id, column].verdict for m in matrices for c in m.source.claims for column in m.columns)
    n_claims = sum(len(m.source.claims) for m in matrices)
    return (f"{n_claims} claims under their stated design: {', '.join(f'{stated[k]} {k}' for k in COUNTED)}. "
            f"Over all {sum(every.values())} cells of the matrices (uncalibrated): "
            f"{', '.join(f'{every[k]} {k}' for k in VERDICTS)}.")


def adjustment_line(matrices: Sequence[SourceMatrix]) -> str:
    """How the page's p are adjusted, with the size of each family."""
    n = sum(v.tested for m in matrices for v in m.cells.values())
    if n == 0:
        return "No cell was tested yet, so no p is shown or adjusted."
    return (f"Every p is shown raw and adjusted across the page by {ADJUSTMENT}, in two families of "
            f"{n} tests each (one per tested cell): the claims' own tests, which decide 'holds', and the tests of "
            f"their opposites, which decide 'does not hold'; verdicts use the adjusted p at {ALPHA} (one-sided).")


def store_name(store: str) -> str:
    """The store as the page names it: a server by its address, a local database by its path inside the
    repository, or only as local when it lies elsewhere (a published page names no path of the machine that
    built it)."""
    if not store.startswith("sqlite:///"):
        return f"the MLflow server {urlsplit(store)._replace(query='', fragment='').geturl()}"  # a token stays out
    database = Path(store.removeprefix("sqlite:///")).resolve()
    root = CLAIMS_DIR.parent
    return (f"the local MLflow store {database.relative_to(root).as_posix()}" if database.is_relative_to(root)
            else "a local MLflow store")


def provenance_line(store: str, claims_dir: Path) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    commit = git_state(Path(__file__).parent).get(GIT_COMMIT_TAG, "unknown")[:10]
    return (f"Built {now} at commit {commit} from {store_name(store)}; claim files {claim_files_digest(claims_dir)} "
            "(their digest)")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _recordings(section: Beside | None) -> str:
    """Recorded sessions beside the models, and the published alignment indices (mirror.claims.recordings)."""
    if section is None:
        return ""
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in sentences(section))
    return (f"<h3>Recordings beside the models</h3><ul>{lines}</ul>{_table(*table(section))}"
            f"<p class=small>Published alignment indices: {html.escape(PUBLISHED_METHOD)}</p>"
            f"{_table(*published_table())}")


def _legend(meanings: dict[str, str]) -> str:
    """Each verdict or status in its colour, with what it means."""
    return "<ul>" + "".join(f'<li><b style="color:{COLOURS[k]}">{k}</b>: {html.escape(text)}</li>'
                            for k, text in meanings.items()) + "</ul>"


def render(matrices: Sequence[SourceMatrix], store: str, folder: Path, claims_dir: Path,
           server: str | None = None) -> str:
    """The page's HTML, its claim figures drawn into ``folder``/figures."""
    (folder / FIGURES).mkdir(parents=True, exist_ok=True)
    sections = []
    for matrix in matrices:
        sentences = "".join(f"<li>{html.escape(s)}</li>" for s in synthesis(matrix))
        rows = "".join(_row(matrix, v, server, folder, claims_dir) for v in matrix.stated)
        sections.append(
            f"<h2>{html.escape(matrix.source.name)}</h2>{_matrix(matrix)}{_conditions_list(matrix)}<ul>{sentences}</ul>"
            "<table><colgroup><col style='width:110px'><col style='width:400px'><col style='width:190px'>"
            "<col style='width:250px'><col style='width:100px'><col style='width:250px'></colgroup>"
            "<tr><th>claim</th><th>statement, control and runs</th><th>measured (mean [95 % CI], n seeds)</th>"
            f"<th>test</th><th>verdict</th><th>figure</th></tr>{rows}</table>{_recordings(matrix.recordings)}")
    legend = "".join(f"<li><b>{kind}</b>: {html.escape(text)}</li>" for kind, text in TEST_KINDS.items())
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>mirror: the claims and what the runs measured"
        f"</title><style>{STYLE}</style></head><body>"
        "<h1>The claims and what the runs measured</h1>"
        f"<p>{html.escape(counts_line(matrices))} {html.escape(provenance_line(store, claims_dir))}.</p>"
        f"<ul>{''.join(f'<li>{_bold(line)}</li>' for line in found(matrices))}</ul>"
        f"<p>Each claim is judged under its stated design (the first column), on its two references, runs whose "
        f"answer is known (docs/calibration.md), and under every condition of its source the store holds runs for. "
        f"Verdicts:</p>{_legend(MEANINGS)}<p>Calibration, from the verdicts on the references:</p>"
        f"{_legend(CALIBRATION_MEANINGS)}"
        f"<p>{html.escape(adjustment_line(matrices))} Intervals are 95 % Student-t intervals of the mean over seeds (a percentile bootstrap where marked: a "
        f"proportion from 10 or more seeds whose t-interval would leave [0, 1]). A cell links to its claim's row.</p>"
        f"{''.join(sections)}<h2>The tests</h2><ul>{legend}</ul></body></html>"
    )


def write_page(html_text: str, markdown: str, folder: Path) -> Path:
    """index.html and claims.md into ``folder``, each whole or not at all (mirror.files)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "claims.md", markdown)
    return write_text(folder / "index.html", html_text)


def log_page_run(uri: str, artifact_root: str, page: Path, matrices: Sequence[SourceMatrix]) -> str:
    """Record the page's folder as a report run of the experiment 'claims', with the count of each
    verdict under the stated design as metrics."""
    counts = counted(matrices)
    return record_report_run(uri, artifact_root, "claims", "claims-page", page.parent, "paper",
                             {SOURCE_NAME_TAG: "mirror.claims"},
                             {f"claims/n_{verdict.replace(' ', '_')}": counts[verdict] for verdict in COUNTED})

