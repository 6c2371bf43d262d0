"""The package's structure: models only model, and every shared name has one owner that agrees with its producers."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

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
