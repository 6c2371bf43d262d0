"""Recordings beside the models on the claims page (docs/recordings.md): the mouse study's claims judged on every
recorded session of the experiment its claim file names, beside the same measures on each model under the stated
design, and each model's alignment index against the values published for macaque F5 and M1.

A session is one population, not a sample of seeds: its claims are judged by the claim's own rule on the session's
value ("meets" or "does not meet"), with no interval. Sessions this project wrote (planted for its tests, or a model
run exported) are never shown as data (their ``recording.origin`` tag).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mirror.claims.selection import select
from mirror.claims.spec import Claim, Source
from mirror.intervals import t_interval
from mirror.tracking.tags import RECORDING_IDENTIFIER_TAG, RECORDING_ORIGIN_TAG
from mirror.vocabulary import subspace_metric, time_decoding_metric

ORIGIN_TAG = f"tags.{RECORDING_ORIGIN_TAG}"
IDENTIFIER_TAG = f"tags.{RECORDING_IDENTIFIER_TAG}"
ALIGNMENT = subspace_metric("alignment_observe_in_perform")
"""The alignment index the published values are compared with: observation in execution's top axes."""
MEASURES = {
    "analysis/same_unit/fraction_significant": "same-unit mirror units (share)",
    "analysis/geometry/joint_silhouette_perform": "action silhouette, execution",
    "analysis/geometry/joint_silhouette_observe": "action silhouette, observation",
    "analysis/congruence/preferred_agreement": "preferred action the same in both contexts (share)",
    "analysis/congruence/preferred_agreement_chance": "the same, its chance level",
    ALIGNMENT: "alignment index, observation in execution's axes",
    subspace_metric("alignment_observe_in_perform_null_mean"): "the same, its neuron-shuffle null",
    subspace_metric("alignment_perform_in_observe"): "alignment index, execution in observation's axes",
    subspace_metric("population_correlation"): "population correlation across contexts",
    time_decoding_metric("perform_to_observe"): "time-resolved decoding, execution -> observation",
    time_decoding_metric("chance"): "the same, chance",
    "analysis/modulation/observe_suppressed_of_perform_facilitated":
        "of units facilitated in execution, share suppressed in observation",
}
"""What the section compares, with the labels of its rows."""


@dataclass(frozen=True)
class Published:
    """One published alignment index of a recorded area."""

    area: str
    grasp: str
    observation_in_execution: float
    execution_in_observation: float


PUBLISHED = (Published("F5 mirror neurons", "precision grip", 0.138, 0.157),
             Published("F5 mirror neurons", "whole-hand grasp", 0.176, 0.120),
             Published("M1 PTN mirror neurons", "precision grip", 0.186, 0.163),
             Published("M1 PTN mirror neurons", "whole-hand grasp", 0.088, 0.144),
             Published("M1 other mirror neurons", "precision grip", 0.070, 0.076),
             Published("M1 other mirror neurons", "whole-hand grasp", 0.044, 0.037))
"""Macaque alignment indices of Jerjian, Sahani & Kraskov 2020 (eLife 9:e54139, Fig. 7), read from the figure's data
as its authors published them (github.com/sjjerjian/grasp-mirror-neurons, data/Fig7_data1.mat and Fig7_data2.mat,
``SummGrasp_Exe.alignment`` and ``SummGrasp_Obs.alignment``): 3 principal axes of one grasp's trial-averaged time
course over the movement epoch, mirror neurons only, no range softening. No published mouse value was found."""
PUBLISHED_METHOD = ("Jerjian, Sahani & Kraskov 2020 (eLife 9:e54139), Fig. 7: 3 principal axes of one grasp's mean "
                    "time course over the movement epoch, mirror neurons only, values read from the authors' "
                    "published figure data (github.com/sjjerjian/grasp-mirror-neurons, data/Fig7_data*.mat). The "
                    "models' index uses 5 axes of every condition's time course (docs/measures.md 3.4), so the "
                    "comparison is of kind, not decimals.")


@dataclass(frozen=True)
class Population:
    """A model under the stated design (its seeds) or one recorded session: each measure's values."""

    name: str
    values: dict[str, np.ndarray]
    judged: dict[str, str]
    """Claim (its id before the bracket, e.g. 'M0') -> the claim's verdict on the page (a model) or 'meets' /
    'does not meet' by the claim's rule (a session)."""
    recorded: bool


@dataclass(frozen=True)
class Beside:
    """The section: the claims it judges, the models and the recorded sessions."""

    claims: tuple[Claim, ...]
    models: tuple[Population, ...]
    sessions: tuple[Population, ...]
    experiment: str


def meets(claim: Claim, metrics: dict[str, float]) -> str:
    """The claim's rule on one session's values: 'meets', 'does not meet', or '' where its kind has no point rule or
    a value is missing."""
    test = claim.test
    value = metrics.get(claim.metric, math.nan)
    reference = metrics.get(test.reference_metric, math.nan) if test.reference_metric else test.value
    if test.kind == "equivalent" and reference is not None:
        result = abs(value - reference) <= test.margin
    elif test.kind == "above" and reference is not None:
        result = value > reference
    else:
        return ""
    if math.isnan(value) or (reference is not None and math.isnan(reference)):
        return ""
    return "meets" if result else "does not meet"


