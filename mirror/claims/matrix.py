"""Every claim under its stated design and under each of its source's conditions the store holds runs
for, judged together (one multiplicity adjustment over the page), each claim also on its two references (their
own adjustment), and what follows from the matrix: where all of a source's claims hold together, which verdicts
are not diagnostic, and where each claim that fails as stated holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from mlflow.tracking import MlflowClient

from mirror.claims.calibration import NOT_DIAGNOSTIC, REFERENCES, Calibration
from mirror.claims.recordings import Beside, beside
from mirror.claims.spec import STATED, Claim, ClaimError, Source
from mirror.claims.specification import Curve, curve
from mirror.claims.verdict import HOLDS, NOT_RUN, Verdict
from mirror.claims.verdicts import judge, settle
from mirror.report.runs import RunSelection, load_runs


@dataclass(frozen=True)
class SourceMatrix:
    """One source's verdicts: claims down, conditions across (the stated design first)."""

    source: Source
    columns: tuple[str, ...]
    """The stated design and every condition under which some claim has runs."""
    cells: dict[tuple[str, str], Verdict]
    """(claim id, column) -> verdict."""
    calibrations: dict[str, Calibration]
    """claim id -> its verdicts on its references."""
    curves: dict[str, Curve | None]
    """claim id -> its specification curve (None: its test has none, or no run logged its choices)."""
    recordings: Beside | None = None
    """Recorded sessions beside the models, for a source whose claim file names a recordings experiment."""

    def cell(self, claim: Claim, column: str) -> Verdict:
        return self.cells[claim.id, column]

    def calibration(self, claim: Claim) -> Calibration:
        return self.calibrations[claim.id]

    @property
    def stated(self) -> list[Verdict]:
        return [self.cell(claim, STATED) for claim in self.source.claims]


def evaluate(client: MlflowClient, sources: Sequence[Source]) -> list[SourceMatrix]:
    """Every cell of every source's matrix from the finished runs the store holds (each experiment read
    once), its p adjusted with every other p on the page."""
    runs: dict[str, pd.DataFrame | None] = {}
    absent: set[str] = set()

    def runs_of(experiment: str) -> pd.DataFrame | None:
        if experiment not in runs:
            try:
                runs[experiment] = load_runs(client, RunSelection([experiment]))
            except ValueError:  # no such experiment, or no finished run in it
                runs[experiment] = None
                if client.get_experiment_by_name(experiment) is None:
                    absent.add(experiment)
        return runs[experiment]

    def history(run_id: str, metric: str) -> list[tuple[int, float]]:
        return [(point.step, point.value) for point in client.get_metric_history(run_id, metric)]

    def judged(claim: Claim) -> Verdict:
        found = runs_of(claim.experiment)
        if claim.experiment in absent:  # a name no preset has run into: said, not taken for a claim not run yet
            return Verdict(claim, NOT_RUN, test=f"the store has no experiment '{claim.experiment}' (a typo in the "
                                                "claim file, or no preset has run into it yet)")
        return judge(claim, found, history)

    keys, verdicts = [], []
    for source in sources:
        for claim in source.claims:
            keys.append((source.name, claim.id, STATED))
            verdicts.append(judged(claim))
            for condition in source.conditions:
                variant = claim.under(condition)
                keys.append((source.name, claim.id, condition.name))
                verdicts.append(judged(variant) if claim.applies(condition) else
                                Verdict(variant, NOT_RUN, test="the condition changes only what the claim fixes"))
    references = {(claim.id, kind): judged(claim.on(kind))
                  for source in sources for claim in source.claims for kind in claim.calibration}
    references = dict(zip(references, settle(list(references.values()))))  # a family of their own
    for source in sources:
        _check_conditions(source, [runs_of(experiment) for experiment in sorted(_experiments(source))])
    by_key = dict(zip(keys, settle(verdicts)))
    matrices = []
    for source in sources:
        cells = {(claim_id, column): verdict for (name, claim_id, column), verdict in by_key.items()
                 if name == source.name}
        columns = [STATED, *(condition.name for condition in source.conditions
                             if any(cells[claim.id, condition.name].verdict != NOT_RUN for claim in source.claims))]
        calibrations = {claim.id: Calibration(claim, {kind: references[claim.id, kind] for kind in REFERENCES
                                                      if (claim.id, kind) in references})
                        for claim in source.claims}
        curves = {claim.id: curve(claim, {STATED: claim, **{c.name: claim.under(c) for c in source.conditions
                                                           if claim.applies(c)}}, judged)
                  for claim in source.claims}
        section = beside(source, runs_of, lambda claim: cells[claim.id, STATED].verdict)
        matrices.append(SourceMatrix(source, tuple(columns), cells, calibrations, curves, section))
    return matrices


