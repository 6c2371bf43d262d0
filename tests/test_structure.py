"""The package's structure: models only model, and every shared name has one owner that agrees with its producers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np

from mirror.analysis.hebbian.selectivity import classify_mirror_neurons
from mirror.analysis.summary import analyse
from mirror.config import AnalysisConfig
from mirror.protocol import MirrorActivity
from mirror.config import HEADLINE_METRICS
from mirror.vocabulary.hebbian import CONDITIONS, HEBBIAN_COUNTS

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


ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"


def layout_floors() -> dict[str, int]:
    """Every path the Layout of ``docs/architecture.md`` lists under ``mirror/``, with the floor it is listed on."""
    text = ARCHITECTURE.read_text()
    block = text[text.index("## Layout"):].split("```")[1]
    floors, floor = {}, -1
    for line in block.splitlines():
        if line.startswith("floor "):
            floor = int(line.split()[1].rstrip(":"))
        elif line.startswith("mirror/"):
            floors[line.split()[0]] = floor
    return floors


def _path_of(module: str) -> Path:
    path = PACKAGE.parent / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _floor(module: str, layout: dict[str, int]) -> int:
    """A module's floor in the Layout; a package's face the Layout leaves out (a docstring, no imports)
    stands on the lowest floor of its modules."""
    path = _path_of(module).relative_to(PACKAGE.parent).as_posix()
    if path in layout:
        return layout[path]
    folder = path.rpartition("/")[0] + "/"
    return min(floor for listed, floor in layout.items() if listed.startswith(folder))


def test_the_layout_lists_every_module_and_nothing_that_is_gone():
    listed = set(layout_floors())
    modules = {path.relative_to(PACKAGE.parent).as_posix() for path in PACKAGE.rglob("*.py")}
    unlisted = sorted(m for m in modules - listed if not m.endswith("/__init__.py"))
    assert not unlisted, f"not in the Layout of docs/architecture.md: {unlisted}"
    assert listed <= modules, f"in the Layout of docs/architecture.md but not in the tree: {sorted(listed - modules)}"


def test_no_import_runs_back_up_a_floor_of_the_layout_floors():
    layout = layout_floors()
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        upward = {m for m in _imported_modules(path)
                  if m.startswith("mirror.") and _floor(m, layout) > _floor(module, layout)}
        assert not upward, f"{module} (floor {_floor(module, layout)}) imports {upward} from above"


def test_the_floor_test_sees_an_import_from_above():
    layout = layout_floors()
    assert _floor("mirror.analysis.summary", layout) > _floor("mirror.models.visnet", layout)
    assert _floor("mirror.config.gru", layout) < _floor("mirror.tracking.liveness", layout)
    assert _floor("mirror.analysis", layout) == _floor("mirror.analysis.summary", layout)


def test_every_tag_name_is_typed_once_in_tracking_tags():
    from mirror.tracking import tags

    names = {value for key, value in vars(tags).items() if key.endswith("_TAG")}
    assert {"mirror.model", "mirror.role", "mirror.sweep_id", "mirror.error", "mirror.config_hash"} <= names
    for path in PACKAGE.rglob("*.py"):
        if path.name == "tags.py":
            continue
        typed = {node.value for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Constant) and node.value in names}
        assert not typed, f"{path.relative_to(PACKAGE)} types {typed}: import it from mirror.tracking.tags"
