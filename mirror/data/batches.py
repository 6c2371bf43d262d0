"""Batches with named fields: a model reads ``batch.observe_actions``, not ``batch[2]``."""

from __future__ import annotations

from typing import Any, NamedTuple

from torch import Tensor
from torch.utils.data import TensorDataset


class NamedTensorDataset(TensorDataset):
    """A TensorDataset whose items are a NamedTuple of its tensors; PyTorch's collation keeps the
    NamedTuple, so every batch of its loaders is one too (indexed by a whole batch of indices or not)."""

    def __init__(self, batch: type[NamedTuple], *tensors: Tensor) -> None:
        super().__init__(*tensors)
        self.batch = batch

    def __getitem__(self, index: Any) -> NamedTuple:
        return self.batch(*super().__getitem__(index))