def _experiments(source: Source) -> set[str]:
    return {claim.experiment for claim in source.claims} | {c.experiment for c in source.conditions if c.experiment}


def _check_conditions(source: Source, frames: list[pd.DataFrame | None]) -> None:
    """A condition's param that no run of its source's experiments has is a typo in the claim file (checked
    once every experiment the source reads has runs: before that the param may belong to runs yet to come)."""
    if not frames or any(frame is None for frame in frames):
        return
    for condition in source.conditions:
        for name in condition.where:
            if name != "model" and not any(f"params.{name}" in frame for frame in frames):
                file = source.claims[0].file if source.claims else "?"
                raise ClaimError(f"{file}, condition '{condition.name}': where.{name} names a param no run of "
                                 f"{', '.join(sorted(_experiments(source)))} has")


def _listing(names: Sequence[str]) -> str:
    names = [f"'{name}'" for name in names]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def synthesis(matrix: SourceMatrix) -> list[str]:
    """Sentences computed from the matrix, not written by hand: under which conditions all the source's
    claims hold together, and for each claim that does not hold as stated, where it holds and whether
    its controls hold there too."""
    claims = matrix.source.claims
    holding = {column: sum(matrix.cell(claim, column).verdict == HOLDS for claim in claims)
               for column in matrix.columns}
    together = [column for column, count in holding.items() if count == len(claims)]
    most = max(holding.values())
    if together:
        sentences = [f"All {len(claims)} claims hold together under {_listing(together)}."]
    elif most == 0:
        sentences = [f"None of the {len(claims)} claims holds under any condition the store has runs for."]
    else:
        best = [column for column, count in holding.items() if count == most]
        sentences = [f"Under no condition do all {len(claims)} claims hold together; at most {most} "
                     f"{'does' if most == 1 else 'do'}, under {_listing(best)}."]
    blind = [claim.id for claim in claims if matrix.calibration(claim).status == NOT_DIAGNOSTIC]
    if blind:
        sentences.append(f"Not diagnostic (the same verdict where the effect is absent or present, counted apart): "
                         f"{', '.join(blind)}.")
    not_run = [claim.id for claim in claims if matrix.cell(claim, STATED).verdict == NOT_RUN]
    if not_run:
        sentences.append(f"Not run yet as stated: {', '.join(not_run)}.")
    for claim in claims:
        stated = matrix.cell(claim, STATED).verdict
        if stated in (HOLDS, NOT_RUN):
            continue
        where = [column for column in matrix.columns[1:] if matrix.cell(claim, column).verdict == HOLDS]
        if not where:
            sentences.append(f"{claim.id} ({stated} as stated) holds under no condition.")
            continue
        parts = []
        for column in where:
            failing = [f"{c} {matrix.cells[c, column].verdict}" for c in claim.controlled_by
                       if matrix.cells[c, column].verdict != HOLDS]
            parts.append(f"'{column}'" + ("" if not claim.controlled_by else
                                         f" (its controls hold there too)" if not failing else
                                         f" (but there {', '.join(failing)})"))
        sentences.append(f"{claim.id} ({stated} as stated) holds under {', '.join(parts)}.")
    return sentences