def base(claim: Claim) -> str:
    """The claim's id before its bracket: 'M0' of 'M0 (shared_gru)', one claim judged on several models."""
    return claim.id.split(" (")[0]


def _values(runs: pd.DataFrame) -> dict[str, np.ndarray]:
    return {metric: runs[f"metrics.{metric}"].to_numpy(dtype=float) for metric in MEASURES
            if f"metrics.{metric}" in runs}


def beside(source: Source, runs_of: Callable[[str], pd.DataFrame | None],
           verdict_of: Callable[[Claim], str]) -> Beside | None:
    """The section for a claim file that names a recordings experiment; None for one that does not."""
    if source.recordings is None:
        return None
    claims = tuple(claim for claim in source.claims if claim.id in source.recordings.claims)
    models, seen = [], set()
    for claim in claims:
        key = (claim.experiment, tuple(sorted(claim.where.items(), key=str)))
        runs = runs_of(claim.experiment)
        if key in seen or runs is None:
            continue
        seen.add(key)
        chosen = select(runs, claim.where)
        chosen = chosen[chosen["seed"].isin(claim.seeds)]
        if chosen.empty:
            continue
        same = [c for c in claims if (c.experiment, tuple(sorted(c.where.items(), key=str))) == key]
        models.append(Population(str(claim.where.get("model", claim.experiment)), _values(chosen),
                                 {base(c): verdict_of(c) for c in same}, recorded=False))
    recorded = runs_of(source.recordings.experiment)
    sessions = []
    rules: dict[str, Claim] = {}
    for claim in claims:  # one rule per claim: its first model's (they differ in runs only)
        rules.setdefault(base(claim), claim)
    if recorded is not None and ORIGIN_TAG in recorded:
        for _, run in recorded[recorded[ORIGIN_TAG] == "recorded"].iterrows():
            point = {str(c).removeprefix("metrics."): float(v) for c, v in run.items()
                     if str(c).startswith("metrics.")}
            name = str(run.get(IDENTIFIER_TAG) or run["run_id"])
            sessions.append(Population(name, {m: np.array([point[m]]) for m in MEASURES if m in point},
                                       {key: meets(rule, point) for key, rule in rules.items()}, recorded=True))
    return Beside(claims, tuple(models), tuple(sessions), source.recordings.experiment)


def shown(values: np.ndarray | None) -> str:
    """A model's mean [95 % interval] (n), or a session's value."""
    if values is None or not len(values) or np.isnan(values).all():
        return "-"
    values = values[~np.isnan(values)]
    if len(values) == 1:
        return f"{values[0]:.3g}"
    low, high = t_interval(values)
    return f"{values.mean():.3g} [{low:.3g}, {high:.3g}] ({len(values)})"


def nearest_area(alignment: float) -> str:
    """The published area and grasp whose index is nearest the model's."""
    nearest = min(PUBLISHED, key=lambda p: abs(p.observation_in_execution - alignment))
    return f"{nearest.area} ({nearest.grasp}, {nearest.observation_in_execution:.2f})"


def sentences(section: Beside) -> list[str]:
    """What the section says: which models look like which area, and what the recordings show or that there are
    none."""
    lines = []
    for model in section.models:
        alignment = model.values.get(ALIGNMENT)
        if alignment is not None and len(alignment) and not np.isnan(alignment).all():
            mean = float(np.nanmean(alignment))
            lower = min(p.observation_in_execution for p in PUBLISHED)
            upper = max(p.observation_in_execution for p in PUBLISHED)
            where = ("inside" if lower <= mean <= upper else "above" if mean > upper else "below")
            lines.append(f"{model.name}: alignment index {mean:.2f}, {where} the published macaque range "
                         f"[{lower:.2f}, {upper:.2f}]; nearest {nearest_area(mean)}")
    if not section.sessions:
        lines.append(f"The store holds no recorded session in experiment '{section.experiment}' (python -m "
                     "mirror.run model=recording data.path=<session.nwb>; docs/recordings.md): the models are shown "
                     "alone.")
    for session in section.sessions:
        judged = ", ".join(f"{claim} {verdict}" for claim, verdict in session.judged.items() if verdict)
        lines.append(f"session {session.name}: {judged or 'no claim could be judged'}")
    return lines


def table(section: Beside) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the comparison: measures down, models then sessions across, then each claim's
    verdict (models) or rule met (sessions)."""
    populations: Sequence[Population] = (*section.models, *section.sessions)
    header = ["measure", *(f"{p.name} (recorded)" if p.recorded else p.name for p in populations)]
    rows = [[label, *(shown(p.values.get(metric)) for p in populations)] for metric, label in MEASURES.items()]
    for key in dict.fromkeys(base(claim) for claim in section.claims):
        rows.append([f"{key} (a model: its verdict on this page; a session: the claim's rule on its value)",
                     *(p.judged.get(key) or "-" for p in populations)])
    return header, rows


def published_table() -> tuple[list[str], list[list[str]]]:
    """The published values the models are set against."""
    return (["area (macaque)", "grasp", "observation in execution's axes", "execution in observation's axes"],
            [[p.area, p.grasp, f"{p.observation_in_execution:.3f}", f"{p.execution_in_observation:.3f}"]
             for p in PUBLISHED])
