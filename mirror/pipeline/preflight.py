"""Checks before any work: a bad value, or a tracking server that does not answer, stops a run or
a whole sweep before anything is written.

Hydra calls ``on_run_start`` and ``on_multirun_start`` before it creates an output folder, so a
refused config leaves nothing behind: no ``outputs/`` folder, no ``.hydra/`` copy of the
config (which would keep, say, a password typed into ``tracking.uri``), no MLflow run.
A sweep composes and validates every job it will run before the first one starts.
"""

from __future__ import annotations

import copy
import re
import sys
from typing import Any

import yaml
from hydra import compose
from hydra.errors import (
    CompactHydraException,
    ConfigCompositionException,
    MissingConfigException,
    OverrideParseException,
    SearchPathException,
)
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from mirror.config import CONF_DIR, ConfigError, validate
from mirror.config.execution import MAX_SWEEP_JOBS, machine_cores
from mirror.tracking.store import StoreUnreachable, check_reachable
from mirror.tracking.sweep import planned_jobs

EXIT_BAD_CONFIG = 2
"""Exit status of a run or sweep refused for its config (as for a command-line usage error)."""


QUERY = re.compile(r"(https?://[^\s?#'\"()]*)[?#][^\s'\"()]*")
"""A web address's query or fragment, where a token may be (masked in every refusal: an override Hydra cannot
parse is quoted back whole)."""


def refuse(message: str) -> None:
    """Print one line that says what is wrong, and stop with :data:`EXIT_BAD_CONFIG`."""
    print(f"mirror: {QUERY.sub(lambda m: m.group(1) + '?***', message)}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_BAD_CONFIG)


COMPOSITION_ERRORS = (ConfigCompositionException, OverrideParseException, SearchPathException, yaml.YAMLError)
"""Hydra's own refusals of a command line: an override it cannot parse, a key or option that does
not exist, a value of the wrong type. Raised before any output folder exists."""


def composition_refusal(error: CompactHydraException | yaml.YAMLError) -> str:
    """One line for one of Hydra's refusals, naming the key and, for a missing option, the choices
    (Hydra writes 6-20 lines and exits 1; a refused command line here is one line and exit 2)."""
    if isinstance(error, yaml.YAMLError):  # a config file (a preset) that is not YAML: Hydra lets it through raw
        mark = getattr(error, "problem_mark", None)
        where = f"{mark.name}, line {mark.line + 1}" if mark is not None else "a config file"
        return f"{where}: not valid YAML ({getattr(error, 'problem', None) or str(error).splitlines()[0]})"
    cause = error.__cause__
    if isinstance(error, MissingConfigException) and error.missing_cfg_file:
        group, _, option = error.missing_cfg_file.rpartition("/")
        choices = f"; the options are {', '.join(error.options)}" if error.options else ""
        return f"{group}={option}: no such option in conf/{group}/{choices}"
    if isinstance(error, OverrideParseException):
        return f"{error.override} cannot be read as an override: {error.message.splitlines()[0]}"
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        return f"{cause.full_key}: {str(cause).splitlines()[0]}"
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


_validated_jobs: set[tuple[str, ...]] = set()
"""The overrides of every sweep job this process's preflight composed and validated."""


def validated_by_preflight(overrides: list[str]) -> bool:
    """Whether the preflight of this process composed and validated the job of these overrides."""
    return tuple(overrides) in _validated_jobs


class Preflight(Callback):
    """Validate the run's config, or every job's config of a sweep, before Hydra starts any job."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            validate(config)
            check_reachable(config.tracking.uri)
        except (ConfigError, StoreUnreachable) as error:
            refuse(str(error))

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if "joblib" in str(config.hydra.launcher.get("_target_", "")):
            from mirror.pipeline.launch import survive_dead_workers  # imports joblib: only for its sweeps

            survive_dead_workers()
        try:
            check_reachable(config.tracking.uri)
        except (ConfigError, StoreUnreachable) as error:
            refuse(str(error))
        jobs = planned_jobs(config)
        check_parallel_jobs(config)
        if jobs is None:  # an optimising sweeper decides its jobs as it goes; each job validates itself
            return
        if not jobs:
            refuse(f"the sweep has no jobs: a swept value is an empty list ({' '.join(config.hydra.overrides.task)})")
        if len(jobs) > MAX_SWEEP_JOBS:
            refuse(f"the sweep expands to {len(jobs):,} jobs, more than {MAX_SWEEP_JOBS:,}: split it into sweeps")
        composer = JobComposer(config.hydra.job.config_name)
        for number, overrides in enumerate(jobs):
            try:
                validate(composer.compose(overrides))
            except ConfigError as error:
                refuse(f"sweep job {number + 1} of {len(jobs)} ({' '.join(overrides)}): {error}")
            except COMPOSITION_ERRORS as error:
                refuse(f"sweep job {number + 1} of {len(jobs)} ({' '.join(overrides)}): {composition_refusal(error)}")
        _validated_jobs.update(tuple(overrides) for overrides in jobs)


def check_parallel_jobs(config: DictConfig) -> None:
    """joblib's ``n_jobs``: -1 (one per core) or a count up to this machine's cores (a thousand workers for two
    jobs started a thousand processes and ran nothing)."""
    n_jobs = config.hydra.launcher.get("n_jobs")
    if n_jobs is None:
        return
    cores = machine_cores()
    if not (n_jobs == -1 or 1 <= n_jobs <= cores):
        refuse(f"hydra.launcher.n_jobs must be -1 (one per core) or a count from 1 to this machine's {cores} cores "
               f"(got {n_jobs})")


class JobComposer:
    """Every job's config as Hydra composes it, without composing each one.

    Hydra's composition (about 0.1-0.2 s a job) made a 900-job sweep wait minutes before its first job.
    Jobs whose overrides differ only in values (``seed=3``, ``data.lag=2``) share one composition of
    their other overrides (config groups such as ``model=``, anything under ``hydra``, additions and
    deletions), onto which the values are set as Hydra sets them; a job whose values cannot be set so
    (a key that does not exist, a value of the wrong type) is composed by Hydra itself, which then
    refuses it in its own words.
    """

    def __init__(self, config_name: str) -> None:
        self.config_name = config_name
        self._parser = OverridesParser.create()
        self._groups = {path.name for path in CONF_DIR.iterdir() if path.is_dir()}
        self._composed: dict[tuple[str, ...], DictConfig] = {}

    def _is_value(self, override: Override) -> bool:
        key = override.key_or_group
        return (override.type == OverrideType.CHANGE and override.package is None and "/" not in key
                and key.split(".")[0] not in self._groups | {"hydra"})

    def compose(self, overrides: list[str]) -> DictConfig:
        parsed = self._parser.parse_overrides(overrides)
        values = [override for override in parsed if self._is_value(override)]
        structure = tuple(text for text, override in zip(overrides, parsed) if not self._is_value(override))
        if structure not in self._composed:
            self._composed[structure] = compose(config_name=self.config_name, overrides=list(structure))
        config = copy.deepcopy(self._composed[structure])
        try:
            for override in values:
                OmegaConf.update(config, override.key_or_group, override.value(), merge=True)
        except OmegaConfBaseException:
            return compose(config_name=self.config_name, overrides=overrides)
        return config
