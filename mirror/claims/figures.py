"""One small figure per claim, drawn from what its verdict measured (the per-seed values, their mean with its 95 %
interval, and what the claim compares them against: each test kind draws its own), and its specification curve."""

from __future__ import annotations

from pathlib import Path

from mirror.claims.kinds import KINDS
from mirror.claims.specification import Curve
from mirror.claims.verdict import FAILS, HOLDS, INCONCLUSIVE, Estimate, Verdict
from mirror.plotting import axis_label, plt, save_figure
from mirror.vocabulary import R_KINDS, SPECIFICATION_THRESHOLDS

SIZE = (3.8, 2.7)


def draw(verdict: Verdict, path: Path) -> Path | None:
    """The claim's figure at ``path`` (PNG, and a PDF beside it); None when nothing was measured."""
    data, claim = verdict.data, verdict.claim
    if data.empty:
        return None
    test, metric = claim.test, claim.metric
    fig, ax = plt.subplots(figsize=SIZE)
    KINDS[test.kind].draw(ax, verdict)
    ax.set_ylabel(KINDS[test.kind].y_label(claim))
    ax.set_title(f"{claim.id}: {verdict.verdict}", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # off the data
    return save_figure(fig, path)


VERDICT_COLOURS = {HOLDS: "#1a7f37", FAILS: "#cf222e", INCONCLUSIVE: "#9a6700"}
"""The colour of each verdict a test can reach: a specification's dot here, and the page's cells
(mirror.claims.page.COLOURS adds the rest)."""


def draw_curve(curve: Curve, title: str, path: Path) -> Path:
    """The specification curve at ``path``: each specification's mean with its 95 % interval, ranked, coloured by its
    verdict; under it, the dashboard of the choices each one made (its condition, centred or raw r, threshold)."""
    specifications = sorted(curve.specifications, key=lambda s: s.verdict.value)
    columns = list(dict.fromkeys(s.column for s in curve.specifications))
    rows = [*columns, *R_KINDS, *(f"threshold {t:g}" for t in SPECIFICATION_THRESHOLDS)]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(4.5, 0.06 * len(specifications) + 3), 2.2 + 0.16 * len(rows)),
                                      sharex=True, gridspec_kw={"height_ratios": [2.2, 0.16 * len(rows)]})
    for x, specification in enumerate(specifications):
        estimate = Estimate.of(specification.verdict.data["value"], specification.verdict.claim.metric)
        colour = VERDICT_COLOURS.get(specification.verdict.verdict, "0.5")
        top.errorbar([x], [estimate.mean], yerr=[[estimate.mean - estimate.low], [estimate.high - estimate.mean]],
                     color=colour, marker="o", ms=3, lw=1, capsize=0)
        chosen = [columns.index(specification.column), len(columns) + R_KINDS.index(specification.kind),
                  len(columns) + len(R_KINDS) + SPECIFICATION_THRESHOLDS.index(specification.threshold)]
        bottom.scatter([x] * len(chosen), chosen, color=colour, s=8)
    top.set_ylabel(axis_label(specifications[0].verdict.claim.metric.rsplit("/", 2)[-2]))
    top.set_title(title, fontsize=9)
    for verdict, colour in VERDICT_COLOURS.items():
        top.scatter([], [], color=colour, s=12, label=verdict)
    top.legend(fontsize=7, loc="upper left", frameon=False)
    bottom.set_yticks(range(len(rows)), rows, fontsize=6)
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.set_xlabel("specifications, ranked by their mean")
    bottom.set_xticks([])
    return save_figure(fig, path)
