"""Claims as data: ``claims/*.yaml`` read into typed, validated records.

A claim names its source, its statement, the runs that test it (an MLflow experiment and the
param values that pick its runs), the metric, and the test whose outcome is its verdict. A
wrong file stops the page with one line naming the file, the claim and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CLAIMS_DIR = Path(__file__).resolve().parents[2] / "claims"
"""Where the claims live: one YAML file per source."""

TEST_KINDS = {
    "range": "the 95 % t-interval of the mean over seeds meets the claimed range [low, high]",
    "above": "one-sided t-test over seeds that the metric exceeds a value or, paired, another metric",
    "not_above": "the same test as 'above'; the claim holds when it finds no excess",
    "lower_than": "one-sided Welch t-test that the runs' metric is below that of the reference runs",
    "trend": "Spearman rank correlation of the metric with a swept factor over every run, one-sided; a claim of no "
             "decrease (direction: none) is a non-inferiority test instead: each seed's change over the swept range "
             "(slope times range) above -margin, one-sided t over seeds",
    "reversal": "paired one-sided t-tests over seeds on a curve's value at the end of each training phase: "
                "lower after counter-mirror training than after development, higher again after repair",
}
"""Every test a claim may name, with what it computes (the page's legend)."""
DIRECTIONS = ("decreasing", "increasing", "none")


class ClaimError(ValueError):
    """A claims file that cannot be read as claims; the message names the file, claim and field."""


@dataclass(frozen=True)
class ClaimTest:
    """What makes a claim hold; which fields matter depends on ``kind`` (see TEST_KINDS)."""

    kind: str
    low: float | None = None
    high: float | None = None
    value: float | None = None
    reference_metric: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    factor: str | None = None
    direction: str = "decreasing"
    phase_metric: str | None = None
    margin: float | None = None
    """For a claim of no decrease: the largest fall over the swept range, in the metric's units, it still
    calls none (written in the claim file, shown on the page)."""


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    statement: str
    experiment: str
    where: dict[str, Any]
    """Param values that select the claim's runs; ``model`` is the run's model."""
    metric: str
    test: ClaimTest
    file: str = ""
    """The claim file's name, for errors found once runs are read (a metric or param no run has)."""

    def error(self, field: str, message: str) -> ClaimError:
        """An error in this claim's file, naming the file, the claim and the field."""
        return ClaimError(f"{self.file}, claim {self.id}: {field} {message}")


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ClaimError(f"{where}: {message}")


def _test(raw: Any, where: str) -> ClaimTest:
    _require(isinstance(raw, dict) and "kind" in raw, where, "test must be a mapping with a kind")
    allowed = set(ClaimTest.__dataclass_fields__)
    unknown = sorted(set(raw) - allowed)
    _require(not unknown, where, f"test has unknown field(s) {', '.join(unknown)}")
    test = ClaimTest(**raw)
    for name in ("low", "high", "value", "margin"):
        bound = getattr(test, name)
        _require(bound is None or (isinstance(bound, (int, float)) and not isinstance(bound, bool)), where,
                 f"test.{name} must be a number, got {bound!r}")
    kind = test.kind
    _require(kind in TEST_KINDS, where, f"test.kind must be one of {', '.join(TEST_KINDS)}, got {kind!r}")
    if kind == "range":
        _require(test.low is not None and test.high is not None and test.low <= test.high, where,
                 "a range test needs low <= high")
    if kind in ("above", "not_above"):
        _require((test.value is None) != (test.reference_metric is None), where,
                 f"an {kind} test needs exactly one of value and reference_metric")
    if kind == "lower_than":
        _require(bool(test.reference), where, "a lower_than test needs reference: {param: value, ...}")
    if kind == "trend":
        _require(test.factor is not None, where, "a trend test needs factor")
        _require(test.direction in DIRECTIONS, where, f"test.direction must be one of {', '.join(DIRECTIONS)}")
        _require(test.direction != "none" or (test.margin is not None and test.margin > 0), where,
                 "a trend test of no decrease needs margin > 0, the largest fall it still calls none")
    if kind == "reversal":
        _require(test.phase_metric is not None, where, "a reversal test needs phase_metric")
    return test


def read_claims(folder: Path = CLAIMS_DIR) -> list[Claim]:
    """Every claim of every ``*.yaml`` file in ``folder``, in file-name order, then file order."""
    claims: list[Claim] = []
    seen: set[str] = set()
    _require(folder.is_dir(), str(folder), "is not a folder of claim files")
    paths = sorted(folder.glob("*.yaml"))
    _require(bool(paths), str(folder), "holds no claim files (*.yaml)")
    for path in paths:
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise ClaimError(f"{path.name}: not valid YAML{at} ({getattr(error, 'problem', None) or error})") from None
        _require(isinstance(document, dict) and "source" in document and isinstance(document.get("claims"), list),
                 path.name, "needs 'source' and a list 'claims'")
        for index, raw in enumerate(document["claims"]):
            where = f"{path.name}, claim {raw.get('id', index + 1) if isinstance(raw, dict) else index + 1}"
            _require(isinstance(raw, dict), where, "a claim must be a mapping")
            missing = [k for k in ("id", "statement", "runs", "metric", "test") if k not in raw]
            _require(not missing, where, f"missing field(s) {', '.join(missing)}")
            runs = raw["runs"]
            _require(isinstance(runs, dict) and isinstance(runs.get("experiment"), str), where,
                     "runs must name an experiment")
            _require(str(raw["id"]) not in seen, where, "id used twice")
            seen.add(str(raw["id"]))
            claims.append(Claim(id=str(raw["id"]), source=document["source"], statement=raw["statement"],
                                experiment=runs["experiment"], where=dict(runs.get("where") or {}),
                                metric=raw["metric"], test=_test(raw["test"], where), file=path.name))
    return claims
