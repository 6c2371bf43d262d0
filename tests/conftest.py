"""Shared fixtures: tiny configs composed from the real ``conf/`` and isolated MLflow stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from mirror.config import (
    CONF_DIR,
    ActionSequenceDataConfig,
    FaceInteractionDataConfig,
    GRUModelConfig,
    compose_config,
    constructor_arguments,
)

ROOT = Path(__file__).resolve().parents[1]
CONF = CONF_DIR

TINY = [
    "trainer=fast",
    "data.n_train=96",
    "data.n_val=32",
    "data.n_test=40",
    "data.batch_size=32",
    "model.hidden_size=12",
]


def action_sequences(**fields):
    """The sensorimotor datamodule with the schema's defaults except ``fields``."""
    from mirror.data.action_sequences import ActionSequenceDataModule

    return ActionSequenceDataModule(**constructor_arguments(ActionSequenceDataConfig(**fields)))


def face_interaction(**fields):
    """The face-interaction datamodule with the schema's defaults except ``fields``."""
    from mirror.data.face_interaction import FaceInteractionDataModule

    return FaceInteractionDataModule(**constructor_arguments(FaceInteractionDataConfig(**fields)))


def gru(model_class, n_actions: int = 4, sensory_dim: int = 16, **fields):
    """A GRU variant with the schema's defaults except ``fields``."""
    return model_class(n_actions=n_actions, sensory_dim=sensory_dim, **constructor_arguments(GRUModelConfig(**fields)))


def store_overrides(root: Path) -> list[str]:
    """Overrides that put the MLflow store and all outputs under ``root``."""
    return [
        f"tracking.uri=sqlite:///{root}/mlruns/mlflow.db",
        f"tracking.artifact_root={root}/mlruns/artifacts",
    ]


def compose_job(overrides: list[str], output_dir: Path) -> DictConfig:
    """Compose the real config as Hydra would for one job, with its runtime fields filled in."""
    GlobalHydra.instance().clear()
    cfg = compose_config(overrides, with_hydra=True)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(output_dir)
        cfg.hydra.overrides.task = list(overrides)
    HydraConfig.instance().set_config(cfg)
    with open_dict(cfg):
        del cfg["hydra"]  # a task function never sees the hydra node
    output_dir.mkdir(parents=True, exist_ok=True)
    return cfg


@pytest.fixture
def tiny_job(tmp_path: Path):
    """Build a tiny job config (extra overrides welcome) writing everything into tmp_path."""

    def build(*overrides: str, name: str = "job") -> DictConfig:
        return compose_job([*TINY, *store_overrides(tmp_path), *overrides], tmp_path / name)

    yield build
    GlobalHydra.instance().clear()


@pytest.fixture
def restore_sigint():
    """Lightning ignores SIGINT after a Ctrl-C; put the default handler back for later tests."""
    handler = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, handler)


def run_cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m mirror.run`` the way a user types it."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mirror.run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
