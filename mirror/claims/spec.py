"""Claims as data: ``claims/*.yaml`` read into typed, validated records.

A file holds one source's claims, the conditions they are judged under besides the stated
design, and its references: runs whose answer is known (a planted population, an untrained network), on which
each claim's own metric and rule are run to show that its verdict is diagnostic. A claim names its statement, the runs that test it (an MLflow experiment and the param
values that pick its runs), its planned seeds, the metric, the test whose outcome is its verdict,
and the control that would have made it fail. A wrong file stops the page with one line naming the file, the
claim and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from mirror.claims.kinds import KINDS

CLAIMS_DIR = Path(__file__).resolve().parents[2] / "claims"
"""Where the claims live: one YAML file per source."""

TEST_KINDS = {name: kind.legend for name, kind in KINDS.items()}
"""Every test a claim may name, with what it computes (the page's legend)."""
STATED = "stated design"
"""The name of the column every claim is judged in first: its runs exactly as the claim file names them."""


class ClaimError(ValueError):
    """A claims file that cannot be read as claims; the message names the file, claim and field."""


@dataclass(frozen=True)
class ClaimTest:
    """What makes a claim hold; which fields matter depends on ``kind`` (see TEST_KINDS)."""

    kind: str
    low: float | None = None
    high: float | None = None
    tolerance: float | None = None
    """For a range: how far beyond [low, high] a value still counts as inside (written in the claim file)."""
    value: float | None = None
    reference_metric: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    factor: str | None = None
    direction: str = "decreasing"
    phase_metric: str | None = None
    margin: float | None = None
    """For a claim of absence (equivalent, or a trend of no decrease): the largest difference, in the metric's
    units, it still calls none (written in the claim file, shown on the page)."""
    share: float | None = None
    """For a claim about most networks: the share of seeds that must meet it (share)."""
    relative: bool = False
    """For a trend of no decrease: read each seed's change as a fraction of its own value at the factor's lowest
    level, so that the margin is unit-free (a scale of the metric, such as a noise sd, cannot move the verdict)."""


@dataclass(frozen=True)
class Condition:
    """A design the source's claims are judged under besides the stated one: param values that replace the
    stated ones (and optionally another experiment), or another measure of the same thing."""

    name: str
    experiment: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    """metric -> {metric: the measure used instead, margin: its margin of absence (in its units: a relative margin,
    unit-free, is kept)}."""
    metric_prefix: str = ""
    """Read every metric with this prefix (``dark/``: the same analysis of activity performed in the dark)."""


ABSENT, PRESENT = "effect absent", "effect present"
"""The two references a claim is calibrated on: where its effect is known to be absent, and present."""


@dataclass(frozen=True)
class Reference:
    """Runs whose answer is known, selected like a claim's own: an experiment and the param values that pick them
    (``model`` is the run's model), and, for a test against other runs (lower_than), the param values of those."""

    name: str
    experiment: str
    where: dict[str, Any]
    about: str
    """What the reference is and why its answer is known (shown on the page)."""
    compared_with: dict[str, Any] = field(default_factory=dict)
    """Replaces ``test.reference`` of a lower_than claim judged on it."""
    seeds: tuple[int, ...] = ()
    """The reference's own planned seeds, where its preset runs fewer than the claims it calibrates (empty: each
    claim's own)."""


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    statement: str
    experiment: str
    where: dict[str, Any]
    """Param values that select the claim's runs under the stated design (``model`` is the run's model);
    a condition may replace them."""
    metric: str
    test: ClaimTest
    seeds: tuple[int, ...]
    """The planned seeds, pre-registered: the verdict reads exactly these (an extra seed cannot move it) and
    gives none until every one of them has run."""
    control: str = ""
    short: str = ""
    """The statement in a few words, for the matrix's rows (the statement itself when the file gives none)."""
    margin_reason: str = ""
    """Why the test's margin or tolerance has its size (required when it has one above zero; shown on the page)."""
    fingerprint: str = ""
    """The claim as stated (statement, runs, seeds, metric, test, margin reason), canonically written: what the
    page compares with the claim file at the commit its runs were trained at."""
    """The control that would have made the claim fail (shown on its row)."""
    fixed: dict[str, Any] = field(default_factory=dict)
    """Param values that are part of the statement itself, kept under every condition."""
    controlled_by: tuple[str, ...] = ()
    """Ids of the source's claims that are this claim's controls (the synthesis asks whether they hold too)."""
    file: str = ""
    """The claim file's name, for errors found once runs are read (a metric or param no run has)."""
    condition: str = STATED
    calibration: dict[str, Reference] = field(default_factory=dict)
    """{ABSENT: reference, PRESENT: reference}; empty when the claim file names none (the claim is then not
    calibrated: its verdict is shown but counted apart)."""
    uncalibrated_because: str = ""
    """Why no reference is known, where the claim file says so (``calibration: {none: <why>}``; shown on the page)."""

    @property
    def of_absence(self) -> bool:
        """A claim that something is absent (an equivalence, or no decrease): its effect-absent reference must
        hold and its effect-present one must not, the mirror image of a claim of presence."""
        return KINDS[self.test.kind].of_absence(self.test)

    def on(self, kind: str) -> Claim:
        """The same claim, metric and test judged on its ``kind`` reference's runs instead of its own."""
        reference = self.calibration[kind]
        test = replace(self.test, reference=reference.compared_with) if reference.compared_with else self.test
        return replace(self, experiment=reference.experiment, where=dict(reference.where), fixed={}, test=test,
                       seeds=reference.seeds or self.seeds, condition=f"{kind} reference")

    def error(self, field: str, message: str) -> ClaimError:
        """An error in this claim's file, naming the file, the claim and the field."""
        where = "" if self.condition == STATED else f", condition '{self.condition}'"
        return ClaimError(f"{self.file}, claim {self.id}{where}: {field} {message}")

    @property
    def selection(self) -> dict[str, Any]:
        """Every param value that selects the claim's runs."""
        return {**self.where, **self.fixed}

    def applies(self, condition: Condition) -> bool:
        """False when the condition changes only what the claim's statement fixes (the cell would repeat the
        stated design's)."""
        changes_measure = condition.metric_prefix or {self.metric, self.test.reference_metric} & set(condition.metrics)
        return bool(changes_measure or set(condition.where) - set(self.fixed) or condition.experiment)

    def under(self, condition: Condition) -> Claim:
        """The same claim judged under a condition: its params, experiment and measure replaced."""
        test, metric = self.test, self.metric
        for name in (self.metric, self.test.reference_metric):
            swap = condition.metrics.get(name or "")
            if swap is None:
                continue
            if name == self.metric:
                metric = swap["metric"]
            else:
                test = replace(test, reference_metric=swap["metric"])
            if "margin" in swap and test.margin is not None and not test.relative:  # a fraction has no unit
                test = replace(test, margin=float(swap["margin"]))
        if condition.metric_prefix:
            metric = condition.metric_prefix + metric
            if test.reference_metric is not None:
                test = replace(test, reference_metric=condition.metric_prefix + test.reference_metric)
        return replace(self, experiment=condition.experiment or self.experiment, where={**self.where, **condition.where},
                       metric=metric, test=test, condition=condition.name)


@dataclass(frozen=True)
class Recordings:
    """Where a claim file's recorded sessions are (an experiment) and which of its claims are judged on them."""

    experiment: str
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """One claim file: its claims and the conditions they are judged under."""

    name: str
    claims: tuple[Claim, ...]
    conditions: tuple[Condition, ...] = ()
    references: dict[str, Reference] = field(default_factory=dict)
    recordings: Recordings | None = None
    """The recorded sessions its claims are also judged on (mirror.claims.recordings); None: none."""


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ClaimError(f"{where}: {message}")


def _number(value: Any) -> bool:
    """A finite number: an infinite bound or margin makes a claim that cannot fail, and nan one never judged."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


SCALAR = (str, int, float, bool)
"""What a param value in ``where`` can be: a run's params are single values."""
MAX_FILE_BYTES = 1_000_000
"""The largest claim file read: the project's largest is a few dozen kilobytes."""
MAX_CLAIMS = 1000
"""The most claims a file may state: each is judged under every condition, on two references."""


def _text(raw: Any, where: str, name: str, required: bool = True) -> str:
    """A field that must be text (a statement, a metric): one error naming it otherwise."""
    _require(isinstance(raw, str) and (bool(raw.strip()) or not required), where, f"{name} must be text, got {raw!r}")
    return raw


def _where(raw: Any, at: str, name: str = "where") -> dict[str, Any]:
    """``{param: value, ...}`` with single values."""
    raw = {} if raw is None else raw
    _require(isinstance(raw, dict), at, f"{name} must map a param to its value, got {raw!r}")
    for key, value in raw.items():
        _require(isinstance(key, str) and isinstance(value, SCALAR) and (not isinstance(value, float)
                                                                        or math.isfinite(value)),
                 at, f"{name}.{key} must be one value (text or a finite number), got {value!r}")
    return dict(raw)


def _test(raw: Any, where: str) -> ClaimTest:
    _require(isinstance(raw, dict) and "kind" in raw, where, "test must be a mapping with a kind")
    unknown = sorted(set(raw) - set(ClaimTest.__dataclass_fields__))
    _require(not unknown, where, f"test has unknown field(s) {', '.join(unknown)}")
    test = ClaimTest(**raw)
    for name in ("low", "high", "value", "margin", "tolerance", "share"):
        bound = getattr(test, name)
        _require(bound is None or _number(bound), where, f"test.{name} must be a finite number, got {bound!r}")
    _require(test.margin is None or test.margin > 0, where, f"test.margin must be positive, got {test.margin!r}")
    _require(test.tolerance is None or test.tolerance >= 0, where,
             f"test.tolerance must not be negative, got {test.tolerance!r}")
    for name in ("reference_metric", "factor", "direction", "phase_metric"):
        value = getattr(test, name)
        _require(value is None or isinstance(value, str), where, f"test.{name} must be text, got {value!r}")
    _where(test.reference, where, "test.reference")
    kind = test.kind
    _require(kind in TEST_KINDS, where, f"test.kind must be one of {', '.join(TEST_KINDS)}, got {kind!r}")
    problem = KINDS[kind].check(test)
    _require(problem is None, where, problem or "")
    _require(not test.relative or (kind == "trend" and test.direction == "none"), where,
             "relative applies to a trend test of no decrease only")
    return test


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    _require(isinstance(raw, list), where, "conditions must be a list")
    conditions, names = [], {STATED}
    for index, item in enumerate(raw):
        at = f"{where}, condition {index + 1}"
        _require(isinstance(item, dict) and isinstance(item.get("name"), str), at, "a condition needs a name")
        unknown = sorted(set(item) - set(Condition.__dataclass_fields__))
        _require(not unknown, at, f"has unknown field(s) {', '.join(unknown)}")
        _require(item["name"] not in names, at, f"name {item['name']!r} used twice")
        names.add(item["name"])
        metrics = item.get("metrics") or {}
        _require(isinstance(metrics, dict) and all(isinstance(v, dict) and isinstance(v.get("metric"), str)
                                                   for v in metrics.values()),
                 at, "metrics must map a metric to {metric: ..., margin: ...}")
        for metric, replacement in metrics.items():
            margin = replacement.get("margin")
            _require(margin is None or (_number(margin) and margin > 0), at,
                     f"metrics.{metric}.margin must be a positive finite number, got {margin!r}")
        experiment = item.get("experiment")
        _require(experiment is None or (isinstance(experiment, str) and bool(experiment)), at,
                 f"experiment must be a name, got {experiment!r}")
        prefix = item.get("metric_prefix") or ""
        _require(isinstance(prefix, str), at, f"metric_prefix must be text, got {prefix!r}")
        conditions.append(Condition(name=item["name"], experiment=experiment, where=_where(item.get("where"), at),
                                    metrics=metrics, metric_prefix=prefix))
    return tuple(conditions)


def _recordings(raw: Any, ids: set[str], where: str) -> Recordings | None:
    """``recordings: {experiment: <name>, claims: [<claim id>, ...]}``, or None where the file has none."""
    if raw is None:
        return None
    at = f"{where}, recordings"
    _require(isinstance(raw, dict) and set(raw) == {"experiment", "claims"}, at,
             "must be {experiment: <name>, claims: [<claim id>, ...]}")
    _require(isinstance(raw["experiment"], str) and bool(raw["experiment"]), at, "experiment must be a name")
    claims = raw["claims"]
    _require(isinstance(claims, list) and all(isinstance(c, str) for c in claims), at, "claims must be a list of ids")
    unknown = [c for c in claims if c not in ids]
    _require(not unknown, at, f"names {', '.join(unknown)}, no claim of this file")
    return Recordings(raw["experiment"], tuple(claims))


def _references(raw: Any, where: str) -> dict[str, Reference]:
    _require(isinstance(raw, dict), where, "references must map a name to {experiment, where, about}")
    references = {}
    for name, item in raw.items():
        at = f"{where}, reference '{name}'"
        _require(isinstance(item, dict), at, "must be a mapping")
        unknown = sorted(set(item) - {"experiment", "where", "about", "compared_with", "seeds"})
        _require(not unknown, at, f"has unknown field(s) {', '.join(unknown)}")
        _require(isinstance(item.get("experiment"), str) and isinstance(item.get("where"), dict), at,
                 "needs an experiment and where: {param: value, ...}")
        _where(item["where"], at)
        _where(item.get("compared_with"), at, "compared_with")
        _require(isinstance(item.get("about"), str) and bool(item["about"].strip()), at,
                 "needs about: what it is and why its answer is known")
        references[str(name)] = Reference(str(name), item["experiment"], dict(item["where"]), item["about"].strip(),
                                          dict(item.get("compared_with") or {}),
                                          _seeds(item["seeds"], at) if "seeds" in item else ())
    return references


def _calibration(raw: Any, references: dict[str, Reference], where: str) -> tuple[dict[str, Reference], str]:
    """The claim's two references, or none and why none is known (``{none: <why>}``)."""
    if raw is None:
        return {}, ""
    if isinstance(raw, dict) and set(raw) == {"none"}:
        _require(isinstance(raw["none"], str) and bool(raw["none"].strip()), where,
                 "calibration: none must say why no reference is known")
        return {}, raw["none"].strip()
    _require(isinstance(raw, dict) and set(raw) == {"absent", "present"}, where,
             "calibration must name two references: {absent: <name>, present: <name>}, or say why none is known: "
             "{none: <why>}")
    unknown = [str(name) for name in raw.values() if name not in references]
    _require(not unknown, where, f"calibration names {', '.join(unknown)}, no reference of this file")
    return {ABSENT: references[raw["absent"]], PRESENT: references[raw["present"]]}, ""


def _seeds(raw: Any, where: str) -> tuple[int, ...]:
    _require(isinstance(raw, list) and bool(raw) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                         for s in raw), where,
             f"seeds must be the planned seeds, a non-empty list of non-negative integers, got {raw!r}")
    _require(len(set(raw)) == len(raw), where, f"seeds lists a seed twice: {raw!r}")
    return tuple(raw)


