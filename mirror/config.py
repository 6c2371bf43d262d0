"""Typed schemas for every config group.

Each YAML file under ``conf/`` names its schema in its defaults list, so Hydra checks
types while composing; :func:`validate` then checks ranges. Both happen before any
heavy import or training, and every error names the offending field (``model.hidden_size``).

This module must stay light (no torch, no mlflow): it is imported to answer ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass, is_dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf


class ConfigError(ValueError):
    """A config value is out of range; the message starts with the field's full name."""


def _check(condition: bool, name: str, message: str, value: Any) -> None:
    if not condition:
        raise ConfigError(f"{name} {message} (got {value!r})")


# --------------------------------------------------------------------------- data


@dataclass
class ActionSequenceDataConfig:
    """The sensorimotor environment of SCIENCE.md section 1."""

    _target_: str = "mirror.data.action_sequences.ActionSequenceDataModule"
    n_actions: int = 4
    """K, the number of discrete action classes."""
    sensory_dim: int = 16
    """D, the dimension of the sensory state s_t."""
    seq_len: int = 12
    """T, steps per sequence."""
    decay: float = 0.9
    """The sensory state keeps this fraction of itself each step (A = decay * I)."""
    noise_std: float = 0.1
    """Standard deviation of the sensory noise eps_t."""
    effect_scale: float = 1.0
    """Multiplies every action's effect vector E[a] ~ N(0, I)."""
    persistence: float = 0.0
    """Probability that a_t repeats a_{t-1}; 0 draws every action i.i.d."""
    pairing: str = "matched"
    """'matched' (the only valid science) or 'independent', a named control that
    reproduces the known error of drawing separate actions for the two objectives."""
    n_train: int = 2000
    """Training sequences."""
    n_val: int = 200
    """Validation sequences (loss curves only, never used by the analysis)."""
    n_test: int = 300
    """Held-out test sequences scored by the analysis."""
    batch_size: int = 64
    """Sequences per optimisation step."""
    seed: int = 42
    """Seeds the environment (effect vectors) and every sequence draw."""

    def validate(self) -> None:
        _check(self.n_actions >= 2, "n_actions", "must be at least 2", self.n_actions)
        _check(self.sensory_dim >= 1, "sensory_dim", "must be positive", self.sensory_dim)
        _check(self.seq_len >= 2, "seq_len", "must be at least 2", self.seq_len)
        _check(0.0 <= self.decay < 1.0, "decay", "must be in [0, 1) for a stable state", self.decay)
        _check(self.noise_std >= 0.0, "noise_std", "must be non-negative", self.noise_std)
        _check(self.effect_scale > 0.0, "effect_scale", "must be positive", self.effect_scale)
        _check(0.0 <= self.persistence < 1.0, "persistence", "must be in [0, 1)", self.persistence)
        _check(
            self.pairing in ("matched", "independent"),
            "pairing",
            "must be 'matched' or 'independent'",
            self.pairing,
        )
        for name in ("n_train", "n_val", "batch_size"):
            _check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        _check(self.n_test >= 2, "n_test", "must be at least 2 to correlate units", self.n_test)


# -------------------------------------------------------------------------- models


@dataclass
class GRUModelConfig:
    """A predictive GRU of SCIENCE.md section 2; variants differ in cores and losses."""

    _target_: str = "mirror.models.shared_gru.SharedCoreGRU"
    hidden_size: int = 96
    """H, units in each recurrent core (the units the analysis scores)."""
    forward_weight: float = 1.0
    """Weight of the forward (perform -> sensations, MSE) loss."""
    inverse_weight: float = 1.0
    """Weight of the inverse (observe -> actions, cross-entropy) loss."""
    lr: float = 1e-3
    """Adam learning rate."""

    def validate(self) -> None:
        _check(self.hidden_size >= 1, "hidden_size", "must be positive", self.hidden_size)
        _check(self.forward_weight >= 0.0, "forward_weight", "must be non-negative", self.forward_weight)
        _check(self.inverse_weight >= 0.0, "inverse_weight", "must be non-negative", self.inverse_weight)
        _check(self.lr > 0.0, "lr", "must be positive", self.lr)


# ------------------------------------------------------------------ trainer/analysis


@dataclass
class TrainerConfig:
    """Arguments of ``pytorch_lightning.Trainer`` that the experiments use."""

    max_epochs: int = 20
    """Training epochs; 0 evaluates the untrained network."""
    accelerator: str = "cpu"
    """'cpu' keeps runs bit-for-bit reproducible; 'auto' uses a GPU when present."""
    deterministic: bool = True
    """Deterministic algorithms, so the same command gives the same numbers."""
    log_every_n_steps: int = 10
    """Step interval of the training-loss curve."""
    enable_progress_bar: bool = True
    """Show Lightning's progress bar."""
    limit_train_batches: float = 1.0
    """Fraction (or, when above 1, count) of training batches per epoch."""

    def validate(self) -> None:
        _check(self.max_epochs >= 0, "max_epochs", "must be non-negative", self.max_epochs)
        _check(self.log_every_n_steps >= 1, "log_every_n_steps", "must be positive", self.log_every_n_steps)
        _check(self.limit_train_batches > 0, "limit_train_batches", "must be positive", self.limit_train_batches)


