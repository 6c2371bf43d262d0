"""Every file of every config group composes, names a class that imports, and restates no default.

The schema dataclasses of ``mirror/config/`` are the one home of every default. A YAML
file sets a key only where it differs from the schema, and says why on that key's line.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from mirror.config import GROUP_SCHEMAS, execution_override_keys, validate
from tests.conftest import CONF, compose_job

GROUP_FILES = sorted(path for group in GROUP_SCHEMAS for path in (CONF / group).glob("*.yaml"))
PRESETS = sorted((CONF / "experiment").glob("*.yaml"))


def _leaves(node: object, prefix: str = "") -> dict[str, object]:
    """Every leaf of a nested dict, by dotted name."""
    if not isinstance(node, dict):
        return {prefix: node}
    found: dict[str, object] = {}
    for key, value in node.items():
        found.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return found


def _schema_defaults(schema: type) -> dict[str, object]:
    return _leaves(OmegaConf.to_container(OmegaConf.structured(schema)))


def _schema_of(path: Path) -> tuple[type, str]:
    """The schema a group file names in its defaults list, and the package it is placed at."""
    for entry in OmegaConf.to_container(OmegaConf.load(path)).get("defaults", []):
        if not isinstance(entry, dict):
            continue
        (target, name), = entry.items()
        if target.startswith("/schema/"):
            group, _, package = target.removeprefix("/schema/").partition("@")
            return GROUP_SCHEMAS[group][name], package
    raise AssertionError(f"{path.relative_to(CONF)} names no schema in its defaults list")


def _set_keys(path: Path) -> dict[str, object]:
    """The leaves a file sets itself, relative to its schema's node."""
    raw = OmegaConf.to_container(OmegaConf.load(path))
    raw.pop("defaults", None)
    _, package = _schema_of(path)
    if package not in ("_here_", ""):
        raw = raw.get(package, {})
    return _leaves(raw)


def _has_reason(text: str, dotted: str) -> bool:
    leaf = dotted.rsplit(".", 1)[-1]
    return any(re.match(rf"^\s*{re.escape(leaf)}:\s*\S.*#\s*\S", line) for line in text.splitlines())


@pytest.mark.parametrize("path", GROUP_FILES, ids=lambda p: str(p.relative_to(CONF)))
def test_a_group_file_sets_only_what_differs_from_its_schema_and_says_why(path):
    schema, _ = _schema_of(path)
    defaults = _schema_defaults(schema)
    text = path.read_text()
    for key, value in _set_keys(path).items():
        assert key in defaults, f"{path.name}: {key} is not a field of {schema.__name__}"
        assert value != defaults[key], f"{path.name}: {key}={value!r} restates the schema's default"
        assert _has_reason(text, key), f"{path.name}: {key} differs from the schema without a comment saying why"


@pytest.mark.parametrize("path", GROUP_FILES, ids=lambda p: str(p.relative_to(CONF)))
def test_every_group_file_composes_validates_and_names_a_class_that_imports(tmp_path, path):
    group, option = path.parent.name, path.stem
    # A model that brings its own data, trainer and analysis is composed through that model.
    selected_by = {"face_interaction": "hebbian_face", "hebbian": "hebbian_face", "online": "hebbian_face",
                   "sensorimotor_pairings": "asl_associative", "associative": "asl_associative",
                   "shape_stimuli": "visnet_control", "visnet": "visnet_control", "planted": "planted_chance"}
    overrides = [f"model={selected_by[option]}"] if option in selected_by else [f"{group}={option}"]
    if option == "recording":  # a recording is a file: one planted session stands in for a lab's
        from tests.test_recordings import _session

        overrides = ["model=recording", f"data.path={_session(tmp_path, 'session', 0.5)}"]
    cfg = compose_job(overrides, tmp_path / "job")
    validate(cfg)
    node = cfg[group]
    if "_target_" in node:
        module, _, name = node._target_.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), node._target_


@pytest.mark.parametrize("schema", [s for schemas in GROUP_SCHEMAS.values() for s in schemas.values()],
                         ids=lambda s: s.__name__)
def test_every_schema_default_target_imports_and_every_field_is_documented(schema):
    defaults = schema()
    if hasattr(defaults, "_target_"):
        module, _, name = defaults._target_.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), defaults._target_
    for field_ in fields(schema):
        if field_.name == "_target_" or is_dataclass(field_.default_factory if callable(field_.default_factory)
                                                      else None):
            continue
        # The source of the class that declares the field (an analysis schema extends the shared one).
        owner = next(cls for cls in schema.__mro__ if field_.name in vars(cls).get("__annotations__", {}))
        source = Path(importlib.import_module(owner.__module__).__file__).read_text()
        documented = re.search(rf"\n    {field_.name}: [^\n]+\n    \"\"\"", source)
        assert documented, f"{schema.__name__}.{field_.name} has no docstring under it"


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_every_preset_composes_and_every_key_it_sets_says_why(tmp_path, path):
    from mirror.config import compose_config
    from mirror.tracking.sweep import planned_jobs

    compose_job([f"experiment={path.stem}"], tmp_path / "job")
    jobs = planned_jobs(compose_config([f"experiment={path.stem}"], with_hydra=True))
    for job in (jobs[0], jobs[-1]):  # a preset whose own settings a job refuses would stop its sweep at once
        validate(compose_job([f"experiment={path.stem}", *job], tmp_path / "job"))
    text = path.read_text()
    raw = OmegaConf.to_container(OmegaConf.load(path))
    raw.pop("defaults", None)
    raw.get("hydra", {}).get("sweeper", {}).pop("params", None)  # the swept values, listed with their comment
    for key in _leaves({k: v for k, v in raw.items() if k != "hydra"}):
        assert _has_reason(text, key), f"{path.name}: {key} has no comment saying why"


def test_hydra_leaves_exactly_the_execution_fields_out_of_a_job_folder_name(tmp_path):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from mirror.config import TrackingConfig, register_schemas

    register_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("config", return_hydra_config=True)
    excluded = list(cfg.hydra.job.config.override_dirname.exclude_keys)
    GlobalHydra.instance().clear()
    assert excluded == execution_override_keys()
    assert {f"tracking.{name}" for name in TrackingConfig.__dataclass_fields__} | {"threads"} <= set(excluded)


def test_a_job_folder_is_one_name_inside_the_sweep_and_never_too_long():
    from mirror.config.registry import JOB_FOLDER_BYTES, job_folder

    assert job_folder(3, "seed=1,model.hidden_size=8") == "3_seed=1,model.hidden_size=8", "readable when it fits"
    escaped = job_folder(0, "model.vision.cache_dir=../../..")
    assert "/" not in escaped and escaped == "0_model.vision.cache_dir=..%2F..%2F.."
    assert "\\" not in job_folder(0, "x=a\\b")
    long = ",".join(f"analysis.field_{i}=value_{i}" for i in range(22))
    named = job_folder(12, long)
    assert named.startswith("12_") and len(named) == 3 + 12 and len(named.encode()) <= JOB_FOLDER_BYTES
    assert named != job_folder(12, long + "x"), "different overrides, different digests"
