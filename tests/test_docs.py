"""The front door: a short README whose findings are the published page's, and a documentation site that builds,
holds every section the README used to, and is what every citation in the code points at."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mirror.claims.findings import BEGIN, END, findings_block, sentences, stated_verdicts, totals

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CITED_FROM = ("mirror", "conf", "claims", "tests")

OLD_README_SECTIONS = (
    "Set up (Python 3.11)", "Main commands", "What a run does", "Reading the results", "Sweeps", "Reports",
    "The claims page", "Results from Python", "Readout and input variants", "Associative Sequence Learning",
    "The Hebbian model", "Layout", "What the runs found", "How long it takes", "A mirror unit",
    "When things go wrong", "Credentials", "Figures on demand", "Launchers", "In MLflow", "Progress", "Resuming",
    "Copying", "The published page", "Controls of the variants", "What the presets measure",
    "VisNet's positive control", "The calibrated mirror test", "Vision options", "Faces are not shifted by default",
    "With the defaults, on the calibrated test", "Lag, mismatch and counter-mirror training on the calibrated test",
    "Adding a model family",
)
"""Every heading and bold lead-in of the 880-line README this site replaced: each must still be found."""

CITATION = re.compile(r"(?:\.\./shared/\S+|\b[A-Z]+\.md\b|\bdocs/[\w./-]+\.md\b)")
"""A citation of a document: a path under docs/, an upper-case Markdown file name, or a path outside."""


def _texts(folders: tuple[str, ...]) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in {".py", ".yaml", ".md"}]


def _missing_citations(paths: list[Path]) -> list[str]:
    missing = []
    for path in paths:
        for cited in CITATION.findall(path.read_text()):
            if not (ROOT / cited).is_file():
                missing.append(f"{path.name}: {cited}")
    return missing


def test_every_citation_in_code_configs_claims_and_tests_names_a_file_the_repository_holds():
    assert _missing_citations(_texts(CITED_FROM) + [ROOT / "Makefile", README]) == []


def test_the_citation_check_sees_a_citation_of_a_file_the_repository_does_not_hold(tmp_path):
    cited = tmp_path / "module.py"
    outside, gone = "SCIENCE" + ".md", "docs/" + "gone.md"  # spelt apart: this file is scanned too
    cited.write_text(f'"""As {outside} 3.2 says, and docs/measures.md too, and {gone} not."""\n')
    missing = _missing_citations([cited])
    assert [m.split(": ")[1] for m in missing] == [outside, gone]


def test_the_readme_is_a_front_page_whose_links_resolve():
    text = README.read_text()
    assert len(text.splitlines()) <= 150
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert links and [link for link in links if not link.startswith("http") and not (ROOT / link).exists()] == []


def test_no_section_of_the_old_readme_was_lost():
    text = "\n".join(p.read_text() for p in [README, *DOCS.rglob("*.md")])
    assert [heading for heading in OLD_README_SECTIONS if heading not in text] == []


def test_the_readme_states_the_findings_of_the_published_claims_page():
    text = README.read_text()
    block = text[text.index(BEGIN):text.index(END) + len(END)]
    assert block == findings_block((DOCS / "claims.md").read_text()), "run make publish-claims to refresh it"


PAGE = """# The claims

## first source

| claim | stated design | a condition |
|---|---|---|
| A1 | ✅ holds 0.5 | ❌ does not hold 0.1 |
| A2 (x \\| y) | ❔ inconclusive 1 | ✅ holds 2 |
| A3 | · | ✅ holds 3 |

| claim | statement | measured |
|---|---|---|
| A1 | it holds | 0.5 |

## second source

| claim | statement | calibration | stated design | effect absent (reference) |
|---|---|---|---|---|
| B1 | b one | 🎯 diagnostic | ❌ does not hold -2 | ❌ does not hold 0 |
| B2 | b two | 🎯 diagnostic | ❌ does not hold 0 | ❌ does not hold 0 |
| B3 | b three | ⚠️ not diagnostic | ✅ holds 1 | ✅ holds 1 |
| B4 | b four | ◌ not calibrated | ✅ holds 1 | – |
| B5 | b five | ◌ not calibrated | · | – |
"""


def test_the_findings_are_the_stated_design_column_of_each_source():
    assert stated_verdicts(PAGE) == {
        "first source": {"A1": "holds", "A2 (x | y)": "inconclusive", "A3": "not run yet"},
        "second source": {"B1": "does not hold", "B2": "does not hold", "B3": "not diagnostic",
                          "B4": "not calibrated", "B5": "not run yet"}}
    assert sentences(PAGE) == ["**first source**: A1 holds; A2 (x | y) is inconclusive; A3 is not run yet.",
                               "**second source**: B1, B2 do not hold; B3 is not diagnostic; B4 is not calibrated yet; "
                               "B5 is not run yet."]
    assert totals(PAGE) == {"holds": 1, "inconclusive": 1, "not run yet": 2, "does not hold": 2, "not diagnostic": 1,
                            "not calibrated": 1}, "a verdict that is not diagnostic counts apart, whatever it says"


def test_the_findings_agree_with_the_published_pages_own_count():
    page = (DOCS / "claims.md").read_text()
    counts = totals(page)
    stated = re.search(r"(\d+) claims under their stated design: (\d+) holds, (\d+) does not hold, (\d+) inconclusive, "
                       r"(\d+) not diagnostic, (\d+) not calibrated, (\d+) not run yet, (\d+) refused", page)
    assert stated, "the published page's count line changed: update this test"
    assert [int(n) for n in stated.groups()] == [sum(counts.values()), *(counts[v] for v in (
        "holds", "does not hold", "inconclusive", "not diagnostic", "not calibrated", "not run yet", "refused"))]


@pytest.mark.slow
def test_the_documentation_site_builds_with_no_broken_link(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"),
                             "--config-file", str(ROOT / "mkdocs.yml")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "models" / "hebbian" / "index.html").is_file()


@pytest.mark.slow
def test_the_site_build_fails_on_a_broken_link(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [a page that is gone](gone.md).\n")
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text().split("nav:")[0])
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                             str(tmp_path / "mkdocs.yml")], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode != 0 and "gone.md" in result.stderr
