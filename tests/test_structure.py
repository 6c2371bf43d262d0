"""The package's structure: models only model, and every shared name has one owner that agrees with its producers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mirror.analysis.hebbian.selectivity import classify_mirror_neurons
from mirror.analysis.summary import analyse
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity
from mirror.report.runs import HEADLINE_METRICS
from mirror.vocabulary import CONDITIONS, HEBBIAN_COUNTS

PACKAGE = Path(__file__).resolve().parents[1] / "mirror"


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_models_import_nothing_from_the_analysis_or_the_tracking():
    for path in (PACKAGE / "models").glob("*.py"):
        offending = {m for m in _imported_modules(path) if m.startswith(("mirror.analysis", "mirror.tracking"))}
        assert not offending, f"{path.name} imports {offending}"


def test_every_headline_metric_of_the_shared_analysis_is_one_it_produces():
    rng = np.random.default_rng(0)
    perform = rng.normal(size=(12, 5, 6))
    labels = rng.integers(0, 3, (12, 5))
    activity = MirrorActivity(perform=perform, observe=perform + rng.normal(size=perform.shape), perform_labels=labels,
                              observe_labels=labels, trial_ids=np.arange(12), n_classes=3)
    produced = analyse(activity, AnalysisConfig(n_permutations=10, cka_permutations=5, silhouette_samples=50,
                                                top_units=3, max_lag=2)).metrics
    wanted = {name for name in HEADLINE_METRICS if name.startswith("analysis/")}
    assert wanted and wanted <= produced.keys(), wanted - produced.keys()


def test_the_hebbian_counts_are_named_as_the_vocabulary_lists_them():
    rng = np.random.default_rng(0)
    conditions = {name: rng.random((8, 4)) for name in CONDITIONS}
    counts = classify_mirror_neurons(conditions, 0.05, 0.05, 20, rng).counts()
    assert tuple(counts) == HEBBIAN_COUNTS


LIGHT_TOOLS = ("mirror.claims.__main__", "mirror.report.__main__", "mirror.results", "mirror.pipeline.plan")
"""Commands that read the store and draw: they must start in seconds, without the training stack."""
TRAINING_STACK = ("torch", "pytorch_lightning", "sklearn")


def _imported_by(modules: tuple[str, ...]) -> set[str]:
    """Which of the training stack a fresh interpreter has loaded after importing ``modules``."""
    code = f"import sys; import {', '.join(modules)}; print(' '.join(m for m in {TRAINING_STACK!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(result.stdout.split())


def test_the_claims_page_the_reports_the_plan_and_the_results_api_import_no_training_stack():
    assert _imported_by(LIGHT_TOOLS) == set()
    # The probe can see the stack: the module that trains does load it.
    assert _imported_by(("mirror.pipeline.experiment",)) == {"torch", "pytorch_lightning", "sklearn"}


FLOORS = (
    ("mirror.protocol", "mirror.vocabulary", "mirror.seeding", "mirror.termination", "mirror.plotting"),
    ("mirror.config",),
    ("mirror.data", "mirror.models", "mirror.tracking"),
    ("mirror.analysis",),
    ("mirror.pipeline", "mirror.report", "mirror.diagnostics"),
    ("mirror.claims",),
    ("mirror.run", "mirror.results", "mirror"),
)
"""The house from the ground up: a module imports only from its own floor or below."""


def _floor(module: str) -> int:
    """The floor of a module: its room's (``mirror`` itself is the package's face, not a room of rooms)."""
    return next(level for level, rooms in enumerate(FLOORS)
                if any(module == room or (room != "mirror" and module.startswith(f"{room}.")) for room in rooms))


def test_every_module_has_a_floor_and_no_import_runs_back_up_a_floor():
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        upward = {m for m in _imported_modules(path) if m.startswith("mirror.") and _floor(m) > _floor(module)}
        assert not upward, f"{module} (floor {_floor(module)}) imports {upward} from above"


def test_the_floor_test_sees_an_import_from_above_and_a_module_without_a_floor():
    assert _floor("mirror.analysis.summary") > _floor("mirror.models.visnet")
    assert _floor("mirror.config.gru") < _floor("mirror.tracking.liveness")
    with pytest.raises(StopIteration):
        _floor("mirror.somewhere_new")
