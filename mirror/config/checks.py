"""The checks every schema's ``validate`` is written in; each error names the field it is about."""

from __future__ import annotations

import math
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A config value is out of range; the message starts with the field's full name."""


def check(condition: bool, name: str, message: str, value: Any) -> None:
    if not condition:
        raise ConfigError(f"{name} {message} (got {value!r})")


MAX_FOLDER_NAME = 100
"""The longest name that becomes a folder (an experiment's report, a report's --name)."""


def folder_name_problem(value: str) -> str:
    """Why ``value`` cannot be a folder's name inside another ('' when it can): no path separator, no '.' or '..',
    no control character, at most MAX_FOLDER_NAME characters. A name that becomes a folder must stay in the folder
    it is put in."""
    if not value:
        return "must not be empty"
    if "/" in value or "\\" in value or value in (".", ".."):
        return "must be a name, not a path (no '/', '\\', '.' or '..')"
    if not value.isprintable():
        return "must not hold a newline or control character"
    if len(value) > MAX_FOLDER_NAME:
        return f"must be at most {MAX_FOLDER_NAME} characters (got {len(value)})"
    return ""


def check_folder_name(name: str, value: str) -> None:
    """ConfigError naming field ``name`` unless ``value`` can be a folder's name (folder_name_problem)."""
    problem = folder_name_problem(value)
    check(not problem, name, problem, value)


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    check(value in allowed, name, f"must be one of {', '.join(allowed)}", value)


def check_finite(part: Any) -> None:
    """Every float field (and every float in a list field) is a number: inf and nan pass every
    range check written as a comparison, and fail much later, far from the field."""
    for field_ in fields(part):
        value = getattr(part, field_.name)
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, float) and not math.isfinite(item):
                raise ConfigError(f"{field_.name} must be finite (got {value!r})")


def validate_part(name: str, part: Any) -> None:
    """Validate a nested schema, prefixing its name to the field an error names."""
    try:
        check_finite(part)
        part.validate()
    except ConfigError as error:
        raise ConfigError(f"{name}.{error}") from None


def writable_folder(folder: Path) -> bool:
    """Whether ``folder`` can be created and written, tried for real (``os.access`` says yes to root
    even on a read-only file system); leaves the folder, which is a cache, in place."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def creatable_folder(folder: Path) -> bool:
    """Whether ``folder`` exists as a writable folder or could be created, tried for real in its nearest
    existing ancestor (a temporary file, removed again): nothing is left behind, so a config refused
    for another field writes nothing."""
    folder = folder.expanduser().absolute()
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    if not existing.is_dir():
        return False
    try:
        with tempfile.TemporaryFile(dir=existing):
            return True
    except OSError:
        return False


def constructor_arguments(config: Any) -> dict[str, Any]:
    """A schema instance as the keyword arguments of the class its ``_target_`` names.

    Constructors take every argument without a default, so the schema stays the one home
    of each default; code that builds a module by hand (tests, diagnostics) goes through this.
    """
    return {field_.name: getattr(config, field_.name) for field_ in fields(config) if field_.name != "_target_"}

