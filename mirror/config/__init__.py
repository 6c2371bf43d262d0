"""Typed schemas for every config group, by model family, and the checks run before any work.

Each YAML file under ``conf/`` names its schema in its defaults list, so Hydra checks types while
composing; :func:`validate` then checks ranges. Both happen before any heavy import or training,
and every error names the offending field (``model.hidden_size``).

The package stays light (no torch, no mlflow): it is imported to answer ``--help``.

    checks.py       ConfigError and the checks every schema is written in
    analysis.py     the shared analysis's settings, which every family's analysis extends
    gru.py, hebbian.py, associative.py, visnet.py   one module per model family: data, model, analysis
    execution.py    where and how a job runs: Trainer, tracking, EXECUTION_FIELDS
    registry.py     the families, the groups' schemas, resolvers, compose_config, validate
    memory.py       memory estimates, checked before anything is allocated
    help.py         every field's documentation for --help, read from the schemas' source
"""

from mirror.config.analysis import AnalysisConfig
from mirror.config.associative import (
    AssociativeAnalysisConfig,
    AssociativeModelConfig,
    SensorimotorPairingsDataConfig,
)
from mirror.config.checks import ConfigError, constructor_arguments
from mirror.config.execution import (
    EXECUTION_FIELDS,
    TrackingConfig,
    TrainerConfig,
    is_execution_field,
)
from mirror.config.gru import ActionSequenceDataConfig, GRUAnalysisConfig, GRUModelConfig
from mirror.config.hebbian import (
    FaceInteractionDataConfig,
    HebbianAnalysisConfig,
    HebbianModelConfig,
    MirrorLayerConfig,
    VisionConfig,
)
from mirror.config.visnet import ShapeStimuliDataConfig, VisNetAnalysisConfig, VisNetControlModelConfig
from mirror.config.registry import (
    CONF_DIR,
    GROUP_SCHEMAS,
    HEADLINE_METRICS,
    MODEL_FAMILIES,
    compose_config,
    execution_override_keys,
    register_schemas,
    validate,
)

__all__ = [
    "CONF_DIR",
    "EXECUTION_FIELDS",
    "GROUP_SCHEMAS",
    "HEADLINE_METRICS",
    "MODEL_FAMILIES",
    "ActionSequenceDataConfig",
    "AnalysisConfig",
    "AssociativeAnalysisConfig",
    "AssociativeModelConfig",
    "ConfigError",
    "FaceInteractionDataConfig",
    "GRUAnalysisConfig",
    "GRUModelConfig",
    "HebbianAnalysisConfig",
    "HebbianModelConfig",
    "MirrorLayerConfig",
    "SensorimotorPairingsDataConfig",
    "ShapeStimuliDataConfig",
    "TrackingConfig",
    "TrainerConfig",
    "VisNetAnalysisConfig",
    "VisNetControlModelConfig",
    "VisionConfig",
    "compose_config",
    "constructor_arguments",
    "execution_override_keys",
    "is_execution_field",
    "register_schemas",
    "validate",
]