def _claim(raw: Any, index: int, source: str, file: str, seeds: Any = None,
           references: dict[str, Reference] | None = None) -> Claim:
    where = f"{file}, claim {raw.get('id', index + 1) if isinstance(raw, dict) else index + 1}"
    _require(isinstance(raw, dict), where, "a claim must be a mapping")
    missing = [k for k in ("id", "statement", "runs", "metric", "test", "control") if k not in raw]
    _require(not missing, where, f"missing field(s) {', '.join(missing)}")
    _require(isinstance(raw["id"], (str, int)) and not isinstance(raw["id"], bool), where, "id must be text")
    for name in ("statement", "metric", "control"):
        _text(raw[name], where, name)
    for name in ("short", "margin_reason"):
        if raw.get(name) is not None:
            _text(raw[name], where, name, required=False)
    runs = raw["runs"]
    _require(isinstance(runs, dict) and isinstance(runs.get("experiment"), str), where, "runs must name an experiment")
    unknown = sorted(set(runs) - {"experiment", "where", "fixed"})
    _require(not unknown, where, f"runs has unknown field(s) {', '.join(unknown)}")
    _where(runs.get("where"), where, "runs.where")
    _where(runs.get("fixed"), where, "runs.fixed")
    test = _test(raw["test"], where)
    planned = raw.get("seeds", seeds)
    _require(planned is not None, where, "needs seeds: the planned seeds, an explicit list (in the claim, or for "
                                         "every claim of the file at its top)")
    sized = bool(test.tolerance) or test.margin is not None
    reason = raw.get("margin_reason", "")
    _require(isinstance(reason, str) and (bool(reason.strip()) or not sized), where,
             "needs margin_reason: why its margin or tolerance has its size")
    calibration, uncalibrated_because = _calibration(raw.get("calibration"), references or {}, where)
    return Claim(id=str(raw["id"]), source=source, statement=raw["statement"], short=str(raw.get("short") or raw["statement"]),
                 experiment=runs["experiment"],
                 where=dict(runs.get("where") or {}), fixed=dict(runs.get("fixed") or {}), metric=raw["metric"],
                 test=test, control=str(raw["control"]),
                 controlled_by=tuple(str(c) for c in raw.get("controlled_by") or ()), file=file,
                 seeds=_seeds(planned, where), margin_reason=reason.strip(), fingerprint=fingerprint(raw, planned),
                 calibration=calibration, uncalibrated_because=uncalibrated_because)


