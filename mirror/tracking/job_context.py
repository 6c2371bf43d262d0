"""What Hydra knows about one job that its record keeps: a plain record, light to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mirror.tracking.sweep import Sweep


@dataclass(frozen=True)
class JobContext:
    """The job's model choice, output folder, config hash, command-line overrides and sweep."""

    model_name: str
    output_dir: Path
    config_hash: str
    """Of everything in the resolved config that can change a result, computed once per job
    (:func:`mirror.tracking.resume.config_hash`)."""
    overrides: list[str] = field(default_factory=list)
    sweep: Sweep | None = None
    """The multirun this job belongs to (None for a single run)."""
