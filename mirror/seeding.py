"""Independent random streams, one per named use, all drawn from one seed.

A draw added to one use (more faces, another phase) then never shifts the numbers of another,
and a step that is skipped (cached vision weights) changes nothing downstream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class NamedStreams:
    """``streams.rng('faces')`` is a fresh generator of the stream named 'faces', the same every call."""

    def __init__(self, seed: int, names: Sequence[str]) -> None:
        self._seeds = dict(zip(names, np.random.SeedSequence(seed).spawn(len(names))))

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(self._seeds[name])
