"""What fills an experiment the page has no runs of: the presets that write into it (``conf/experiment/``), each by
its ``make`` target where the Makefile has one."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


@cache
def _make_targets(makefile: Path) -> dict[str, str]:
    """preset -> the make target that runs it alone (``make paper`` and ``make demo`` run many; left out)."""
    targets: dict[str, str] = {}
    target = ""
    for line in makefile.read_text().splitlines():
        if match := re.match(r"^([a-z][a-z-]*):", line):
            target = match.group(1)
        elif target not in ("paper", "demo") and (found := re.search(r"experiment=([a-z_]+)", line)):
            targets.setdefault(found.group(1), target)
    return targets


@cache
def filled_by(experiment: str, root: Path = ROOT) -> str:
    """The commands that fill ``experiment`` with runs: '' when no preset writes into it."""
    presets = []
    for path in sorted((root / "conf" / "experiment").glob("*.yaml")):
        tracking = (yaml.safe_load(path.read_text()) or {}).get("tracking") or {}
        if tracking.get("experiment") == experiment:
            presets.append(path.stem)
    presets.sort(key=lambda preset: preset != experiment)  # the preset named after it first
    targets = _make_targets(root / "Makefile")
    commands = [f"make {targets[p]}" if p in targets else f"python -m mirror.run experiment={p} -m" for p in presets]
    return ", ".join(dict.fromkeys(commands))
