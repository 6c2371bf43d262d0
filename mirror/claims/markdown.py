"""The claims page as Markdown (``claims.md``): the same matrices, sentences and rows as the HTML page,
without figures, so the published snapshot (``docs/claims.md``) reads on any code host."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mirror.claims.calibration import REFERENCES
from mirror.claims.matrix import SourceMatrix, synthesis
from mirror.claims.page import (
    CALIBRATION_MEANINGS,
    MEANINGS,
    adjustment_line,
    conditions_shown,
    counts_line,
    found,
    notes,
    p_text,
    provenance_line,
    reference_columns,
)
from mirror.claims.provenance import summary
from mirror.claims.quantities import shown
from mirror.claims.recordings import PUBLISHED_METHOD, Beside, published_table, sentences, table
from mirror.claims.verdict import NOT_RUN, Verdict

MARKS = {"holds": "✅", "does not hold": "❌", "inconclusive": "❔", "not run yet": "·", "refused": "⛔",
         "diagnostic": "🎯", "not diagnostic": "⚠️", "not calibrated": "◌"}


MARKDOWN_SPECIALS = "\\`*[]|"
"""Characters a claim file's text could use to format the page (emphasis, links, code, table cells): shown as
typed, not obeyed."""


def _escape(text: str) -> str:
    """Text from a claim file or a run as it reads, never as Markdown or HTML: a statement holding '<!--' hid the
    rest of the published page on GitHub, and '<img onerror=...>' or a link reached the file."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIALS else ch for ch in text).replace("\n", " ").replace("\r", " ")


def _code(text: str) -> str:
    """A name (a metric, an experiment) as inline code whatever backticks it holds, safe in a table cell: fenced by
    one backtick more than its longest run of them."""
    text = str(text).replace("\n", " ").replace("|", "\\|")
    runs = re.findall("`+", text)
    if not runs:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in runs) + 1)
    return f"{fence} {text} {fence}"


def _legend(meanings: dict[str, str]) -> list[str]:
    return [f"- {MARKS[k]} **{k}**: {text}" for k, text in meanings.items()]


def _cell(verdict: Verdict | None) -> str:
    if verdict is None:
        return "–"
    return "·" if verdict.verdict == NOT_RUN else f"{MARKS[verdict.verdict]} {verdict.verdict} {_escape(shown(verdict))}"


def _matrix(matrix: SourceMatrix) -> list[str]:
    references = reference_columns(matrix)
    columns = ["claim", "statement", "calibration", matrix.columns[0], *references, *matrix.columns[1:]]
    lines = ["| " + " | ".join(_escape(c) for c in columns) + " |", "|---" * len(columns) + "|"]
    for claim in matrix.source.claims:
        calibration = matrix.calibration(claim)
        cells = [f"{MARKS[calibration.status]} {calibration.status}", _cell(matrix.cell(claim, matrix.columns[0]))]
        cells += [_cell(calibration.references.get(kind)) for kind in REFERENCES[:len(references)]]
        cells += [_cell(matrix.cell(claim, column)) for column in matrix.columns[1:]]
        lines.append(f"| {_escape(claim.id)} | {_escape(claim.short)} | " + " | ".join(cells) + " |")
    return lines


def _rows(matrix: SourceMatrix, claims_dir: Path) -> list[str]:
    lines = ["| claim | statement | measured | test | verdict | runs |", "|---|---|---|---|---|---|"]
    for verdict in matrix.stated:
        claim = verdict.claim
        test = f"{claim.test.kind}: {verdict.test}" + (f"; {p_text(verdict)}" if p_text(verdict) else "")
        test += "".join(f"; {text}" for _, text in notes(matrix, verdict, claims_dir))
        for kind, on in matrix.calibration(claim).references.items():
            test += (f"; {kind}: {on.claim.calibration[kind].about}, {on.measured or on.test}, {on.verdict}")
        lines.append(f"| {_escape(claim.id)} | {_escape(claim.statement)} (control that would make it fail: "
                     f"{_escape(claim.control)}) | {_escape(verdict.measured) or '–'} | {_escape(test)} | "
                     f"{MARKS[verdict.verdict]} {verdict.verdict} | experiment {_code(claim.experiment)}, "
                     f"metric {_code(claim.metric)}; {_escape(summary(verdict))} |")
    return lines


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [f"| {' | '.join(_escape(cell) for cell in header)} |", f"|{'---|' * len(header)}",
            *(f"| {' | '.join(_escape(cell) for cell in row)} |" for row in rows)]


def _recordings(section: Beside | None) -> list[str]:
    """Recorded sessions beside the models, and the published alignment indices (mirror.claims.recordings)."""
    if section is None:
        return []
    return ["### Recordings beside the models", "", *(f"- {_escape(line)}" for line in sentences(section)), "",
            *_markdown_table(*table(section)), "", f"Published alignment indices: {_escape(PUBLISHED_METHOD)}", "",
            *_markdown_table(*published_table()), ""]


def render_markdown(matrices: Sequence[SourceMatrix], store: str, claims_dir: Path) -> str:
    """The page's Markdown."""
    lines = ["# The claims and what the runs measured", "",
             f"{counts_line(matrices)} {provenance_line(store, claims_dir)}.", "",
             *(f"- {line}" for line in found(matrices)), "",
             "Each claim is judged under its stated design, on its two references and under every condition of its "
             "source the store holds runs for. Verdicts:", ""]
    lines += _legend(MEANINGS)
    lines += ["", "Calibration, from the claim's own metric and rule on its two references, runs whose answer is "
                  "known ([calibration](calibration.md)):", ""]
    lines += _legend(CALIBRATION_MEANINGS)
    lines += ["", f"{adjustment_line(matrices)} The HTML page (`make claims`) has a figure per claim and each "
                  "condition's row.", ""]
    for matrix in matrices:
        lines += [f"## {matrix.source.name}", "", *_matrix(matrix), ""]
        conditions = conditions_shown(matrix)
        if conditions:
            lines += ["The conditions (columns):", "", *(f"- {_escape(text)}" for text in conditions), ""]
        lines += [f"- {sentence}" for sentence in synthesis(matrix)]
        lines += ["", *_rows(matrix, claims_dir), ""]
        lines += _recordings(matrix.recordings)
    return "\n".join(lines) + "\n"
