"""What the work found, one sentence per source, computed from the published claims page (``docs/claims.md``).

The README carries these sentences between two markers; ``make publish-claims`` rewrites them and a test
checks that they are the published page's, so the front page never states a finding the page does not hold."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from mirror.claims.calibration import COUNTED, DIAGNOSTIC, NOT_CALIBRATED, NOT_DIAGNOSTIC
from mirror.files import write_text
from mirror.claims.verdict import AS_VERB, FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, REFUSED

BEGIN, END = "<!-- findings: computed from docs/claims.md -->", "<!-- /findings -->"
_PLURAL = {HOLDS: "hold", FAILS: "do not hold", INCONCLUSIVE: "are inconclusive", NOT_DIAGNOSTIC: "are not diagnostic",
           NOT_CALIBRATED: "are not calibrated yet", NOT_RUN: "are not run yet", REFUSED: "are refused"}
_SINGULAR = {**AS_VERB, NOT_DIAGNOSTIC: "is not diagnostic", NOT_CALIBRATED: "is not calibrated yet"}


def _stated_verdict(cell: str) -> str:
    """The verdict a matrix cell shows ('·' is not run yet)."""
    text = cell.strip()
    if text == "·":
        return NOT_RUN
    for verdict in sorted((*COUNTED, DIAGNOSTIC), key=len, reverse=True):
        if verdict in text:
            return verdict
    raise ValueError(f"a claims-page cell with no verdict: {cell!r}")


def stated_verdicts(page: str) -> dict[str, dict[str, str]]:
    """Per source (its section title), what each claim's verdict under the stated design counts as: the matrix's
    'stated design' column where its 'calibration' column says diagnostic, else the calibration."""
    found: dict[str, dict[str, str]] = {}
    source, columns = None, []
    for line in page.splitlines():
        if line.startswith("## "):
            source, columns = line[3:].strip(), []
            continue
        if source is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells[:1] == ["claim"]:
            columns = cells if "stated design" in cells else []
            if columns:
                found[source] = {}
        elif columns and set(cells[0]) - set("-"):
            row = dict(zip(columns, cells))
            status = _stated_verdict(row["calibration"]) if "calibration" in row else DIAGNOSTIC
            stated = _stated_verdict(row["stated design"])
            counted = stated if status == DIAGNOSTIC or stated in (NOT_RUN, REFUSED) else status
            found[source][cells[0].replace("\\|", "|")] = counted
    return found


def sentence(source: str, verdicts: dict[str, str]) -> str:
    """What was found of one source: which of its claims hold, do not hold, are inconclusive or are counted apart,
    from what each claim's verdict counts as."""
    groups = {v: [claim for claim, found in verdicts.items() if found == v] for v in COUNTED}
    parts = [f"{', '.join(claims)} {(_PLURAL if len(claims) > 1 else _SINGULAR)[v]}"
             for v, claims in groups.items() if claims]
    return f"**{source}**: {'; '.join(parts)}."


def sentences(page: str) -> list[str]:
    """One sentence per source of a published page."""
    return [sentence(source, verdicts) for source, verdicts in stated_verdicts(page).items()]


def totals(page: str) -> Counter:
    """How many claims of the whole page have each verdict under the stated design."""
    return Counter(v for verdicts in stated_verdicts(page).values() for v in verdicts.values())


def findings_block(page: str) -> str:
    """The README's block: the page's totals, then a sentence per source, between the markers."""
    counts = totals(page)
    total = ", ".join(f"{counts[v]} {(_PLURAL if counts[v] != 1 else _SINGULAR)[v]}" for v in COUNTED if counts[v])
    head = f"Of {sum(counts.values())} claims judged as their sources state them, {total}:"
    return "\n".join([BEGIN, head, "", *(f"- {s}" for s in sentences(page)), END])


def refresh_readme(readme: Path, page: str) -> bool:
    """Rewrite the findings block of ``readme`` from ``page``; False when the README has no markers."""
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return False
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    write_text(readme, text[:start] + findings_block(page) + text[stop:])
    return True
