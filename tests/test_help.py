from __future__ import annotations

import dataclasses
import subprocess
import sys

from mirror.config import GROUP_SCHEMAS, GRUModelConfig
from mirror.config.help import attribute_docs


def _leaves(schema: type, prefix: str) -> list[str]:
    names = []
    for field in dataclasses.fields(schema):
        default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        if dataclasses.is_dataclass(default):
            names += _leaves(type(default), f"{prefix}{field.name}.")
        elif not field.name.startswith("_"):
            names.append(f"{prefix}{field.name}")
    return names


def test_help_shows_every_field_with_its_default_and_its_documentation():
    result = subprocess.run([sys.executable, "-m", "mirror.run", "--help"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    text = " ".join(result.stdout.split())
    doc = attribute_docs(GRUModelConfig)["hidden_size"]
    assert doc.startswith("H, units") and f"model.hidden_size = 96 {doc}" in text
    for group, schemas in GROUP_SCHEMAS.items():
        for schema in schemas.values():
            for name in _leaves(schema, f"{group}."):
                assert f"{name} = " in text, name
    assert "model.vision.slope = [190.0, 40.0, 75.0, 26.0] Sigmoid slope beta of each layer." in text


def test_attribute_docs_are_read_from_the_source_bases_included():
    from mirror.config import HebbianAnalysisConfig

    docs = attribute_docs(HebbianAnalysisConfig)
    assert "mirror_threshold" in docs, "a field documented in the base schema"
    assert all(" " in text and "\n" not in text for text in docs.values())