def fingerprint(raw: dict, seeds: Any) -> str:
    """A claim's statement, runs, seeds, metric, test and margin reason, canonically written."""
    stated = {key: raw.get(key) for key in ("statement", "runs", "metric", "test", "margin_reason")}
    return json.dumps({**stated, "seeds": raw.get("seeds", seeds)}, sort_keys=True, default=str)


def read_sources(folder: Path = CLAIMS_DIR) -> list[Source]:
    """Every source of every ``*.yaml`` file in ``folder``, in file-name order, claims in file order."""
    _require(folder.is_dir(), str(folder), "is not a folder of claim files")
    paths = sorted(folder.glob("*.yaml"))
    _require(bool(paths), str(folder), "holds no claim files (*.yaml)")
    sources, seen = [], set()
    for path in paths:
        size = path.stat().st_size
        _require(size <= MAX_FILE_BYTES, path.name, f"is {size:,} bytes; a claim file is at most {MAX_FILE_BYTES:,}")
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except UnicodeDecodeError as error:
            raise ClaimError(f"{path.name}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise ClaimError(f"{path.name}: not valid YAML{at} ({getattr(error, 'problem', None) or error})") from None
        _require(isinstance(document, dict) and "source" in document and isinstance(document.get("claims"), list),
                 path.name, "needs 'source' and a list 'claims'")
        _require(isinstance(document["source"], str) and bool(document["source"].strip()), path.name,
                 f"source must name the source in text, got {document['source']!r}")
        _require(0 < len(document["claims"]) <= MAX_CLAIMS, path.name,
                 f"claims must list between 1 and {MAX_CLAIMS} claims, got {len(document['claims'])}")
        references = _references(document.get("references") or {}, path.name)
        claims = []
        for index, raw in enumerate(document["claims"]):
            claim = _claim(raw, index, document["source"], path.name, document.get("seeds"), references)
            _require(claim.id not in seen, f"{path.name}, claim {claim.id}", "id used twice")
            seen.add(claim.id)
            claims.append(claim)
        ids = {claim.id for claim in claims}
        for claim in claims:
            unknown = [c for c in claim.controlled_by if c not in ids]
            _require(not unknown, f"{path.name}, claim {claim.id}",
                     f"controlled_by names {', '.join(unknown)}, no claim of this file")
        sources.append(Source(document["source"], tuple(claims),
                              _conditions(document.get("conditions") or [], path.name), references,
                              _recordings(document.get("recordings"), ids, path.name)))
    return sources


def read_claims(folder: Path = CLAIMS_DIR) -> list[Claim]:
    """Every claim of every source, under its stated design."""
    return [claim for source in read_sources(folder) for claim in source.claims]
