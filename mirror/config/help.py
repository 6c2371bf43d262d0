"""Every config field with its default and documentation, for ``python -m mirror.run --help``.

The schemas document each field with a string under it (an attribute docstring), which Python
drops at run time; this reads them back from the source, so the help and the code cannot drift.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import re
import textwrap
from functools import cache
from pathlib import Path

WIDTH = 100


@cache
def attribute_docs(schema: type) -> dict[str, str]:
    """Field name -> the string written under it, for a dataclass and its dataclass bases."""
    docs: dict[str, str] = {}
    for cls in reversed(schema.__mro__):
        if not dataclasses.is_dataclass(cls):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
        for node, following in itertools.pairwise(body):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                docs[node.target.id] = " ".join(following.value.value.split())
    return docs


def _default(field: dataclasses.Field) -> object:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return "(required)"


def _fields(schema: type, prefix: str) -> list[str]:
    lines = []
    docs = attribute_docs(schema)
    for field in dataclasses.fields(schema):
        if field.name.startswith("_"):
            continue
        default = _default(field)
        if dataclasses.is_dataclass(default):
            lines += _fields(type(default), f"{prefix}{field.name}.")
            continue
        lines.append(f"  {prefix}{field.name} = {default}")
        if field.name in docs:
            lines += textwrap.wrap(docs[field.name], WIDTH, initial_indent="      ", subsequent_indent="      ")
    return lines


def options_by_schema(conf_dir: Path, group: str) -> dict[str, list[str]]:
    """Schema name -> the options of ``conf/<group>/`` built on it."""
    options: dict[str, list[str]] = {}
    for path in sorted((conf_dir / group).glob("*.yaml")):
        found = re.search(rf"/schema/{group}@(?:_here_|{group}):\s*(\w+)", path.read_text())
        if found:
            options.setdefault(found.group(1), []).append(path.stem)
    return options


def field_help(group_schemas: dict[str, dict[str, type]], conf_dir: Path) -> str:
    """The help's field section: per group and schema, every field, its default, its documentation."""
    lines = []
    for group, schemas in group_schemas.items():
        options = options_by_schema(conf_dir, group)
        for name, schema in schemas.items():
            chosen = ", ".join(f"{group}={option}" for option in options.get(name, [])) or f"group {group}"
            lines += ["", f"{group}.* for {chosen} ({schema.__name__}):", *_fields(schema, f"{group}.")]
    return "\n".join(lines)
