"""The registry: every model family and the schema of every config group, the resolvers ``conf/``
uses, composing a config outside a run, and :func:`validate`, which checks a composed config.

A model family is one line of :data:`MODEL_FAMILIES`: its model, data and analysis schemas and its
memory estimate, which a composed config must use together.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any, NamedTuple

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from mirror.config.analysis import AnalysisConfig
from mirror.config.associative import (
    AssociativeAnalysisConfig,
    AssociativeModelConfig,
    SensorimotorPairingsDataConfig,
    associative_bytes,
)
from mirror.config.checks import ConfigError, check, check_choice, validate_part
from mirror.config.execution import EXECUTION_FIELDS, FIGURE_CHOICES, MAX_THREADS, TrackingConfig, TrainerConfig
from mirror.config.gru import ActionSequenceDataConfig, GRUAnalysisConfig, GRUModelConfig, gru_bytes
from mirror.config.hebbian import (
    FaceInteractionDataConfig,
    HebbianAnalysisConfig,
    HebbianModelConfig,
    hebbian_bytes,
)
from mirror.config.help import field_help
from mirror.config.hooks import ModelSchema, PairedDataSchema
from mirror.config.visnet import (
    ShapeStimuliDataConfig,
    VisNetAnalysisConfig,
    VisNetControlModelConfig,
    visnet_bytes,
)
from mirror.config.memory import check_memory
from mirror.config.planted import PlantedAnalysisConfig, PlantedPopulationConfig, planted_bytes
from mirror.config.recording import (
    RecordingAnalysisConfig,
    RecordingDataConfig,
    RecordingModelConfig,
    recording_bytes,
)


class ModelFamily(NamedTuple):
    """A model schema and what goes with it: its data and analysis schemas and its memory estimate.
    ``name`` is the name of all three in ``conf/``'s defaults lists (``- /schema/model@_here_: gru``)."""

    name: str
    model: type
    data: type
    analysis: type
    memory: Callable[[Any, Any, Any], dict[str, float]]


MODEL_FAMILIES: tuple[ModelFamily, ...] = (
    ModelFamily("gru", GRUModelConfig, ActionSequenceDataConfig, GRUAnalysisConfig, gru_bytes),
    ModelFamily("hebbian", HebbianModelConfig, FaceInteractionDataConfig, HebbianAnalysisConfig, hebbian_bytes),
    ModelFamily("associative", AssociativeModelConfig, SensorimotorPairingsDataConfig, AssociativeAnalysisConfig,
                associative_bytes),
    ModelFamily("visnet", VisNetControlModelConfig, ShapeStimuliDataConfig, VisNetAnalysisConfig, visnet_bytes),
    ModelFamily("planted", PlantedPopulationConfig, ActionSequenceDataConfig, PlantedAnalysisConfig, planted_bytes),
    ModelFamily("recording", RecordingModelConfig, RecordingDataConfig, RecordingAnalysisConfig, recording_bytes),
)

def check_capabilities(families: tuple[ModelFamily, ...]) -> None:
    """Every family's model schema declares the model hooks, and a family the shared analysis scores has a data
    schema that declares the paired test set's shape: checked when the registry is imported."""
    for family in families:
        if not issubclass(family.model, ModelSchema):
            raise TypeError(f"family {family.name!r}: {family.model.__name__} must subclass mirror.config.hooks.ModelSchema")
        if family.analysis.SHARED_ANALYSIS and not issubclass(family.data, PairedDataSchema):
            raise TypeError(f"family {family.name!r}: the shared analysis scores it, so {family.data.__name__} must "
                            "subclass mirror.config.hooks.PairedDataSchema")


check_capabilities(MODEL_FAMILIES)

HEADLINE_METRICS: dict[str, str] = {
    **{name: label for family in reversed(MODEL_FAMILIES) for name, label in family.analysis.HEADLINE_METRICS.items()},
    **AnalysisConfig.HEADLINE_METRICS,
}
"""The metrics a report, a sweep's summary and a run's description lead with, in order, with their labels: each
model family's own (the associative and Hebbian models'), then the shared analysis's."""

# Config group -> {schema name: schema}. A YAML file in conf/<group>/ names its schema in
# its defaults list as ``- /schema/<group>@_here_: <name>``; keeping schemas in their own
# group keeps them out of the options a user can select.
GROUP_SCHEMAS: dict[str, dict[str, type]] = {
    "data": {family.name: family.data for family in MODEL_FAMILIES},
    "model": {family.name: family.model for family in MODEL_FAMILIES},
    "trainer": {"trainer": TrainerConfig},
    "analysis": {family.name: family.analysis for family in MODEL_FAMILIES},
    "tracking": {"tracking": TrackingConfig},
}

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
"""The Hydra config folder the entry point composes from."""


def family_of(model: Any) -> ModelFamily:
    """The family of a model schema instance."""
    return next(family for family in MODEL_FAMILIES if isinstance(model, family.model))


