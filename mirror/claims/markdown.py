"""The claims page as Markdown (``claims.md``): the same matrices, sentences and rows as the HTML page,
without figures, so the published snapshot (``docs/claims.md``) reads on any code host."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mirror.claims.matrix import SourceMatrix, synthesis
from mirror.claims.page import MEANINGS, adjustment_line, counts_line, p_text, provenance_line
from mirror.claims.provenance import summary
from mirror.claims.registration import registration_note
from mirror.claims.verdicts import NOT_RUN, number

MARKS = {"holds": "✅", "does not hold": "❌", "inconclusive": "❔", "not run yet": "·", "refused": "⛔"}


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _matrix(matrix: SourceMatrix) -> list[str]:
    lines = ["| claim | " + " | ".join(_escape(c) for c in matrix.columns) + " |",
             "|---" * (len(matrix.columns) + 1) + "|"]
    for claim in matrix.source.claims:
        cells = []
        for column in matrix.columns:
            verdict = matrix.cell(claim, column)
            cells.append("·" if verdict.verdict == NOT_RUN else
                         f"{MARKS[verdict.verdict]} {verdict.verdict} {number(verdict.value)}")
        lines.append(f"| {_escape(claim.id)} | " + " | ".join(cells) + " |")
    return lines


def _rows(matrix: SourceMatrix, claims_dir: Path) -> list[str]:
    lines = ["| claim | statement | measured | test | verdict | runs |", "|---|---|---|---|---|---|"]
    for verdict in matrix.stated:
        claim = verdict.claim
        test = f"{claim.test.kind}: {verdict.test}" + (f"; {p_text(verdict)}" if p_text(verdict) else "")
        if claim.margin_reason:
            test += f"; margin: {claim.margin_reason}"
        if verdict.to_decide:
            test += f"; {verdict.to_decide}"
        edited = registration_note(verdict, claims_dir)
        if edited:
            test += f"; ⚠ {edited}"
        lines.append(f"| {_escape(claim.id)} | {_escape(claim.statement)} (control that would make it fail: "
                     f"{_escape(claim.control)}) | {_escape(verdict.measured) or '–'} | {_escape(test)} | "
                     f"{MARKS[verdict.verdict]} {verdict.verdict} | experiment `{claim.experiment}`, "
                     f"metric `{claim.metric}`; {_escape(summary(verdict))} |")
    return lines


def render_markdown(matrices: Sequence[SourceMatrix], store: str, claims_dir: Path) -> str:
    """The page's Markdown."""
    lines = ["# The claims and what the runs measured", "",
             f"{counts_line(matrices)} {provenance_line(store, claims_dir)}.", "",
             "Each claim is judged under its stated design (the first column) and under every condition of its "
             "source the store holds runs for. Verdicts:", ""]
    lines += [f"- {MARKS[k]} **{k}**: {text}" for k, text in MEANINGS.items()]
    lines += ["", f"{adjustment_line(matrices)} The HTML page (`make claims`) has a figure per claim and each "
                  "condition's row.", ""]
    for matrix in matrices:
        lines += [f"## {matrix.source.name}", "", *_matrix(matrix), ""]
        lines += [f"- {sentence}" for sentence in synthesis(matrix)]
        lines += ["", *_rows(matrix, claims_dir), ""]
    return "\n".join(lines) + "\n"