@dataclass
class AnalysisConfig:
    """The shared mirror analysis applied to every model (SCIENCE.md section 3)."""

    mirror_threshold: float = 0.75
    """A unit with r above this counts as mirror-like (the draft paper's threshold)."""
    abs_threshold: float = 0.6
    """A unit with |r| above this counts as strongly (anti-)correlated."""
    anti_mirror_threshold: float = -0.6
    """A unit with r below this counts as anti-mirror."""
    headline: str = "centred"
    """Which per-unit r the summary leads with: 'centred' (time-centred) or 'raw'."""
    n_permutations: int = 1000
    """Sequence re-pairings in the permutation null of each unit's r."""
    fdr_method: str = "bh"
    """'bh' (Benjamini-Hochberg) or 'by' (Benjamini-Yekutieli, valid under any dependence)."""
    fdr_alpha: float = 0.05
    """False discovery rate at which a unit counts as a significant (anti-)mirror unit."""
    decoder_folds: int = 2
    """Folds over test sequences for the cross-condition decoders."""
    max_lag: int = 3
    """Largest lag (steps) of the perform/observe cross-correlation."""
    top_units: int = 10
    """How many of the most mirror-like units the lag summary and figures describe."""
    cka_permutations: int = 200
    """Sequence re-pairings in the null of linear CKA."""
    silhouette_samples: int = 1000
    """Samples drawn to compute each mode's silhouette score (its cost is quadratic)."""
    seed: int = 0
    """Seeds the permutations, folds and subsamples (follows the run's seed)."""

    def validate(self) -> None:
        _check(-1.0 <= self.mirror_threshold <= 1.0, "mirror_threshold", "must be in [-1, 1]", self.mirror_threshold)
        _check(0.0 <= self.abs_threshold <= 1.0, "abs_threshold", "must be in [0, 1]", self.abs_threshold)
        _check(
            -1.0 <= self.anti_mirror_threshold <= 0.0,
            "anti_mirror_threshold",
            "must be in [-1, 0]",
            self.anti_mirror_threshold,
        )
        _check(self.headline in ("centred", "raw"), "headline", "must be 'centred' or 'raw'", self.headline)
        for name in ("n_permutations", "top_units", "cka_permutations", "silhouette_samples"):
            _check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        _check(self.fdr_method in ("bh", "by"), "fdr_method", "must be 'bh' or 'by'", self.fdr_method)
        _check(0.0 < self.fdr_alpha < 1.0, "fdr_alpha", "must be in (0, 1)", self.fdr_alpha)
        _check(self.decoder_folds >= 2, "decoder_folds", "must be at least 2", self.decoder_folds)
        _check(self.max_lag >= 0, "max_lag", "must be non-negative", self.max_lag)


@dataclass
class TrackingConfig:
    """Where runs are recorded. The default is an embedded store under ``mlruns/``."""

    uri: str = "sqlite:///mlruns/mlflow.db"
    """MLflow tracking URI; ``http://host:5000`` points at a shared tracking server."""
    artifact_root: str = "mlruns/artifacts"
    """Where a new experiment keeps its artifacts (ignored by a server that sets its own)."""
    experiment: str = "mirror"
    """MLflow experiment name."""
    run_name: str = ""
    """Readable run name; empty means '<model>-seed<seed>'."""

    def validate(self) -> None:
        _check(bool(self.uri), "uri", "must not be empty", self.uri)
        _check(bool(self.experiment), "experiment", "must not be empty", self.experiment)


# Config group -> {schema name: schema}. A YAML file in conf/<group>/ names its schema in
# its defaults list as ``- /schema/<group>@_here_: <name>``; keeping schemas in their own
# group keeps them out of the options a user can select.
GROUP_SCHEMAS: dict[str, dict[str, type]] = {
    "data": {"action_sequences": ActionSequenceDataConfig},
    "model": {"gru": GRUModelConfig},
    "trainer": {"trainer": TrainerConfig},
    "analysis": {"analysis": AnalysisConfig},
    "tracking": {"tracking": TrackingConfig},
}


def register_schemas() -> None:
    """Make every schema available to the ``defaults`` lists of ``conf/``."""
    store = ConfigStore.instance()
    for group, schemas in GROUP_SCHEMAS.items():
        for name, schema in schemas.items():
            store.store(group=f"schema/{group}", name=name, node=schema)


def validate(cfg: DictConfig) -> None:
    """Range-check every group of a composed config; raise :class:`ConfigError` naming the field."""
    _check(isinstance(cfg.get("seed"), int) and cfg.seed >= 0, "seed", "must be a non-negative integer", cfg.get("seed"))
    for group in GROUP_SCHEMAS:
        node = OmegaConf.to_object(cfg[group])
        if not is_dataclass(node):
            raise ConfigError(f"{group} has no schema; its YAML must list one in its defaults")
        try:
            node.validate()
        except ConfigError as error:
            raise ConfigError(f"{group}.{error}") from None


__all__ = [
    "ActionSequenceDataConfig",
    "AnalysisConfig",
    "ConfigError",
    "GRUModelConfig",
    "TrackingConfig",
    "TrainerConfig",
    "register_schemas",
    "validate",
]