def execution_override_keys() -> list[str]:
    """Every leaf field of :data:`EXECUTION_FIELDS`, as the override keys Hydra leaves out of a
    job's folder name (``hydra.job.config.override_dirname.exclude_keys`` reads this)."""
    keys = []
    for name in EXECUTION_FIELDS:
        schemas = GROUP_SCHEMAS.get(name, {})
        leaves = {leaf for schema in schemas.values() for leaf in schema.__dataclass_fields__}
        keys.extend(sorted(f"{name}.{leaf}" for leaf in leaves) if leaves else [name])
    return keys


JOB_FOLDER_BYTES = 200
"""The longest job folder name kept readable: file systems allow 255 bytes per name, and Hydra and
MLflow add suffixes to paths under it."""


def job_folder(number: int, overrides: str) -> str:
    """A sweep job's folder name: '<number>_<its overrides>', with every path separator in a value replaced
    (a swept ``../..`` must not place the folder outside the sweep's), or '<number>_<digest of the
    overrides>' when that would be longer than :data:`JOB_FOLDER_BYTES`."""
    readable = f"{number}_{overrides}".replace("/", "%2F").replace("\\", "%5C").replace("\0", "")
    if len(readable.encode()) <= JOB_FOLDER_BYTES:
        return readable
    return f"{number}_{hashlib.sha256(overrides.encode()).hexdigest()[:12]}"


@contextmanager
def composing() -> Iterator[None]:
    """Hydra set up as ``python -m mirror.run`` sets it up (``conf/`` and the schemas), outside a run: inside,
    ``hydra.compose`` composes what a run would (many configs under one set-up: the plan's every job)."""
    from hydra import initialize_config_dir

    register_schemas()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        yield


def compose_config(overrides: list[str], with_hydra: bool = False) -> DictConfig:
    """The config ``python -m mirror.run`` composes from these overrides, outside a run (the
    ``hydra`` node too when ``with_hydra``): for planning, reports and tests."""
    from hydra import compose

    with composing():
        return compose("config", overrides=overrides, return_hydra_config=with_hydra)


def register_schemas() -> None:
    """Make every schema available to the ``defaults`` lists of ``conf/``, the list of
    execution-only fields to ``conf/config.yaml`` (``${mirror_execution_keys:}``), a job's folder name
    (``${mirror_job_folder:...}``), a token that
    makes every sweep's folder its own (``${mirror_sweep_token:}``) and every field's
    documentation to ``--help`` (``${mirror_field_help:}``)."""
    OmegaConf.register_new_resolver("mirror_execution_keys", execution_override_keys, replace=True)
    OmegaConf.register_new_resolver("mirror_job_folder", job_folder, replace=True)
    # Resolved once, in the launching process, and cached in the config every job receives.
    OmegaConf.register_new_resolver("mirror_sweep_token", lambda: uuid.uuid4().hex[:6], use_cache=True, replace=True)
    # "$$": the help template is a string.Template.
    OmegaConf.register_new_resolver("mirror_field_help", lambda: field_help(GROUP_SCHEMAS, CONF_DIR).replace("$", "$$"),
                                    replace=True)
    store = ConfigStore.instance()
    for group, schemas in GROUP_SCHEMAS.items():
        for name, schema in schemas.items():
            store.store(group=f"schema/{group}", name=name, node=schema)


def validate(cfg: DictConfig) -> None:
    """Range-check every group of a composed config; raise :class:`ConfigError` naming the field."""
    check(isinstance(cfg.get("seed"), int) and cfg.seed >= 0, "seed", "must be a non-negative integer", cfg.get("seed"))
    threads = cfg.get("threads", 0)
    check(isinstance(threads, int) and 0 <= threads <= MAX_THREADS, "threads",
          f"must be an integer from 0 (one share of the cores per job) to {MAX_THREADS}", threads)
    check_choice("figures", cfg.get("figures", "auto"), FIGURE_CHOICES)
    nodes = {group: OmegaConf.to_object(cfg[group]) for group in GROUP_SCHEMAS}
    for group, node in nodes.items():
        if not is_dataclass(node):
            raise ConfigError(f"{group} has no schema; its YAML must list one in its defaults")
        validate_part(group, node)
    model, data, analysis = nodes["model"], nodes["data"], nodes["analysis"]
    family = family_of(model)
    for group, expected in (("data", family.data), ("analysis", family.analysis)):
        check(type(nodes[group]) is expected, group,
              f"must be the {type(model).__name__}'s own ({expected.__name__}); a model selects it",
              type(nodes[group]).__name__)
    if getattr(model, "vision", None) is not None:
        validate_part("model", _VisionInputs(model.vision, data.image_size))
    analysis.check_against(model, data)
    check_memory(cfg, family.memory, model, data, analysis)


@dataclass
class _VisionInputs:
    """A model's vision against its data's images (the one check across the model and data groups)."""

    vision: Any
    image_size: int

    def validate(self) -> None:
        self.vision.check_inputs(self.image_size)
