"""The vision module's measures, kept beside its cached weights.

Every job of a seed measures the same untrained and the same pre-trained VisNet on the same faces: some
3.5 s a job of VisNet passes, about half of a Hebbian job whose vision comes from the cache. The measures
are read back where the computation would be repeated exactly: same weights, same faces, same settings,
same code (the package's source) and library versions. The key is the content, never the config, so a
job whose faces or weights differ in one value measures afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mirror.tracking.tags import code_digest

log = logging.getLogger(__name__)


def measures_key(vision: torch.nn.Module, faces: tuple[Any, ...], settings: Mapping[str, Any]) -> str:
    """A digest of everything the measures are a function of: the vision module's config and tensors,
    the faces and labels measured, the settings, and the code and libraries that compute them
    (:func:`mirror.tracking.tags.code_digest`, the digest every run carries)."""
    digest = hashlib.sha256()
    config = {k: v for k, v in asdict(vision.config).items() if k != "cache_dir"}
    digest.update(json.dumps({"config": config, "settings": dict(settings), "code": code_digest()},
                             sort_keys=True, default=str).encode())
    for name, tensor in chain(vision.named_parameters(), vision.named_buffers()):
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().numpy().tobytes())
    for array in faces:
        array = array.numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
        digest.update(str((array.dtype, array.shape)).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:24]


def remembered(folder: Path, key: str, measure: Callable[[], Mapping[str, float]]) -> dict[str, float]:
    """The measures stored under ``key`` in ``folder``, else ``measure()``, stored there for the next job
    (atomically: parallel jobs never read half a file; an unwritable folder only costs the next job)."""
    path = folder / f"measures-{key}.json"
    try:
        return {name: float(value) for name, value in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        pass
    measures = {name: float(value) for name, value in measure().items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(measures))
        os.replace(partial, path)
    except OSError as error:
        log.warning("the vision's measures could not be kept in %s (%s)", folder, error)
    return measures
